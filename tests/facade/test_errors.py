"""The error hierarchy as users meet it: missing keys, the vendor's refusals, and keys never shown."""

from __future__ import annotations

import logging

import httpx
import pytest

import reelforge
from reelforge import (
    AuthenticationError,
    ConfigurationError,
    InsufficientCredits,
    RateLimited,
    ReelforgeError,
    Studio,
    VendorError,
    VideoRequest,
)
from reelforge.catalog import client_package
from tests.facade.conftest import KEY, keys, needs
from tests.support import VENDORS


def test_every_public_error_is_a_reelforge_error():
    names = [n for n in reelforge.__all__ if n.endswith(("Error", "Failed", "Timeout", "Limited", "Credits", "Found"))]
    names += ["InvalidRequest", "UnsupportedInput", "UnsupportedOperation"]
    assert len(set(names)) >= 12
    for name in set(names):
        assert issubclass(getattr(reelforge, name), ReelforgeError), name


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_missing_or_blank_key_names_its_variable(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    variable = client_package(vendor).API_KEY_ENV
    monkeypatch.delenv(variable, raising=False)
    with Studio(base_urls={vendor: "http://127.0.0.1:9"}) as studio:
        with pytest.raises(ConfigurationError) as raised:
            studio.submit(vendor, VideoRequest(prompt="A fox", **needs(vendor)))
        assert raised.value.variable == variable and variable in str(raised.value)
    with Studio(keys={vendor: "  "}) as studio, pytest.raises(ConfigurationError, match=variable):
        studio.client(vendor)
    monkeypatch.setenv(variable, "from-the-environment")
    with Studio() as studio:
        assert studio.client(vendor).has_credentials


def test_unknown_vendors_are_refused_by_name():
    with pytest.raises(ConfigurationError, match="'acme'"):
        Studio(keys={"acme": "k"})
    with Studio(keys=keys()) as studio, pytest.raises(ConfigurationError, match="unknown vendor 'acme'"):
        studio.submit("acme", VideoRequest(prompt="A fox"))


def _answering(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body, headers=headers))


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (402, {"error": "Payment required"}, InsufficientCredits),
        (403, {"error": "Insufficient credits for this render"}, InsufficientCredits),
        (401, {"error": "Invalid API key"}, AuthenticationError),
        (403, {"error": "Forbidden"}, AuthenticationError),
        (500, {"error": "boom"}, VendorError),
    ],
)
def test_the_vendors_answer_decides_the_error(
    status: int, body: dict[str, str], expected: type[VendorError], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Studio(keys=keys(), transport=_answering(status, body)) as studio, pytest.raises(expected) as raised:
        studio.submit("hera", VideoRequest(prompt="A fox"))
    error = raised.value
    assert (error.vendor, error.operation, error.status) == ("hera", "create_video", status)
    assert error.vendor_message == body["error"] and body["error"] in str(error)
    cause = error.__cause__
    assert type(cause).__name__ == "ApiError" and getattr(cause, "status_code", None) == status
    for text in (str(error), repr(error), str(cause), repr(cause), caplog.text):
        assert KEY not in text


def test_rate_limited_carries_retry_after():
    transport = _answering(429, {"message": "slow down"}, {"Retry-After": "7"})
    with Studio(keys=keys(), transport=transport) as studio, pytest.raises(RateLimited) as raised:
        studio.submit("magichour", VideoRequest(prompt="A fox"))
    assert raised.value.retry_after == 7.0 and raised.value.vendor_message == "slow down"


def test_an_error_says_what_the_vendor_said_in_its_own_shape():
    body = {"error": {"title": "model is busy", "type": "internal_error"}, "status": "error"}
    with Studio(keys=keys(), transport=_answering(503, body)) as studio, pytest.raises(VendorError) as raised:
        studio.submit("oxen", VideoRequest(prompt="A fox"))
    assert raised.value.vendor_message == "model is busy" and raised.value.status == 503
