"""Every answer the sandbox gives, errors and faults included, validates against the vendor's effective spec.

Each operation of each vendor is called in every way the sandbox can refuse it (no key, each injected error
status, an invalid request, an id that names nothing) and, for calls without a body, plainly; openapi-core
(not the sandbox's code) then validates each answer against the operation's documented responses, so an
answer the spec does not document fails here. The pipeline's own check (generator/extensions.py) demands that
the specs document these statuses; this is the proof from the other side, over loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reelforge.sandbox.errors import vendor_errors
from reelforge.sandbox.faults import FAULT_HEADER
from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import CREDENTIAL_HEADERS, Recorder, assert_conforms
from tests.sandbox._specs import VENDORS, operations

UNKNOWN_ID = "0b6a3a52-0000-4000-8000-000000000000"
NOT_AN_ID = "not an id"
FAULTS = {"429": 429, "429 retry-after=2": 429, "500": 500, "502": 502, "503 retry-after=1": 503}


def _url(sandbox: Sandbox, vendor: str, path: str, identifier: str) -> str:
    return sandbox.base_url(vendor) + re.sub(r"\{[^}]*\}", identifier, path)


@pytest.fixture(scope="module")
def served() -> Iterator[Sandbox]:
    with Sandbox(speed=50) as running:
        yield running


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_refusal_and_fault_of_every_operation_is_documented(vendor: str, served: Sandbox) -> None:
    validation_status = vendor_errors(vendor).validation_status
    key = CREDENTIAL_HEADERS[vendor]
    seen: set[int] = set()
    with Recorder() as recorder, httpx.Client(transport=recorder, timeout=10) as http:

        def call(
            method: str, url: str, headers: dict[str, str], body: Any = None, raw: bytes | None = None
        ) -> httpx.Response:
            answer = http.request(method.upper(), url, headers=headers, json=body, content=raw)
            seen.add(answer.status_code)
            return answer

        for path, method, operation in operations(vendor):
            has_body = "requestBody" in operation
            url = _url(served, vendor, path, UNKNOWN_ID)
            empty: dict[str, Any] | None = {} if has_body else None
            label = f"{vendor} {operation.get('operationId')}"

            no_key = call(method, url, {}, empty)
            assert no_key.status_code == 401, f"{label} without a key: {no_key.status_code} {no_key.text}"
            for fault, status in FAULTS.items():
                faulted = call(method, url, {**key, FAULT_HEADER: fault}, empty)
                assert faulted.status_code == status, f"{label} with fault {fault!r}: {faulted.text}"
            if has_body:  # a JSON array is never a valid body: the wrong type, or the wrong media type
                invalid = call(method, url, key, [])
                assert invalid.status_code == validation_status, f"{label} with a bad body: {invalid.text}"
            else:  # a plain call: an unknown id is 404 where the sandbox keeps ids, else the spec's example
                plain = call(method, url, key)
                assert plain.status_code < 300 or plain.status_code == 404, f"{label}: {plain.text}"
                # A body the operation does not take, and not even JSON, is ignored.
                ignored = call(method, url, {**key, "content-type": "application/json"}, raw=b"{oops")
                assert ignored.status_code == plain.status_code, f"{label} with a stray body: {ignored.text}"
            if "{" in path:  # not a uuid: refused as invalid where the spec says uuid, else an unknown id
                odd = call(method, _url(served, vendor, path, NOT_AN_ID), key, empty)
                assert odd.status_code in {validation_status, 404} or odd.status_code < 300, f"{label}: {odd.text}"

        assert_conforms(vendor, served, recorder.exchanges)
    assert {401, 429, 500, 502, 503, validation_status} <= seen, seen
