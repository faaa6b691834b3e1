"""One sandbox per test module (loopback, speed 50), studios pointed at it, and a transport that counts what
leaves the machine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reelforge.sandbox.server import Sandbox
from tests.support import ARGIL_AVATAR, VENDORS

SPEED = 50.0
KEY = "facade-test-key-7f3a9c"  # a key to look for: it must never show up anywhere but the API's headers


class Counting(httpx.HTTPTransport):
    """A real loopback transport that counts the requests it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)


class AsyncCounting(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await super().handle_async_request(request)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED) as running:
        yield running


def base_urls(sandbox: Sandbox) -> dict[str, str]:
    return {vendor: sandbox.base_url(vendor) for vendor in VENDORS}


def keys() -> dict[str, str]:
    return dict.fromkeys(VENDORS, KEY)


def events(sandbox: Sandbox, name: str, since: int = 0) -> list[dict[str, Any]]:
    return [event for event in sandbox.log[since:] if event["event"] == name]


# A value for each common input some vendor cannot go without besides the prompt (Argil: an avatar).
_REQUIRED_SAMPLES = {"avatar": ARGIL_AVATAR}


def needs(vendor: str) -> dict[str, Any]:
    """The common inputs besides the prompt that the vendor's preferred create operation requires, with sample
    values (read from the spec, so a vendor that starts requiring more shows up here)."""
    from reelforge.catalog import spec_of
    from reelforge.mapping import NoOperation, accepted, choose_operation

    spec = spec_of(vendor)
    try:
        operation = choose_operation(spec, {"prompt": "x"})
    except NoOperation:
        operation = choose_operation(spec, {"prompt": "x", **_REQUIRED_SAMPLES})
    return {name: _REQUIRED_SAMPLES[name] for name in accepted(spec, operation).required if name != "prompt"}
