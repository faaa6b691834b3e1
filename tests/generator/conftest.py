"""Fixtures for the pipeline's tests: a purpose-made vendor ("tiny") run through the real pipeline."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.pipeline import generate
from generator.vendors import Vendor

GOLDEN = Path(__file__).parent / "golden"
TINY = Vendor("tiny", "Tiny", "TINY_API_KEY")


def make_tiny_root(destination: Path) -> Path:
    """A repository-shaped tree holding the tiny vendor's spec and overlays (no generated/ yet)."""
    shutil.copytree(GOLDEN / "tiny" / "input", destination)
    return destination


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    return make_tiny_root(tmp_path / "repo")


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The tiny client, generated once and imported from its output folder as a user would import it."""
    root = make_tiny_root(tmp_path_factory.mktemp("tiny") / "repo")
    generate([TINY], root=root, force=True)
    package_parent = str(root / "generated" / "tiny")
    sys.path.insert(0, package_parent)
    try:
        yield importlib.import_module("reelforge_tiny")
    finally:
        sys.path.remove(package_parent)
        for name in [n for n in sys.modules if n == "reelforge_tiny" or n.startswith("reelforge_tiny.")]:
            del sys.modules[name]
