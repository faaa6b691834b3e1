"""Schema branches, merged allOf, the schemas along a JSONPath, and validation, on tiny inline documents."""

from __future__ import annotations

from typing import Any

import pytest

from reelforge.specs import JSONPath, Spec, merge_schemas

SCHEMAS: dict[str, Any] = {
    "Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    "Sized": {"required": ["size"], "properties": {"size": {"type": "integer"}}},
    "Video": {
        "allOf": [{"$ref": "#/components/schemas/Named"}, {"$ref": "#/components/schemas/Sized"}],
        "properties": {
            "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/Output"}},
            "state": {"oneOf": [{"type": "string", "enum": ["done"]}, {"type": "integer"}]},
        },
    },
    "Output": {"anyOf": [{"properties": {"url": {"type": "string", "format": "uri"}}}, {"type": "null"}]},
    "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}, {"$ref": "#/components/schemas/Loop"}]},
}


def spec(openapi: str = "3.1.0") -> Spec:
    return Spec({"openapi": openapi, "paths": {}, "components": {"schemas": SCHEMAS}}, "tiny.json")


def video() -> dict[str, str]:
    return {"$ref": "#/components/schemas/Video"}


def test_branches_go_through_all_of_any_of_one_of_and_refs() -> None:
    found = spec().branches(video())
    assert found[:3] == [SCHEMAS["Video"], SCHEMAS["Named"], SCHEMAS["Sized"]]
    assert len(found) == 3
    output = spec().branches({"$ref": "#/components/schemas/Output"})
    assert output == [SCHEMAS["Output"], *SCHEMAS["Output"]["anyOf"]]
    assert spec().branches(None) == []


def test_an_all_of_that_contains_itself_ends() -> None:
    assert spec().branches({"$ref": "#/components/schemas/Loop"}) == [SCHEMAS["Loop"]]
    assert spec().merged({"$ref": "#/components/schemas/Loop"}) == {}
    assert spec().schemas_at({"$ref": "#/components/schemas/Loop"}, "$.a") == []


def test_merged_unites_properties_and_required() -> None:
    merged = spec().merged(video())
    assert "allOf" not in merged
    assert merged["required"] == ["name", "size"]
    assert list(merged["properties"]) == ["outputs", "state", "name", "size"]
    assert merged["type"] == "object"


def test_merge_schemas_overrides_other_keywords() -> None:
    base = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "title": "Base"}
    extra = {"required": ["a", "b"], "properties": {"a": {"type": "integer"}}, "title": "Extra"}
    assert merge_schemas(base, extra) == {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"a": {"type": "integer"}},
        "title": "Extra",
    }
    assert base["required"] == ["a"]  # neither input changes


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", [SCHEMAS["Video"], SCHEMAS["Named"], SCHEMAS["Sized"]]),
        ("$.name", [{"type": "string"}]),  # found through the allOf
        ("$.size", [{"type": "integer"}]),
        ("$.outputs[*].url", [{"type": "string", "format": "uri"}]),
        ("$.outputs[0].url", [{"type": "string", "format": "uri"}]),
        ("$.outputs.*", [SCHEMAS["Output"], *SCHEMAS["Output"]["anyOf"]]),
        ("$.state", [SCHEMAS["Video"]["properties"]["state"], *SCHEMAS["Video"]["properties"]["state"]["oneOf"]]),
        ("$.name.deeper", []),
        ("$.missing", []),
        ("$.outputs.url", []),
        ("$[0]", []),
    ],
)
def test_schemas_at_a_path(path: str, expected: list[Any]) -> None:
    assert spec().schemas_at(video(), path) == expected
    assert spec().schemas_at(video(), JSONPath.parse(path)) == expected
    assert spec().schema_at(video(), path) == (expected[0] if expected else None)


def test_schemas_at_of_no_schema() -> None:
    assert spec().schemas_at(None, "$") == []
    assert spec().schema_at(None, "$.a") is None


DOCUMENT_30 = {
    "openapi": "3.0.3",
    "paths": {},
    "components": {"schemas": {"Id": {"type": "string", "format": "uuid"}}},
}


@pytest.mark.parametrize(
    ("openapi", "schema", "good", "bad"),
    [
        ("3.0.3", {"type": "string", "nullable": True}, [None, "a"], [1]),
        ("3.1.0", {"type": "string", "nullable": True}, ["a"], [None]),  # nullable is no 3.1 keyword
        ("3.1.0", {"type": ["string", "null"]}, [None, "a"], [1]),
        ("3.0.3", {"type": "integer", "minimum": 2, "exclusiveMinimum": True}, [3], [2, 1]),
        ("3.0.3", {"type": "integer", "minimum": 2, "exclusiveMinimum": False}, [2], [1]),
        ("3.1.0", {"type": "integer", "exclusiveMinimum": 2}, [3], [2]),
        ("3.0.3", {"$ref": "#/components/schemas/Id"}, ["3f2c7a8e-5b1d-4c6e-9a0f-1d2e3f4a5b6c"], ["not-a-uuid", 5]),
        ("3.1.0", {"type": "string", "format": "date-time"}, ["2026-01-01T12:00:00Z"], ["yesterday"]),
        ("3.0.3", {"type": "string", "format": "email"}, ["user@example.com"], ["no at sign"]),
    ],
)
def test_validation_in_the_documents_dialect(openapi: str, schema: Any, good: list[Any], bad: list[Any]) -> None:
    reader = Spec({**DOCUMENT_30, "openapi": openapi})
    for instance in good:
        assert reader.is_valid(schema, instance), instance
        assert reader.errors(schema, instance) == []
    for instance in bad:
        assert not reader.is_valid(schema, instance), instance
        assert reader.errors(schema, instance)


def test_formats_can_be_left_unchecked() -> None:
    reader = Spec(DOCUMENT_30)
    assert reader.validator({"$ref": "#/components/schemas/Id"}, formats=False).is_valid("not-a-uuid")


def test_errors_give_the_instance_pointer_and_the_message() -> None:
    schema = {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}},
            "a/b": {"type": "integer"},
        },
    }
    errors = Spec(DOCUMENT_30).errors(schema, {"items": ["3f2c7a8e-5b1d-4c6e-9a0f-1d2e3f4a5b6c", 7], "a/b": "x"})
    assert errors == [("/a~1b", "'x' is not of type 'integer'"), ("/items/1", "7 is not of type 'string'")]
    assert Spec(DOCUMENT_30).errors(schema, {}) == [("", "'items' is a required property")]


def test_a_validator_is_kept_for_its_schema_and_only_for_it() -> None:
    spec = Spec({"openapi": "3.1.0", "components": {"schemas": {"N": {"type": "integer"}}}})
    schema = {"$ref": "#/components/schemas/N"}
    first = spec.validator(schema)
    assert spec.validator(schema) is first
    assert spec.validator({"$ref": "#/components/schemas/N"}) is not first  # an equal schema, another object
    assert spec.validator(schema, formats=False) is not first
    assert spec.is_valid(schema, 3) and not spec.is_valid(schema, "3")  # a kept validator still answers right
