"""The five vendors and where each one's inputs and outputs live.

The one list of vendors: everything that lists them (the pipeline, the noxfile, the tests) reads it. Names: the
distribution `reelforge-<key>`, the import package `reelforge_<key>`, the API key in the environment variable
`api_key_env` (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import PipelineError

__all__ = ["PACKAGE_VERSION", "REPO_ROOT", "VENDORS", "Vendor", "vendor_by_key"]

REPO_ROOT = Path(__file__).resolve().parent.parent

PACKAGE_VERSION = "0.1.0"
"""The version of every generated distribution. Bump it when the generated packages change for users."""


@dataclass(frozen=True)
class Vendor:
    key: str
    title: str
    api_key_env: str
    timeout_seconds: float = 60.0

    @property
    def base_url_env(self) -> str:
        """The variable that points the client at another server: named like the key's (HERA_API_KEY ->
        HERA_BASE_URL), so a README example runs against the sandbox without editing code."""
        return self.api_key_env.removesuffix("_API_KEY") + "_BASE_URL"

    @property
    def package(self) -> str:
        return f"reelforge_{self.key}"

    @property
    def distribution(self) -> str:
        return f"reelforge-{self.key}"

    @property
    def spec_dir(self) -> Path:
        return Path("specs") / self.key

    @property
    def overlay_dir(self) -> Path:
        return Path("overlays") / self.key

    @property
    def config_file(self) -> Path:
        return Path("generator") / "config" / f"{self.key}.yaml"

    @property
    def output_dir(self) -> Path:
        return Path("generated") / self.key


VENDORS: tuple[Vendor, ...] = (
    Vendor("hera", "Hera.Video", "HERA_API_KEY"),
    Vendor("hedra", "Hedra", "HEDRA_API_KEY"),
    Vendor("magichour", "Magic Hour", "MAGIC_HOUR_API_KEY"),
    Vendor("argil", "Argil", "ARGIL_API_KEY"),
    # Oxen's synchronous generate call holds the connection for 1-15 minutes (docs/vendor-facts.md).
    Vendor("oxen", "Oxen.ai", "OXEN_API_KEY", timeout_seconds=960.0),
)


def vendor_by_key(key: str) -> Vendor:
    for vendor in VENDORS:
        if vendor.key == key:
            return vendor
    known = ", ".join(v.key for v in VENDORS)
    raise PipelineError(f"unknown vendor {key!r}", fix=f"use one of: {known}")
