"""Each client distribution, as installed, carries its effective spec and says where it came from."""

from __future__ import annotations

import importlib
import json

import pytest

from tests.support import REPO, VENDORS


@pytest.mark.parametrize("vendor", VENDORS)
def test_installed_package_carries_its_effective_spec(vendor: str) -> None:
    package = importlib.import_module(f"reelforge_{vendor}")
    committed = json.loads((REPO / "generated" / vendor / "openapi.json").read_text(encoding="utf-8"))

    base_url, api_version = package.DEFAULT_BASE_URL, package.API_VERSION

    assert package.openapi_document() == committed
    assert base_url == committed["servers"][0]["url"].rstrip("/")
    assert api_version == committed["info"]["version"]
