"""The `reelforge` distribution as installed: its command, its extra, its pins on the generated clients, its asset."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
VENDORS = ("hera", "hedra", "magichour", "argil", "oxen")


def _requirements() -> list[Requirement]:
    return [Requirement(text) for text in metadata.requires("reelforge") or []]


def test_the_command_is_installed() -> None:
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "reelforge"]
    assert script.value == "reelforge.cli:main"


def test_pins_every_generated_client_at_its_generated_version() -> None:
    pins = {r.name: r.specifier for r in _requirements() if r.name.startswith("reelforge-")}
    for vendor in VENDORS:
        generated = tomllib.loads((REPO / "generated" / vendor / "pyproject.toml").read_text(encoding="utf-8"))
        assert str(pins[f"reelforge-{vendor}"]) == f"=={generated['project']['version']}"
    assert len(pins) == len(VENDORS)


def test_the_sandbox_extra_brings_the_server_stack() -> None:
    extra = {r.name for r in _requirements() if r.marker is not None and r.marker.evaluate({"extra": "sandbox"})}
    assert {"starlette", "uvicorn", "openapi-core", "pyyaml"} <= {name.lower() for name in extra}


def test_the_result_video_ships_inside_the_package(tmp_path: Path) -> None:
    # Run from an empty folder, so the installed package is imported, not the checkout's src/.
    code = "from reelforge.sandbox.media import is_valid_mp4, result_video; print(is_valid_mp4(result_video()))"
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "True", done.stderr
