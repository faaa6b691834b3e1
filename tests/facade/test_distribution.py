"""The `reelforge` distribution as installed: its command, its extra, its pins on the generated clients, its asset."""

from __future__ import annotations

import importlib
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import reelforge.registry
from reelforge.registry import effective_spec
from tests.support import REPO, VENDORS, run_python


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
    done = run_python("-c", code, cwd=tmp_path, timeout=60)
    assert done.stdout.strip() == "True", done.stderr


def test_the_facade_knows_the_vendors_of_the_registry() -> None:
    # reelforge.registry cannot read generator/vendors.py (it is not installed with the facade), so it keeps its own
    # list; this is where that list is held to the registry.
    assert reelforge.registry.VENDORS == VENDORS


def test_effective_spec_is_what_each_client_package_ships() -> None:
    for vendor in VENDORS:
        assert effective_spec(vendor) == importlib.import_module(f"reelforge_{vendor}").openapi_document(), vendor


def test_a_client_package_that_is_not_installed_is_named() -> None:
    with pytest.raises(
        ModuleNotFoundError, match=r"reelforge_nosuch is not installed \(pip install reelforge-nosuch\)"
    ):
        effective_spec("nosuch")


def test_starting_the_sandbox_imports_no_client_package() -> None:
    # The sandbox reads the specs the packages ship; importing the clients (httpx, attrs models) would only slow
    # its start-up (a tenth of it, measured by benchmarks/bench_sandbox.py).
    script = (
        "import sys\n"
        "from reelforge.sandbox.server import Sandbox\n"
        "with Sandbox() as sandbox:\n"
        "    assert sandbox.url\n"
        "print(sorted(m for m in sys.modules if m.startswith('reelforge_') or m == 'httpx'))\n"
    )
    done = run_python("-c", script, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
