from __future__ import annotations

import copy
from typing import Any

import pytest

from reelforge.sandbox.examples import example_instance
from reelforge.specs import JSONPath, Spec
from tests.sandbox._specs import VENDORS, body_schemas, document, resolve, validation_errors

ALL_BODY_SCHEMAS = [(vendor, label, ptr) for vendor in VENDORS for label, ptr in body_schemas(vendor)]
OAS30 = {"openapi": "3.0.3", "components": {"schemas": {}}}
OAS31 = {"openapi": "3.1.0", "components": {"schemas": {}}}


def _spec(vendor: str) -> Spec:
    return Spec(document(vendor), vendor)


def test_every_vendor_has_request_and_response_bodies() -> None:
    for vendor in VENDORS:
        labels = [label for v, label, _ in ALL_BODY_SCHEMAS if v == vendor]
        assert any(".request." in label for label in labels), vendor
        assert any(".2" in label for label in labels), vendor


@pytest.mark.parametrize(("vendor", "label", "ptr"), ALL_BODY_SCHEMAS, ids=[label for _, label, _ in ALL_BODY_SCHEMAS])
def test_the_example_of_every_body_schema_validates(vendor: str, label: str, ptr: str) -> None:
    schema = resolve(vendor, ptr)
    instance = example_instance(_spec(vendor), schema)
    assert validation_errors(vendor, ptr, instance) == [], instance
    assert example_instance(_spec(vendor), schema) == instance  # deterministic


def test_the_independent_validator_checks_formats_and_types() -> None:
    vendor, _, ptr = next(
        item for item in ALL_BODY_SCHEMAS if item[1] == "hedra.get_generation_status.200.application/json"
    )
    good = example_instance(_spec(vendor), resolve(vendor, ptr))
    assert validation_errors(vendor, ptr, good) == []
    assert validation_errors(vendor, ptr, {**good, "id": "not-a-uuid"})
    assert validation_errors(vendor, ptr, {**good, "status": "no-such-status"})
    assert not _spec(vendor).is_valid(resolve(vendor, ptr), {**good, "id": "not-a-uuid"})


def _schema(doc: dict[str, Any], schema: Any, **components: Any) -> tuple[dict[str, Any], Any]:
    doc = copy.deepcopy(doc)
    doc["components"]["schemas"].update(components)
    return doc, schema


@pytest.mark.parametrize(
    ("doc", "schema", "expected"),
    [
        (OAS30, {"type": "string", "nullable": True}, "string"),
        (OAS31, {"type": ["null", "integer"], "minimum": 3}, 3),
        (OAS31, {"type": "null"}, None),
        (OAS30, {"type": "string", "enum": ["b", "a"]}, "b"),
        (OAS31, {"const": "fixed"}, "fixed"),
        (OAS30, {"type": "string", "format": "uuid"}, "3f2c7a8e-5b1d-4c6e-9a0f-1d2e3f4a5b6c"),
        (OAS31, {"type": "string", "format": "date-time"}, "2026-01-01T12:00:00Z"),
        (OAS31, {"type": "string", "format": "email"}, "user@example.com"),
        (OAS30, {"type": "string", "format": "uri", "maxLength": 200}, "https://example.com/sandbox/result"),
        (OAS30, {"type": "string", "minLength": 10}, "stringxxxx"),
        (OAS30, {"type": "string", "maxLength": 3}, "str"),
        (OAS30, {"type": "string", "pattern": "^https://"}, "https://example.com/sandbox/result"),
        (OAS30, {"type": "integer", "minimum": 2, "maximum": 9}, 2),
        (OAS30, {"type": "integer", "minimum": 2, "exclusiveMinimum": True}, 3),
        (OAS31, {"type": "number", "exclusiveMinimum": 0, "maximum": 1}, 0.5),
        (OAS30, {"type": "integer", "maximum": -4}, -4),
        (OAS30, {"type": "number", "minimum": 0.7, "maximum": 1.2}, 0.7),
        (OAS30, {"type": "boolean"}, False),
        (OAS30, {"type": "array", "items": {"type": "integer"}, "minItems": 3}, [0, 0, 0]),
        (OAS30, {"type": "array", "items": {"type": "integer"}}, [0]),
        (OAS30, {"type": "array", "items": {"type": "integer"}, "maxItems": 0}, []),
        (OAS30, {"type": "string", "example": "from the spec"}, "from the spec"),
        (OAS30, {"type": "integer", "default": 7, "example": "not an integer"}, 7),
        (OAS30, {"type": "integer", "minimum": 5, "example": 1}, 5),
        (OAS31, {"oneOf": [{"type": "integer"}, {"type": "string"}]}, 0),
        (OAS31, {"anyOf": [{"type": "string", "minLength": 3, "maxLength": 2}, {"type": "boolean"}]}, False),
        (
            OAS31,
            {"allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]}, {"required": ["b"]}]},
            {"a": 0, "b": {}},
        ),
        (
            OAS30,
            {
                "type": "object",
                "required": ["need"],
                "properties": {
                    "need": {"type": "string"},
                    "skip": {"type": "string"},
                    "with_default": {"type": "integer", "default": 4},
                    "with_example": {"type": "string", "example": "ex"},
                },
            },
            {"need": "string", "with_default": 4, "with_example": "ex"},
        ),
    ],
)
def test_example_instance_of_small_schemas(doc: dict[str, Any], schema: Any, expected: Any) -> None:
    value = example_instance(Spec(doc), schema)
    assert value == expected
    assert type(value) is type(expected)
    assert Spec(doc).is_valid(schema, value)


def test_refs_and_siblings_of_a_ref() -> None:
    doc, schema = _schema(
        OAS31,
        {"$ref": "#/components/schemas/Outer"},
        Outer={
            "type": "object",
            "required": ["kind", "inner"],
            "properties": {
                "kind": {"$ref": "#/components/schemas/Kind", "default": "second"},
                "inner": {"$ref": "#/components/schemas/Inner"},
            },
        },
        Kind={"type": "string", "enum": ["first", "second"]},
        Inner={"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
    )
    value = example_instance(Spec(doc), schema)
    assert value == {"kind": "second", "inner": {"id": "3f2c7a8e-5b1d-4c6e-9a0f-1d2e3f4a5b6c"}}


def test_a_discriminated_one_of_takes_its_first_branch() -> None:
    # Without a mapping, the discriminator's value names the schema (here "a" and "b").
    doc, schema = _schema(
        OAS31,
        {
            "oneOf": [{"$ref": "#/components/schemas/a"}, {"$ref": "#/components/schemas/b"}],
            "discriminator": {"propertyName": "type"},
        },
        a={"type": "object", "required": ["type"], "properties": {"type": {"const": "a"}}},
        b={"type": "object", "required": ["type"], "properties": {"type": {"const": "b"}}},
    )
    assert example_instance(Spec(doc), schema) == {"type": "a"}


def test_a_required_cycle_is_refused() -> None:
    doc, schema = _schema(
        OAS31,
        {"$ref": "#/components/schemas/Node"},
        Node={"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
    )
    with pytest.raises(ValueError, match="deep"):
        example_instance(Spec(doc), schema)


def test_an_optional_cycle_is_fine() -> None:
    doc, schema = _schema(
        OAS31,
        {"$ref": "#/components/schemas/Node"},
        Node={"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
    )
    assert example_instance(Spec(doc), schema) == {}


def test_the_instance_shares_nothing_with_the_spec_or_itself() -> None:
    doc, schema = _schema(
        OAS30,
        {"type": "array", "minItems": 2, "items": {"type": "object", "example": {"k": [1]}}},
    )
    value = example_instance(Spec(doc), schema)
    assert value == [{"k": [1]}, {"k": [1]}]
    JSONPath.parse("$[0].k[0]").set(value, 2)
    assert value == [{"k": [2]}, {"k": [1]}]
    assert doc["components"] == OAS30["components"]
    assert example_instance(Spec(doc), schema) == [{"k": [1]}, {"k": [1]}]
