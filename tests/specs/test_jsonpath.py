"""The JSONPath subset: parse, render, find and set; and agreement with an RFC 9535 implementation."""

from __future__ import annotations

from typing import Any

import jsonpath_rfc9535
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelforge.specs import JSONPath, JSONPathError, Step


@pytest.mark.parametrize(
    ("text", "steps", "canonical"),
    [
        ("$", (), "$"),
        ("$.name", (Step(name="name"),), "$.name"),
        ("$._a1", (Step(name="_a1"),), "$._a1"),
        ("$['odd key']", (Step(name="odd key"),), "$['odd key']"),
        ('$["q"]', (Step(name="q"),), "$.q"),
        ("$[ 'spaced' ]", (Step(name="spaced"),), "$.spaced"),
        ("$['a-b']", (Step(name="a-b"),), "$['a-b']"),  # "-" is no shorthand name in RFC 9535
        ("$['1st']", (Step(name="1st"),), "$['1st']"),
        ("$['']", (Step(name=""),), "$['']"),
        ("$['it\\'s']", (Step(name="it's"),), "$['it\\'s']"),
        ('$["it\'s"]', (Step(name="it's"),), "$['it\\'s']"),
        ("$['tab\\there']", (Step(name="tab\there"),), "$['tab\\there']"),
        ("$['\\u00e9\\ud83d\\ude00']", (Step(name="é\U0001f600"),), "$['é\U0001f600']"),
        ("$[0]", (Step(index=0),), "$[0]"),
        ("$[-1]", (Step(index=-1),), "$[-1]"),
        ("$[*]", (Step(wildcard=True),), "$[*]"),
        ("$.*", (Step(wildcard=True),), "$[*]"),
        (
            "$.outputs[*].file_url",
            (Step(name="outputs"), Step(wildcard=True), Step(name="file_url")),
            "$.outputs[*].file_url",
        ),
        ("$.generations[0].generation_id", (Step("generations"), Step(index=0), Step("generation_id")), None),
    ],
)
def test_parse_every_step_form(text: str, steps: tuple[Step, ...], canonical: str | None) -> None:
    path = JSONPath.parse(text)
    assert path.steps == steps
    assert str(path) == (canonical or text)
    assert JSONPath.parse(str(path)) == path  # the canonical text reads back the same


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("$..a", 1),
        ("$.a[?@.b]", 3),
        ("$.a[0:2]", 3),
        ("$['a','b']", 1),
        ("$[0,1]", 1),
        ("$.a-b", 3),
        ("$[01]", 1),
        ("$[-0]", 1),
        ("$['a\nb']", 1),  # a control character must be escaped
        ("$['a\\\"']", 1),  # \" is no escape inside single quotes
        ("$.a.", 3),
        ("$ .a", 1),
        ("$.1a", 1),
    ],
)
def test_the_subset_refuses_the_rest_naming_the_position(text: str, position: int) -> None:
    with pytest.raises(JSONPathError, match=f"at position {position} "):
        JSONPath.parse(text)


@pytest.mark.parametrize("text", ["a.b", "", ".a", 7, None])
def test_a_path_starts_with_a_dollar(text: Any) -> None:
    with pytest.raises(JSONPathError, match="starts with '\\$'"):
        JSONPath.parse(text)


def test_an_index_beyond_i_json_and_a_half_surrogate_are_refused() -> None:
    with pytest.raises(JSONPathError, match="too large"):
        JSONPath.parse("$[9007199254740992]")
    assert JSONPath.parse("$[9007199254740991]").steps == (Step(index=2**53 - 1),)
    with pytest.raises(JSONPathError, match="surrogate"):
        JSONPath.parse("$['\\ud83d']")


def test_helpers_of_a_path() -> None:
    path = JSONPath.parse("$.a[*].b.c")
    assert path.split_at_wildcard() == (JSONPath.parse("$.a"), JSONPath.parse("$.b.c"))
    assert JSONPath.parse("$.a.b").split_at_wildcard() is None
    assert not path.is_singular and JSONPath.parse("$.a[0]").is_singular
    assert path.last_name == "c"
    assert JSONPath.parse("$.a[0]").last_name is None and JSONPath.parse("$").last_name is None
    assert str(path.head(2)) == "$.a[*]"
    assert JSONPath.parse("$.a") / Step(index=0) / JSONPath.parse("$['x y']") == JSONPath.parse("$.a[0]['x y']")


BODY: Any = {"downloads": [{"url": "u1"}, {"url": "u2"}, {}], "status": "complete", "meta": {"a": 1, "b": [2]}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$", [BODY]),
        ("$.downloads[*].url", ["u1", "u2"]),
        ("$.downloads[1].url", ["u2"]),
        ("$.downloads[-3].url", ["u1"]),
        ("$.downloads[-4].url", []),
        ("$.downloads[3]", []),
        ("$.status", ["complete"]),
        ("$.missing.deeper", []),
        ("$.status.length", []),  # a member of a string
        ("$.status[0]", []),  # an index into a string
        ("$.downloads.url", []),  # a member of an array
        ("$.meta[0]", []),  # an index into an object
        ("$.meta.*", [1, [2]]),  # a wildcard on an object gives its member values, as RFC 9535 says
    ],
)
def test_find(text: str, expected: list[Any]) -> None:
    path = JSONPath.parse(text)
    assert path.find(BODY) == expected
    assert path.first(BODY, "none") == (expected[0] if expected else "none")


@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        ({}, "$.a.b", {"a": {"b": "N"}}),
        ({"a": {"b": 1, "c": 2}}, "$.a.b", {"a": {"b": "N", "c": 2}}),
        ({"a": [{"b": 1}, {"b": 2}]}, "$.a[0].b", {"a": [{"b": "N"}, {"b": 2}]}),
        ({"a": [{"b": 1}, {"b": 2}]}, "$.a[-1].b", {"a": [{"b": 1}, {"b": "N"}]}),
        ({"a": []}, "$.a[0].b", {"a": [{"b": "N"}]}),
        ({"a": []}, "$.a[-1]", {"a": ["N"]}),
        ({}, "$.a[0].b", {"a": [{"b": "N"}]}),
        ({}, "$.a[0][0]", {"a": [["N"]]}),
        ({"a": [{"b": 1}, {"c": 2}]}, "$.a[*].b", {"a": [{"b": "N"}, {"c": 2, "b": "N"}]}),
        ({"a": []}, "$.a[*].b", {"a": [{"b": "N"}]}),
        ({"a": [1, 2]}, "$.a[*]", {"a": ["N", "N"]}),
        ({"a": [None]}, "$.a[0].b", {"a": [{"b": "N"}]}),
        ({"a": None}, "$.a.b", {"a": {"b": "N"}}),
        ({}, "$['odd key'].x", {"odd key": {"x": "N"}}),
    ],
)
def test_set_creates_what_is_missing_on_the_way(value: Any, text: str, expected: Any) -> None:
    path = JSONPath.parse(text)
    result = path.set(value, "N")
    assert result == expected
    assert result is value
    assert path.find(result) and all(node == "N" for node in path.find(result))


def test_set_at_the_root_gives_the_new_value() -> None:
    assert JSONPath.parse("$").set({"a": 1}, [1]) == [1]


@pytest.mark.parametrize(
    ("value", "text", "message"),
    [
        ({"a": 1}, "$.a.b", "member 'b' of a value that is not an object"),
        ([], "$.a", "member 'a' of a value that is not an object"),
        ({"a": {}}, "$.a[0]", "not an array"),
        ({"a": [1]}, "$.a[0].b", "not an object"),
        ({}, "$.*", "not an array"),
        ({"a": [1]}, "$.a[3]", "index 3 is outside an array of 1 items"),
        ({"a": [1]}, "$.a[-2]", "index -2 is outside"),
        ({"a": []}, "$.a[1]", "index 1 is outside an array of 0 items"),
    ],
)
def test_set_refuses_wrong_kinds_and_indexes_out_of_range(value: Any, text: str, message: str) -> None:
    with pytest.raises(JSONPathError, match=message):
        JSONPath.parse(text).set(value, "N")


# --- agreement with RFC 9535 -------------------------------------------------------------------------------

DOCUMENTS: list[Any] = [
    BODY,
    {"a": [{"b": 1, "c": [True, None]}, {"b": {"x y": 2}}], "a-b": {"it's": 3}, "": [0], "é": {"\t": 4}},
    [[1, 2], {"0": "zero"}, [], "s"],
    {"a": {"b": {"c": [{"d": 1}, {"d": 2}, {"e": 3}]}}, "it's": ["x"]},
    "scalar",
]
NAMES = st.sampled_from(["a", "b", "c", "d", "status", "downloads", "url", "a-b", "it's", "", "é", "\t", "x y", "0"])
STEPS = st.one_of(
    NAMES.map(lambda name: Step(name=name)),
    st.integers(-4, 4).map(lambda index: Step(index=index)),
    st.just(Step(wildcard=True)),
)


def spellings(step: Step) -> list[str]:
    """Every way the subset can write a step (the canonical one first)."""
    if step.wildcard:
        return ["[*]", ".*", "[ * ]"]
    if step.index is not None:
        return [f"[{step.index}]", f"[ {step.index} ]"]
    assert step.name is not None
    forms = [step.render()]
    if not any(c in step.name for c in "'\"\\") and all(ord(c) >= 0x20 for c in step.name):
        forms += [f"['{step.name}']", f'["{step.name}"]']
    return forms


@settings(max_examples=60, deadline=None)
@given(st.lists(STEPS, max_size=4), st.integers(0, 2))
def test_every_path_is_rfc_9535_and_selects_the_same_nodes(steps: list[Step], spelling: int) -> None:
    text = "$" + "".join(spellings(step)[spelling % len(spellings(step))] for step in steps)
    path = JSONPath.parse(text)
    assert path.steps == tuple(steps)
    for written in (text, str(path)):
        compiled = jsonpath_rfc9535.compile(written)  # raises for a path outside RFC 9535
        for document in DOCUMENTS:
            assert path.find(document) == compiled.find(document).values(), (written, document)


@pytest.mark.parametrize(
    "text",
    [
        "$.status",
        "$.downloads[*].url",
        "$['a-b']['it\\'s']",
        '$["é"]["\\t"]',
        "$[0][1]",
        "$[1]['0']",
        "$.a.*.b",
        "$[-1]",
    ],
)
def test_known_paths_agree_with_rfc_9535(text: str) -> None:
    compiled = jsonpath_rfc9535.compile(text)
    for document in DOCUMENTS:
        assert JSONPath.parse(text).find(document) == compiled.find(document).values()
