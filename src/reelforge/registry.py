"""The vendors reelforge has a generated client for, by the short name in `reelforge_<vendor>` and the sandbox's
URL prefixes, and the effective spec each client package ships (as data, and read as a reelforge.specs.Spec).

This is the runtime's one list of vendors (the installed facade cannot read the generator's registry,
generator/vendors.py, which a test keeps it equal to): the facade, the sandbox, its command line and its fault
files all take it from here."""

from __future__ import annotations

import importlib
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from reelforge.specs import Spec

__all__ = ["VENDORS", "effective_spec", "vendor_spec"]

VENDORS: Final = ("hera", "hedra", "magichour", "argil", "oxen")


def effective_spec(vendor: str) -> dict[str, Any]:
    """The effective spec `reelforge_<vendor>` ships (what its `openapi_document()` answers), read from the
    package's folder without importing the package: the client would bring httpx, attrs and its models, which
    readers of the spec (the sandbox) do not need, for a tenth of the sandbox's start-up."""
    name = f"reelforge_{vendor}"
    found = importlib.util.find_spec(name)
    if found is None:
        raise ModuleNotFoundError(f"{name} is not installed (pip install reelforge-{vendor})", name=name)
    for folder in found.submodule_search_locations or ():
        path = Path(folder) / "openapi.json"
        if path.is_file():
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return document
    # Not a plain folder (a zip, a custom importer): ask the package itself.
    shipped: dict[str, Any] = importlib.import_module(name).openapi_document()
    return shipped


@cache
def vendor_spec(vendor: str) -> Spec:
    """The effective spec of `reelforge_<vendor>` as a Spec, read once per process (never changed afterwards:
    every reader in the process shares it). ModuleNotFoundError when the package is not installed."""
    return Spec(effective_spec(vendor), f"the effective spec of reelforge_{vendor}")
