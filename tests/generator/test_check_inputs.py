"""The pipeline's check of x-reelforge-inputs: one small spec per rule, each refused for exactly its reason, and the
five real effective specs accepted."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.check_inputs import check_inputs
from generator.errors import PipelineError
from reelforge.specs import Spec
from tests.support import REPO, VENDORS

_BODY = {
    "type": "object",
    "required": ["prompt", "outputs"],
    "properties": {
        "prompt": {"type": "string"},
        "duration_ms": {"type": "integer", "maximum": 10000},
        "ratio": {"type": "string", "enum": ["wide", "tall"]},
        "outputs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["format"],
                "properties": {"format": {"type": "string", "enum": ["mp4"]}, "fps": {"type": "string"}},
            },
        },
        "image_url": {"type": "string"},
        "moments": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}}}},
    },
}
_GOOD: dict[str, Any] = {
    "required": ["prompt"],
    "defaults": {"$.outputs[*].format": "mp4"},
    "inputs": {
        "prompt": {"to": "$.prompt"},
        "duration": {"to": "$.duration_ms", "convert": {"kind": "scale", "factor": 1000, "integer": True}},
        "aspect_ratio": {"to": "$.ratio", "convert": {"kind": "table", "values": {"16:9": "wide", "9:16": "tall"}}},
        "fps": {"to": "$.outputs[*].fps", "convert": {"kind": "string"}},
        "count": {"to": "$.outputs", "convert": {"kind": "count"}},
        "image": {"to": "$.image_url"},
    },
}


def _spec(inputs: Any, *, job: bool = True, upload: bool = False, body_requires: tuple[str, ...] = ()) -> Spec:
    body: dict[str, Any] = copy.deepcopy(_BODY)
    body["required"] = [*body["required"], *body_requires]
    create: dict[str, Any] = {
        "operationId": "create_video",
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "ok"}},
        "x-reelforge-inputs": inputs,
    }
    if job:
        create["x-reelforge-job"] = {"status_operation": "get_video"}  # only its presence matters here
    paths: dict[str, Any] = {"/videos": {"post": create}}
    if upload:
        paths["/files"] = {
            "post": {
                "operationId": "upload_file",
                "responses": {"200": {"description": "ok"}},
                "x-reelforge-upload": {"style": "multipart", "field": "file", "url": "$.url"},
            }
        }
    return Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}, "tiny")


def _with(**changes: Any) -> dict[str, Any]:
    inputs = copy.deepcopy(_GOOD)
    for key, value in changes.items():
        if key.startswith("input_"):
            name = key.removeprefix("input_")
            if value is None:
                inputs["inputs"].pop(name)
            else:
                inputs["inputs"][name] = value
        else:
            inputs[key] = value
    return inputs


def test_a_good_extension_passes() -> None:
    check_inputs(_spec(_GOOD))


@pytest.mark.parametrize(
    ("inputs", "kwargs", "message"),
    [
        (_with(input_colour={"to": "$.prompt"}), {}, "'colour' is not one of"),
        (_with(input_prompt={"to": "prompt"}), {}, "does not match '^\\\\$'"),
        (_GOOD, {"job": False}, "has no x-reelforge-job"),
        (_with(input_prompt={"to": "$.outputs[?@.fps]"}), {}, "leaves the simple JSONPath subset"),
        (_with(input_seed={"to": "$.seed"}), {}, "$.seed names no property"),
        (_with(defaults={"$.outputs[*].codec": "h264"}), {}, "names no property"),
        (_with(input_count={"to": "$.prompt", "convert": {"kind": "count"}}), {}, "a count sizes an array"),
        (
            _with(input_prompt={"to": "$.moments[0].text", "convert": {"kind": "split", "max_length": 10}}),
            {},
            "needs [*]",
        ),
        (_with(input_fps={"to": "$.outputs", "convert": {"kind": "count"}}), {}, "does not apply to fps"),
        # A whole-number sample would pass validation; the type rule sees that 5.5 seconds could not.
        (_with(input_duration={"to": "$.duration_ms"}), {}, "is integer in the request body, but duration unconverted"),
        (
            _with(input_reference_images={"upload_to": "$.image_url"}),
            {"upload": True},
            "$.image_url is string in the request body, but reference_images unconverted is array",
        ),
        (_with(input_image={"upload_to": "$.image_url"}), {}, "no upload flow that takes local files"),
        (_with(input_seed={"upload_to": "$.prompt"}), {"upload": True}, "seed is no media input"),
        (_with(input_resolution={"via": "aspect_ratio"}), {}, "not a mapped input with a size converter"),
        (_with(required=["prompt", "seed"]), {}, "'seed' is required but not mapped"),
        (_with(defaults={"$.outputs[*].format": "webm"}), {}, "does not validate"),
        # Every input set, the body is whole; the prompt alone leaves out a field the body requires.
        (_GOOD, {"body_requires": ("duration_ms",)}, "the body built from the required inputs alone does not"),
        # A converter whose output the body refuses: a fraction for an integer, a value outside the enum.
        (_with(input_duration={"to": "$.duration_ms", "convert": {"kind": "scale", "factor": 0.001}}), {}, "integer"),
        (
            _with(input_aspect_ratio={"to": "$.ratio", "convert": {"kind": "table", "values": {"16:9": "square"}}}),
            {},
            "'square' is not one of",
        ),
    ],
)
def test_each_rule_refuses_what_it_is_for(inputs: dict[str, Any], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        check_inputs(_spec(inputs, **kwargs))
    assert message in str(raised.value)
    assert "x-reelforge-inputs" in str(raised.value)


def test_an_upload_flow_makes_upload_to_valid() -> None:
    check_inputs(_spec(_with(input_image={"to": "$.image_url", "upload_to": "$.image_url"}), upload=True))


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_effective_specs_pass(vendor: str) -> None:
    document = json.loads((REPO / "generated" / vendor / "openapi.json").read_text(encoding="utf-8"))
    spec = Spec(document, vendor)
    check_inputs(spec)
    assert any("x-reelforge-inputs" in op.node for op in spec.operations())
