"""Every common input on every vendor's create operations either arrives in the request the sandbox received,
converted as the spec's x-reelforge-inputs says, or raises UnsupportedInput; nothing is dropped silently.

What arrived is read from the sandbox's `job_created` event (the create body as it was received). Local files
go through the vendor's own upload flow first, or raise UnsupportedInput where the vendor has none.
"""

from __future__ import annotations

import math
import struct
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest

from reelforge import Studio, UnsupportedInput, VideoRequest
from reelforge.catalog import spec_of
from reelforge.sandbox.server import Sandbox
from reelforge.specs import JSONPath
from tests.facade.conftest import base_urls, events, keys
from tests.support import ARGIL_AVATAR, VENDORS

PROMPT = "A red fox running through snow."
_IDS = {"avatar": ARGIL_AVATAR, "voice": "9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"}
_URLS = {
    "image": "https://example.com/start.png",
    "end_image": "https://example.com/end.png",
    "audio": "https://example.com/voice.mp3",
}


def _png(path: Path) -> Path:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + raw + chunk(b"IEND", b""))
    return path


def _sample(name: str, limits: dict[str, Any]) -> Any:
    """A value of the common input inside the operation's limits."""
    if limits.get("enum"):
        return limits["enum"][0]
    if name in ("duration", "fps", "seed", "count"):
        low = limits.get("minimum", {"duration": 5, "fps": 24, "seed": 42, "count": 1}[name])
        high = limits.get("maximum", low)
        value = max(low, min(high, {"duration": 5, "fps": 24, "seed": 42, "count": 1}[name]))
        return value if name == "duration" else math.ceil(value)
    return {
        "prompt": PROMPT,
        "negative_prompt": "blurry, low quality",
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "reference_images": ["https://example.com/ref-1.png"],
        **_IDS,
        **_URLS,
    }[name]


def _operations() -> list[tuple[str, str]]:
    from reelforge.specs import InputsExtension

    return [(vendor, e.operation) for vendor in VENDORS for e in InputsExtension.all_in(spec_of(vendor))]


def _expected_at_target(rule: Any, value: Any) -> Any:
    """What the body holds at the rule's `to` for `value`, where the converter makes it one value (None when it
    does not: count, size, split)."""
    convert = rule.convert or {}
    kind = convert.get("kind")
    if kind is None:
        return value
    if kind == "scale":
        scaled = value * convert["factor"]
        return round(scaled) if convert.get("integer") else scaled
    if kind == "string":
        return str(value)
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "table":
        return convert["values"][value]
    return None


def _submit(studio: Studio, sandbox: Sandbox, vendor: str, request: VideoRequest) -> dict[str, Any]:
    since = len(sandbox.log)
    job = studio.submit(vendor, request)
    (created,) = [e for e in events(sandbox, "job_created", since) if e["job_id"] == job.id]
    body: dict[str, Any] = created["body"]
    return body


@pytest.mark.parametrize(("vendor", "operation"), _operations())
def test_every_common_input_arrives_converted_or_is_refused(sandbox: Sandbox, vendor: str, operation: str) -> None:
    from reelforge.mapping import accepted
    from reelforge.specs import COMMON_INPUTS, MEDIA_INPUTS, InputsExtension

    spec = spec_of(vendor)
    extension = InputsExtension.of(spec.operation(operation))
    summary = accepted(spec, operation)
    required = {name: _sample(name, dict(summary.limits.get(name) or {})) for name in summary.required}
    arrived: list[str] = []
    refused: list[str] = []
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        for name in COMMON_INPUTS:
            value = _sample(name, dict(summary.limits.get(name) or {}))
            request = VideoRequest(**{"prompt": PROMPT, **required, name: value}, operation=operation)
            rule = extension.inputs.get(name)
            # A URL (every media sample here is one) needs a place that takes URLs.
            if rule is None or (name in MEDIA_INPUTS and rule.to is None):
                with pytest.raises(UnsupportedInput) as raised:
                    studio.submit(vendor, request)
                assert raised.value.input == name and raised.value.vendor == vendor
                refused.append(name)
                continue
            body = _submit(studio, sandbox, vendor, request)
            for path, also in rule.also.items():
                assert JSONPath.parse(path).find(body) == [also] * len(JSONPath.parse(path).find(body)) != []
            if rule.to is None or rule.via is not None:
                arrived.append(name)
                continue
            found = rule.to.find(body)
            assert found, f"{vendor} {operation}: {name} is not at {rule.to} in {body}"
            kind = (rule.convert or {}).get("kind")
            expected = _expected_at_target(rule, value[0] if name == "reference_images" and kind else value)
            if kind == "count":
                assert len(found[0]) == value
            elif kind == "split":
                assert " ".join(found).split() == str(value).split()
            elif expected is not None:
                if name == "reference_images" and kind is None and isinstance(found[0], list):
                    assert found[0] == value
                else:
                    assert all(item == expected for item in found), (name, found, expected)
            arrived.append(name)
    assert "prompt" in arrived
    assert sorted(arrived + refused) == sorted(COMMON_INPUTS)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_local_image_is_uploaded_through_the_vendors_flow_or_refused(
    sandbox: Sandbox, vendor: str, tmp_path: Path
) -> None:
    from reelforge.specs import InputsExtension
    from reelforge.uploads import upload_flow

    spec = spec_of(vendor)
    image = _png(tmp_path / "start.png")
    takers = [e for e in InputsExtension.all_in(spec) if "image" in e.inputs]
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        if not takers or upload_flow(spec) is None:
            with pytest.raises(UnsupportedInput) as raised:
                studio.submit(vendor, VideoRequest(prompt=PROMPT, image=image))
            assert raised.value.input == "image"
            return
        since = len(sandbox.log)
        body = _submit(studio, sandbox, vendor, VideoRequest(prompt=PROMPT, image=image, operation=takers[0].operation))
    uploads = events(sandbox, "upload_received", since)
    assert len(uploads) == 1 and uploads[0]["size"] == image.stat().st_size
    rule = takers[0].inputs["image"]
    target = rule.upload_to or rule.to
    assert target is not None
    placed = target.find(body)
    assert placed and all(isinstance(item, str) and item and "placeholder" not in item for item in placed)
    assert events(sandbox, "credential_sent_to_storage", since) == []


def test_strict_false_leaves_an_unsupported_input_out_with_a_warning(sandbox: Sandbox) -> None:
    from reelforge.specs import COMMON_INPUTS, InputsExtension

    for vendor in VENDORS:
        spec = spec_of(vendor)
        extensions = InputsExtension.all_in(spec)
        missing = [n for n in COMMON_INPUTS if all(n not in e.inputs for e in extensions) and n not in _URLS]
        if missing:
            break
    else:
        pytest.fail("every vendor takes every common input: nothing to leave out")
    name = missing[0]
    request = VideoRequest(**{"prompt": PROMPT, name: _sample(name, {})})
    with (
        Studio(keys=keys(), base_urls=base_urls(sandbox), strict=False) as studio,
        pytest.warns(UserWarning, match=name),
    ):
        job = studio.submit(vendor, request)
    assert job.warnings and name in job.warnings[0]
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as strict, pytest.raises(UnsupportedInput):
        strict.submit(vendor, request)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert job.to_json()
