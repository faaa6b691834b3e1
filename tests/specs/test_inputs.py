"""The typed reader of x-reelforge-inputs: on a tiny inline document, and on the five effective specs."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from reelforge.specs import (
    COMMON_INPUTS,
    INPUTS_EXTENSION,
    JOB_EXTENSION,
    MEDIA_INPUTS,
    InputsExtension,
    JSONPath,
    Spec,
    SpecError,
    parse_document,
)

REPO = Path(__file__).resolve().parents[2]
VENDORS = ("hera", "hedra", "magichour", "argil", "oxen")

FULL: dict[str, Any] = {
    "preferred": True,
    "required": ["prompt"],
    "defaults": {"$.outputs[*].format": "mp4"},
    "inputs": {
        "prompt": {"to": "$.script['text']"},
        "duration": {"to": "$.duration_ms", "convert": {"kind": "scale", "factor": 1000, "integer": True}},
        "aspect_ratio": {
            "convert": {"kind": "size", "width": "$.w", "height": "$.h", "resolutions": {"720p": 720}},
        },
        "resolution": {"via": "aspect_ratio"},
        "image": {"to": "$.image_url", "upload_to": "$.image_id"},
        "audio": {"upload_to": "$.audio", "also": {"$.audio_source": "file"}},
        "fps": {"to": "$.fps", "limits": {"maximum": 30}},
    },
    "notes": "a note",
}


def spec_with(inputs: Any, *, second: Any = None) -> Spec:
    paths: dict[str, Any] = {"/videos": {"post": {"operationId": "create_video", INPUTS_EXTENSION: inputs}}}
    paths["/videos/{id}"] = {"get": {"operationId": "get_video"}}
    if second is not None:
        paths["/quick"] = {"post": {"operationId": "quick_video", INPUTS_EXTENSION: second}}
    return Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}, "tiny")


def test_every_field_is_read_typed() -> None:
    extension = InputsExtension.of(spec_with(FULL).operation("create_video"))
    assert extension.operation == "create_video"
    assert extension.preferred is True
    assert extension.required == ("prompt",)
    assert extension.defaults == {"$.outputs[*].format": "mp4"}
    assert extension.notes == "a note"
    assert list(extension.inputs) == ["prompt", "duration", "aspect_ratio", "resolution", "image", "audio", "fps"]
    prompt = extension.inputs["prompt"]
    assert prompt.to == JSONPath.parse("$.script.text") and prompt.upload_to is None and prompt.kind is None
    duration = extension.inputs["duration"]
    assert duration.kind == "scale" and duration.convert == {"kind": "scale", "factor": 1000, "integer": True}
    assert extension.inputs["aspect_ratio"].to is None and extension.inputs["aspect_ratio"].kind == "size"
    assert extension.inputs["resolution"].via == "aspect_ratio"
    image = extension.inputs["image"]
    assert (str(image.to), str(image.upload_to)) == ("$.image_url", "$.image_id")
    assert extension.inputs["audio"].also == {"$.audio_source": "file"}
    assert extension.inputs["fps"].limits == {"maximum": 30}
    assert extension.inputs["fps"].also == {} and extension.inputs["fps"].via is None


def test_what_is_left_out_takes_its_default() -> None:
    extension = InputsExtension.of(spec_with({"inputs": {"prompt": {"to": "$.prompt"}}}).operation("create_video"))
    assert (extension.preferred, extension.required, dict(extension.defaults), extension.notes) == (False, (), {}, "")


def test_an_operation_without_the_extension_is_refused_by_name() -> None:
    with pytest.raises(SpecError, match="get_video has no x-reelforge-inputs") as raised:
        InputsExtension.of(spec_with(FULL).operation("get_video"))
    assert raised.value.pointer.endswith("/paths/~1videos~1{id}/get/x-reelforge-inputs")


@pytest.mark.parametrize(
    ("change", "message", "where"),
    [
        ({"inputs": {"colour": {"to": "$.c"}}}, "'colour' is not a common input", "/inputs/colour"),
        ({"inputs": {"prompt": "$.prompt"}}, "a rule is an object", "/inputs/prompt"),
        ({"inputs": {"prompt": {"to": "$.a[?@.b]"}}}, "leaves the simple JSONPath subset", "/inputs/prompt/to"),
        ({"inputs": {"image": {"upload_to": "image_id"}}}, "starts with '$'", "/inputs/image/upload_to"),
        ({"required": ["seed"], "inputs": {"prompt": {"to": "$.p"}}}, "'seed' is required but not mapped", "/required"),
    ],
)
def test_a_bad_extension_is_a_spec_error_at_its_place(change: dict[str, Any], message: str, where: str) -> None:
    inputs = {**copy.deepcopy(FULL), **change}
    with pytest.raises(SpecError, match=re.escape(message)) as raised:
        InputsExtension.of(spec_with(inputs).operation("create_video"))
    assert raised.value.pointer.endswith(f"/x-reelforge-inputs{where}")


def test_all_in_reads_every_operation_with_the_extension_in_document_order() -> None:
    spec = spec_with(FULL, second={"inputs": {"prompt": {"to": "$.p"}}})
    assert [e.operation for e in InputsExtension.all_in(spec)] == ["create_video", "quick_video"]


def test_the_names_are_the_contracts() -> None:
    assert COMMON_INPUTS[:3] == ("prompt", "negative_prompt", "duration") and COMMON_INPUTS[-1] == "count"
    assert len(set(COMMON_INPUTS)) == len(COMMON_INPUTS) == 14
    assert set(MEDIA_INPUTS) <= set(COMMON_INPUTS)
    assert MEDIA_INPUTS == ("image", "end_image", "reference_images", "audio")


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_create_operation_of_the_effective_specs_says_where_the_prompt_goes(vendor: str) -> None:
    path = REPO / "generated" / vendor / "openapi.json"
    spec = Spec(parse_document(path.read_text(encoding="utf-8"), str(path)), f"generated/{vendor}/openapi.json")
    creates = [op.operation_id for op in spec.operations() if op.extension(JOB_EXTENSION) is not None]
    extensions = InputsExtension.all_in(spec)
    assert [e.operation for e in extensions] == creates
    for extension in extensions:
        assert "prompt" in extension.inputs and "prompt" in extension.required
        for text in extension.defaults:
            JSONPath.parse(text)
