"""Errors before credits: invalid requests on every vendor are rejected on this machine, each naming its field,
with not one request sent.

The invalid bodies are made from each vendor's own request schema: starting from the body a plain request
maps to, every field with a limit, an enum or a type gets a value that breaks it (through `options`, which is
merged into the body and validated like the rest). Common inputs of the wrong type, a missing required input,
a missing local file and malformed job ids come on top.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from reelforge import InvalidRequest, Studio, UnsupportedInput, VideoRequest
from reelforge.catalog import spec_of
from reelforge.sandbox.server import Sandbox
from reelforge.specs import JobExtension, Spec, pointer
from tests.facade.conftest import Counting, base_urls, keys, needs
from tests.support import VENDORS

PROMPT = "A red fox running through snow"
_WRONG_TYPE = {"string": 12345, "integer": "twelve", "number": "twelve", "boolean": "yes", "array": "one"}


def merged(body: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in options.items():
        if isinstance(value, Mapping) and isinstance(body.get(key), dict):
            merged(body[key], value)
        else:
            body[key] = copy.deepcopy(value)
    return body


def _nested(path: list[str], value: Any) -> dict[str, Any]:
    nested: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        nested = {key: nested}
    return nested


def _breaking(schema: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    kind = schema.get("type")
    if "maximum" in schema and kind in ("integer", "number"):
        yield schema["maximum"] + 1, "above its maximum"
    if "minimum" in schema and kind in ("integer", "number"):
        yield schema["minimum"] - 1, "below its minimum"
    if "enum" in schema:
        yield "no-such-value-zzz", "not in its enum"
    if "maxItems" in schema:
        items = schema.get("items") or {}
        sample = "x" if (items.get("type") == "string") else {}
        yield [sample] * (schema["maxItems"] + 1), "too many items"
    if "maxLength" in schema:
        yield "x" * (schema["maxLength"] + 1), "too long"
    if isinstance(kind, str) and kind in _WRONG_TYPE:
        yield _WRONG_TYPE[kind], f"not a {kind}"


def mutations(spec: Spec, operation: str, base: Mapping[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(the JSON pointer broken, the options that break it, how) for the body `base` of `operation`: fields the
    body already has, and the top-level fields of the schema."""
    found: list[tuple[str, dict[str, Any], str]] = []

    def walk(schema: Any, path: list[str], present: Any, depth: int) -> None:
        node = spec.merged(schema)
        branching = "oneOf" in node or "anyOf" in node
        for name, sub in (node.get("properties") or {}).items():
            child = spec.merged(sub)
            here = present.get(name) if isinstance(present, Mapping) else None
            if (child.get("type") == "object" or "properties" in child) and depth < 3:
                if here is not None or not branching:
                    walk(sub, [*path, name], here, depth + 1)
                continue
            if here is None and branching:
                continue  # beside oneOf/anyOf, only what the body has (other members may belong to other branches)
            for value, how in _breaking(child):
                found.append((pointer([*path, name]), _nested([*path, name], value), how))

    walk(spec.operation(operation).request_schema(), [], base, 0)
    return found


def _cases(vendor: str) -> list[tuple[str, dict[str, Any], str]]:
    from reelforge.mapping import build_body

    spec = spec_of(vendor)
    operation = JobExtension.all_in(spec)[0].create_operation
    base = build_body(spec, operation, {"prompt": PROMPT}).body
    return mutations(spec, operation, base)


@pytest.fixture(scope="module")
def studio(sandbox: Sandbox) -> Iterator[tuple[Studio, Counting, Sandbox]]:
    transport = Counting()
    with Studio(keys=keys(), base_urls=base_urls(sandbox), transport=transport) as made:
        yield made, transport, sandbox


def _nothing_sent(transport: Counting, sandbox: Sandbox, since: int) -> None:
    assert transport.sent == []
    assert sandbox.log[since:] == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_bodies_that_break_the_schema_are_rejected_locally(
    vendor: str, studio: tuple[Studio, Counting, Sandbox]
) -> None:
    made, transport, sandbox = studio
    since = len(sandbox.log)
    cases = _cases(vendor)
    named = 0
    for field, options, how in cases:
        with pytest.raises(InvalidRequest) as raised:
            made.submit(vendor, VideoRequest(prompt=PROMPT, options=options, **needs(vendor)))
        error = raised.value
        assert error.vendor == vendor and error.operation
        assert field in {p.field for p in error.problems}, (field, how, str(error))
        assert field in str(error)
        named += 1
    assert named >= 10, f"{vendor}: only {named} invalid bodies found in its schema"
    _nothing_sent(transport, sandbox, since)


@pytest.mark.parametrize("vendor", VENDORS)
def test_inputs_and_ids_that_cannot_be_right_are_rejected_locally(
    vendor: str, studio: tuple[Studio, Counting, Sandbox], tmp_path: Path
) -> None:
    made, transport, sandbox = studio
    since = len(sandbox.log)
    wrong = [
        (VideoRequest(prompt=12345, **needs(vendor)), "/prompt"),  # type: ignore[arg-type]
        (VideoRequest(prompt=PROMPT, duration="eight", **needs(vendor)), "/duration"),  # type: ignore[arg-type]
        (VideoRequest(prompt=PROMPT, fps=24.5, **needs(vendor)), "/fps"),  # type: ignore[arg-type]
        (VideoRequest(prompt=PROMPT, count=True, **needs(vendor)), "/count"),
        (VideoRequest(prompt=PROMPT, image=tmp_path / "missing.png", **needs(vendor)), "/image"),
        (VideoRequest(prompt=PROMPT, reference_images=[3], **needs(vendor)), "/reference_images"),  # type: ignore[list-item]
    ]
    for request, field in wrong:
        with pytest.raises(InvalidRequest) as raised:
            made.submit(vendor, request)
        assert raised.value.field == field and field in str(raised.value)
    # Nothing set that the operation requires (the prompt, at least).
    with pytest.raises((InvalidRequest, UnsupportedInput)) as missing:
        made.submit(vendor, VideoRequest())
    assert isinstance(missing.value, InvalidRequest)
    assert "/prompt" in {problem.field for problem in missing.value.problems}
    extension = JobExtension.all_in(spec_of(vendor))[0]
    for bad_id in ("", "a/b", "has space", "x?y=1"):
        with pytest.raises(InvalidRequest) as raised:
            made.job(vendor, bad_id)
        assert raised.value.field == f"/path/{extension.job_id_parameter}"
    _nothing_sent(transport, sandbox, since)


def test_ids_that_break_their_format_are_rejected(studio: tuple[Studio, Counting, Sandbox]) -> None:
    made, transport, sandbox = studio
    since = len(sandbox.log)
    checked = 0
    for vendor in VENDORS:
        extension = JobExtension.all_in(spec_of(vendor))[0]
        status = spec_of(vendor).operation(extension.status_operation)
        schema = status.parameters[(extension.job_id_parameter, "path")].get("schema") or {}
        if schema.get("format") == "uuid":
            with pytest.raises(InvalidRequest, match="format") as raised:
                made.job(vendor, "not-a-uuid")
            assert raised.value.value == "not-a-uuid"
            checked += 1
    assert checked >= 1
    _nothing_sent(transport, sandbox, since)
