"""parse_document: YAML and JSON read with string keys, duplicates refused, errors naming the source."""

from __future__ import annotations

import re

import pytest

from reelforge.specs import DocumentError, parse_document


def test_yaml_keys_stay_the_strings_their_author_wrote() -> None:
    text = "responses:\n  200: {description: OK}\n  2XX: {}\non: 1\nno: yes\n1.0: x\nnull: ~\n"
    document = parse_document(text, "tiny.yaml")
    assert document == {
        "responses": {"200": {"description": "OK"}, "2XX": {}},
        "on": 1,
        "no": True,
        "1.0": "x",
        "null": None,
    }
    assert all(isinstance(key, str) for key in [*document, *document["responses"]])


def test_json_takes_the_fast_path_and_keeps_its_types() -> None:
    assert parse_document(' {"200": [1, 2.5, true, null], "a": "\\u00e9"}', "tiny.json") == {
        "200": [1, 2.5, True, None],
        "a": "é",
    }


def test_yaml_flow_style_that_is_not_json_still_reads() -> None:
    assert parse_document("{a: 1, 200: [x]}", "flow.yaml") == {"a": 1, "200": ["x"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paths:\n  /a: {}\n  /a: {}\n", "dup.yaml: not valid YAML or JSON: .*duplicate mapping key '/a'"),
        ("a: {200: 1, '200': 2}\n", "duplicate mapping key '200'"),
        ('{"a": 1, "b": {"c": 2, "c": 3}}', "dup.yaml: duplicate key 'c' in an object"),
    ],
)
def test_duplicate_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        parse_document(text, "dup.yaml")


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: b: c\n", '{"a": 1,,}', "? [1, 2]\n: x\n", "\tkey: value\n"])
def test_broken_text_is_a_document_error_naming_the_source(text: str) -> None:
    with pytest.raises(DocumentError, match="^" + re.escape("overlays/x/10-a.yaml: not valid YAML or JSON: ")):
        parse_document(text, "overlays/x/10-a.yaml")
