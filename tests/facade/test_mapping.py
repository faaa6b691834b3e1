"""reelforge.mapping on the real effective specs and on a tiny two-operation spec: the converters that shape a body
(size, split, count), options over defaults, refusals, choosing the operation, and limits in the input's units."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reelforge.catalog import spec_of
from reelforge.mapping import MappingError, NoOperation, accepted, build_body, choose_operation
from reelforge.specs import Spec

AVATAR = "3f2b7c1e-9d4a-4e8b-a6c5-1b2d3e4f5a60"


@pytest.mark.parametrize(
    ("aspect_ratio", "resolution", "size"),
    [
        ("16:9", "720p", (1280, 720)),
        ("9:16", "1080p", (1080, 1920)),
        ("4:3", "480p", (640, 480)),
        ("1:1", None, (720, 720)),
    ],
)
def test_an_aspect_ratio_and_resolution_become_a_width_and_height(
    aspect_ratio: str, resolution: str | None, size: tuple[int, int]
) -> None:
    values = {"prompt": "A fox", "aspect_ratio": aspect_ratio, "resolution": resolution}
    body = build_body(spec_of("magichour"), "create_animation", values).body
    assert (body["width"], body["height"]) == size


def test_a_resolution_alone_sizes_the_default_aspect_ratio() -> None:
    body = build_body(spec_of("magichour"), "create_animation", {"prompt": "A fox", "resolution": "1080p"}).body
    assert (body["width"], body["height"]) == (1920, 1080)


def test_a_long_script_is_split_into_moments_at_sentence_ends() -> None:
    sentences = [f"Sentence number {n} tells a little more of the story of the fox in the snow." for n in range(12)]
    script = " ".join(sentences)
    body = build_body(spec_of("argil"), "create_video", {"prompt": script, "avatar": AVATAR, "voice": "v-1"}).body
    moments = body["moments"]
    assert len(moments) > 1
    assert all(len(m["transcript"]) <= 250 for m in moments)
    assert " ".join(m["transcript"] for m in moments) == script
    assert all(m["transcript"].endswith(".") for m in moments)  # cut between sentences, not inside one
    assert all(m["avatarId"] == AVATAR and m["voiceId"] == "v-1" for m in moments)


def test_a_sentence_longer_than_a_moment_is_cut_at_spaces() -> None:
    script = " ".join(["word"] * 120)  # 599 characters, no sentence end
    moments = build_body(spec_of("argil"), "create_video", {"prompt": script, "avatar": AVATAR}).body["moments"]
    assert [len(m["transcript"]) <= 250 for m in moments] == [True] * 3
    assert " ".join(m["transcript"] for m in moments) == script


def test_count_makes_that_many_outputs_each_with_the_common_settings() -> None:
    values = {"prompt": "A fox", "count": 3, "fps": 60, "aspect_ratio": "9:16"}
    outputs = build_body(spec_of("hera"), "create_video", values).body["outputs"]
    assert outputs == [{"format": "mp4", "aspect_ratio": "9:16", "fps": "60", "resolution": "1080p"}] * 3


def test_options_are_merged_over_defaults_and_inputs() -> None:
    options = {"style": {"art_style": "Cyberpunk"}, "name": "mine"}
    body = build_body(spec_of("magichour"), "create_animation", {"prompt": "A fox"}, options).body
    assert body["style"]["art_style"] == "Cyberpunk"
    assert body["style"]["prompt"] == "A fox" and body["style"]["camera_effect"] == "Simple Zoom In"
    assert body["name"] == "mine"


def test_an_input_the_operation_does_not_take_is_reported_not_dropped_silently() -> None:
    built = build_body(spec_of("oxen"), "enqueue_generation", {"prompt": "A fox", "negative_prompt": "rain", "fps": 30})
    assert [(u.input, "enqueue_generation does not take" in u.reason) for u in built.unsupported] == [
        ("negative_prompt", True),
        ("fps", True),
    ]
    assert "negative_prompt" not in built.body and "fps" not in built.body


@pytest.mark.parametrize(
    ("vendor", "operation", "values", "input_name"),
    [
        ("magichour", "create_animation", {"prompt": "A fox", "aspect_ratio": "wide"}, "aspect_ratio"),
        ("magichour", "create_animation", {"prompt": "A fox", "resolution": "8k"}, "resolution"),
        ("hera", "create_video", {"prompt": "A fox", "count": 0}, "count"),
        ("argil", "create_video", {"prompt": "   ", "avatar": AVATAR}, "prompt"),
        ("oxen", "enqueue_generation", {"prompt": "A fox", "duration": 2.5}, "duration"),
    ],
)
def test_a_value_no_converter_can_convert_names_the_input(
    vendor: str, operation: str, values: dict[str, Any], input_name: str
) -> None:
    with pytest.raises(MappingError) as raised:
        build_body(spec_of(vendor), operation, values)
    assert raised.value.input == input_name
    assert repr(values[input_name]) in str(raised.value)


def test_limits_are_reported_in_the_inputs_own_units() -> None:
    hera = accepted(spec_of("hera"), "create_video")
    assert hera.limits["duration"] == {"minimum": 1, "maximum": 120}
    assert hera.limits["fps"]["enum"] == [24, 25, 30, 60]
    assert hera.limits["count"] == {"minimum": 1, "maximum": 10}
    assert accepted(spec_of("hedra"), "create_generation").limits["count"] == {"minimum": 1, "maximum": 8}
    assert accepted(spec_of("argil"), "create_video").required == ("prompt", "avatar")


def _two_operations() -> Spec:
    def create(operation_id: str, inputs: dict[str, Any], preferred: bool) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}},
            "x-reelforge-inputs": {"preferred": preferred, "required": ["prompt"], "inputs": copy.deepcopy(inputs)},
        }

    paths = {
        "/quick": {"post": create("quick", {"prompt": {"to": "$.prompt"}}, False)},
        "/full": {"post": create("full", {"prompt": {"to": "$.p"}, "seed": {"to": "$.seed"}}, True)},
        "/image": {"post": create("image", {"prompt": {"to": "$.p"}, "image": {"to": "$.image"}}, False)},
    }
    return Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}, "tiny")


def test_the_preferred_operation_wins_then_the_one_that_takes_the_inputs() -> None:
    spec = _two_operations()
    assert choose_operation(spec, {"prompt": "x"}) == "full"
    assert choose_operation(spec, {"prompt": "x", "image": "https://example.com/a.png"}) == "image"
    assert choose_operation(spec, {"prompt": "x"}, "quick") == "quick"


def test_when_nothing_fits_the_error_says_what_each_operation_takes() -> None:
    with pytest.raises(NoOperation) as raised:
        choose_operation(_two_operations(), {"prompt": "x", "seed": 1, "image": "https://example.com/a.png"})
    message = str(raised.value)
    assert "quick accepts prompt; requires prompt" in message
    assert "full accepts prompt, seed" in message and "image accepts prompt, image" in message


def test_an_operation_that_is_no_create_operation_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no operation has operationId 'nope'"):
        choose_operation(_two_operations(), {"prompt": "x"}, "nope")
    with pytest.raises(ValueError, match="list_models is not a create operation"):
        choose_operation(spec_of("oxen"), {"prompt": "x"}, "list_models")
