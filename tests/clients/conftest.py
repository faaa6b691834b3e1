"""Helpers for the per-vendor client tests: a recording transport (the vendor is outside this machine, so its
answers are canned per route) and the README example, run as a user would run it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support import REPO

_CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@dataclass
class Vendor:
    """Canned answers by (METHOD, path) and every request the client sent."""

    routes: dict[tuple[str, str], httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        if key not in self.routes:
            return httpx.Response(599, text=f"test vendor has no route for {key}")
        return self.routes[key]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def client_args(self) -> dict[str, Any]:
        return {"httpx_args": {"transport": self.transport}}

    def only(self, method: str, path: str) -> httpx.Request:
        matching = [r for r in self.requests if r.method == method and r.url.path == path]
        assert len(matching) == 1, (
            f"expected one {method} {path}, sent: {[(r.method, r.url.path) for r in self.requests]}"
        )
        return matching[0]


def json_body(request: httpx.Request) -> Any:
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)


def credential_headers(request: httpx.Request) -> dict[str, str]:
    """Every header that could carry a credential, so a test can assert there is exactly one."""
    names = {"authorization", "x-api-key", "api-key", "x-auth-token"}
    return {k.lower(): v for k, v in request.headers.items() if k.lower() in names}


def run_readme_example(vendor_key: str, vendor: Vendor, monkeypatch: pytest.MonkeyPatch, api_key_env: str) -> str:
    """Run the Python example of generated/<vendor>/README.md against `vendor`; returns what it printed."""
    readme = (REPO / "generated" / vendor_key / "README.md").read_text(encoding="utf-8")
    # The client example (the other block shows the facade: tests/facade/test_readme_facade.py runs it).
    (code,) = [block for block in _CODE_BLOCK.findall(readme) if "from reelforge import" not in block]
    assert "client = Client()" in code
    # The example builds its client from the environment; only the transport is swapped for the canned vendor.
    code = code.replace("client = Client()", "client = Client(httpx_args={'transport': _transport})", 1)
    monkeypatch.setenv(api_key_env, "readme-key")
    printed: list[str] = []
    namespace: dict[str, Any] = {
        "_transport": vendor.transport,
        "print": lambda *a: printed.append(" ".join(map(str, a))),
    }
    exec(compile(code, f"generated/{vendor_key}/README.md", "exec"), namespace)
    return "\n".join(printed)
