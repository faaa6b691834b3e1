"""reelforge.mapping on the real effective specs and on a tiny two-operation spec: the converters that shape a body
(size, split, count), options over defaults, refusals, choosing the operation, and limits in the input's units."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reelforge.catalog import spec_of
from reelforge.mapping import MappingError, MediaValue, NoOperation, accepted, build_body, choose_operation
from reelforge.specs import JSONPath, Spec

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


# --- every vendor's mapped inputs, converted as its spec says ----------------------------------------------------

URL = "https://example.com/start.png"
UPLOADED = MediaValue(url=None, reference="api-assets/id/start.png", local=True)
ASSET = MediaValue(url=None, reference="0d5b3a2c-71e4-4f6a-b8c9-3a1e5f7d2b64", local=True)


def _remote(url: str = URL) -> MediaValue:
    return MediaValue(url=url, reference=None, local=False)


# (vendor, operation, the common inputs set, what the body holds at each JSONPath)
_ARRIVALS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "hedra",
        "create_generation",
        {
            "prompt": "A fox",
            "negative_prompt": "rain",
            "duration": 5.5,
            "aspect_ratio": "9:16",
            "resolution": "720p",
            "seed": 7,
            "image": _remote(),
            "end_image": ASSET,
            "reference_images": [ASSET],
            "audio": ASSET,
            "count": 3,
        },
        {
            "$.generated_video_inputs.text_prompt": "A fox",
            "$.negative_prompt": "rain",
            "$.generated_video_inputs.duration_ms": 5500,  # seconds -> milliseconds, an integer
            "$.generated_video_inputs.aspect_ratio": "9:16",
            "$.generated_video_inputs.resolution": "720p",
            "$.seed": 7,
            "$.start_keyframe_url": URL,
            "$.end_keyframe_id": ASSET.reference,
            "$.reference_image_ids": [ASSET.reference],
            "$.audio_id": ASSET.reference,
            "$.batch_size": 3,
        },
    ),
    (
        "hera",
        "create_video",
        {
            "prompt": "A fox",
            "duration": 8,
            "aspect_ratio": "1:1",
            "resolution": "720p",
            "fps": 24,
            "count": 2,
            "image": _remote(),
            "reference_images": [_remote("https://example.com/a.png"), _remote("https://example.com/b.png")],
        },
        {
            "$.prompt": "A fox",
            "$.duration_seconds": 8,
            "$.outputs": [{"format": "mp4", "aspect_ratio": "1:1", "fps": "24", "resolution": "720p"}] * 2,
            "$.reference_image_url": URL,
            "$.reference_image_urls": ["https://example.com/a.png", "https://example.com/b.png"],
        },
    ),
    (
        "magichour",
        "create_animation",
        {
            "prompt": "A fox",
            "duration": 4,
            "fps": 24,
            "aspect_ratio": "9:16",
            "resolution": "480p",
            "image": UPLOADED,
            "audio": _remote("https://example.com/song.mp3"),
        },
        {
            "$.style.prompt": "A fox",
            "$.style.prompt_type": "custom",
            "$.end_seconds": 4.0,
            "$.fps": 24,
            "$.width": 480,
            "$.height": 854,  # 480 * 16 / 9 = 853.3, to the nearest even number
            "$.assets.image_file_path": UPLOADED.reference,
            "$.assets.audio_file_path": "https://example.com/song.mp3",
            "$.assets.audio_source": "file",
        },
    ),
    (
        "argil",
        "create_video",
        {"prompt": "Hello there.", "avatar": AVATAR, "voice": "v-1", "aspect_ratio": "9:16"},
        {
            "$.moments": [{"transcript": "Hello there.", "avatarId": AVATAR, "voiceId": "v-1"}],
            "$.aspectRatio": "9:16",
            "$.name": "Hello from reelforge",
        },
    ),
    (
        "oxen",
        "enqueue_generation",
        {"prompt": "A fox", "duration": 6.0, "aspect_ratio": "16:9", "seed": 3, "image": _remote()},
        {
            "$.prompt": "A fox",
            "$.duration": 6,  # an integer field: 6.0 seconds is sent as 6
            "$.aspect_ratio": "16:9",
            "$.seed": 3,
            "$.input_image": URL,
            "$.model": "wan-2.2-t2v-fast",
            "$.num_generations": 1,
        },
    ),
]


@pytest.mark.parametrize(("vendor", "operation", "values", "expected"), _ARRIVALS, ids=[a[0] for a in _ARRIVALS])
def test_every_mapped_input_arrives_converted_and_the_body_is_valid(
    vendor: str, operation: str, values: dict[str, Any], expected: dict[str, Any]
) -> None:
    spec = spec_of(vendor)
    built = build_body(spec, operation, values)
    assert built.unsupported == ()
    for path, value in expected.items():
        found = JSONPath.parse(path).find(built.body)
        assert found == [value], f"{vendor}: {path} holds {found}, not {value!r}"
        assert type(found[0]) is type(value), f"{vendor}: {path} is a {type(found[0]).__name__}"
    assert spec.errors(spec.operation(operation).request_schema(), built.body) == []
    # Every input the operation maps is used by this test, so a newly mapped input needs a line here.
    assert sorted(values) == sorted(accepted(spec, operation).accepted)


def test_a_url_where_only_an_upload_fits_and_a_file_where_none_can_go_are_reported() -> None:
    built = build_body(spec_of("hedra"), "create_generation", {"prompt": "A fox", "audio": _remote()})
    assert [u.input for u in built.unsupported] == ["audio"] and "local file" in built.unsupported[0].reason
    assert "audio_id" not in built.body
    local = MediaValue(url=None, reference=None, local=True)
    built = build_body(spec_of("oxen"), "enqueue_generation", {"prompt": "A fox", "image": local})
    assert [u.input for u in built.unsupported] == ["image"] and "https URL" in built.unsupported[0].reason
    assert "input_image" not in built.body


def test_options_override_a_mapped_input_and_a_default() -> None:
    values = {"prompt": "A fox", "duration": 5}
    options = {"duration": 9, "model": "another-model"}
    body = build_body(spec_of("oxen"), "enqueue_generation", values, options).body
    assert (body["duration"], body["model"], body["prompt"]) == (9, "another-model", "A fox")


def _inline(inputs: dict[str, Any], body: dict[str, Any]) -> Spec:
    create = {
        "operationId": "create",
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "ok"}},
        "x-reelforge-inputs": {"inputs": inputs},
    }
    return Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/v": {"post": create}}}, "t")


_TABLE_SPEC = _inline(
    {
        "aspect_ratio": {
            "to": "$.shape",
            "convert": {"kind": "table", "values": {"16:9": "landscape", "9:16": "tall"}},
        },
        "duration": {"to": "$.duration_ms", "convert": {"kind": "scale", "factor": 1000, "integer": True}},
    },
    {
        "type": "object",
        "properties": {
            "shape": {"type": "string", "enum": ["landscape", "square"]},
            "duration_ms": {"type": "integer", "minimum": 500, "maximum": 10000},
        },
    },
)


def test_a_table_spells_the_value_as_the_vendor_does_and_refuses_the_rest_by_name() -> None:
    assert build_body(_TABLE_SPEC, "create", {"aspect_ratio": "16:9"}).body == {"shape": "landscape"}
    with pytest.raises(MappingError) as raised:
        build_body(_TABLE_SPEC, "create", {"aspect_ratio": "4:3"})
    assert (raised.value.input, raised.value.value) == ("aspect_ratio", "4:3")
    assert "16:9, 9:16" in raised.value.rule and "aspect_ratio='4:3'" in str(raised.value)


def test_limits_of_a_converted_input_are_given_back_in_its_units() -> None:
    limits = accepted(_TABLE_SPEC, "create").limits
    assert limits["duration"] == {"minimum": 0.5, "maximum": 10.0}  # milliseconds in the body, seconds here
    assert limits["aspect_ratio"] == {"enum": ["16:9"]}  # 9:16 spells "tall", which the body does not take


def test_the_queue_is_oxens_create_operation_and_a_request_it_cannot_take_says_so() -> None:
    assert choose_operation(spec_of("oxen"), {"prompt": "A fox", "seed": 1}) == "enqueue_generation"
    with pytest.raises(NoOperation) as raised:
        choose_operation(spec_of("oxen"), {"prompt": "A fox", "fps": 30})
    assert "enqueue_generation accepts prompt, duration, aspect_ratio, seed, image; requires prompt" in str(
        raised.value
    )
