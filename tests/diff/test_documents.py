"""Reading documents the way a client does, on inline documents: recursion that must not loop, reference chains,
and the shapes that mean the same thing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.diff import compare
from generator.errors import PipelineError


def _doc(schemas: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": {
            "/scenes": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"204": {"description": "Done"}},
                }
            }
        },
        "components": {"schemas": schemas},
    }


def _found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c.id, c.level.value, c.location) for c in compare(old, new)]


def test_mutually_recursive_schemas_are_compared_without_looping() -> None:
    schemas = {
        "Scene": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "maxLength": 80},
                "shots": {"type": "array", "items": {"$ref": "#/components/schemas/Shot"}},
            },
        },
        "Shot": {
            "type": "object",
            "properties": {
                "seconds": {"type": "number", "maximum": 10},
                "scene": {"$ref": "#/components/schemas/Scene"},
            },
        },
    }
    old = _doc(schemas, {"$ref": "#/components/schemas/Scene"})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Scene"]["properties"]["title"]["maxLength"] = 40
    new["components"]["schemas"]["Shot"]["properties"]["seconds"]["maximum"] = 5
    assert _found(old, new) == [
        ("request-property-max-length-decreased", "ERR", "/components/schemas/Scene/properties/title/maxLength"),
        ("request-property-max-decreased", "ERR", "/components/schemas/Shot/properties/seconds/maximum"),
    ]


def test_a_reference_chain_is_followed_to_its_end() -> None:
    schemas = {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string", "maxLength": 10}}
    old = _doc(schemas, {"$ref": "#/components/schemas/A"})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["B"]["maxLength"] = 5
    assert _found(old, new) == [("request-body-max-length-decreased", "ERR", "/components/schemas/B/maxLength")]


def test_a_schema_reference_loop_ends() -> None:
    """`A: {$ref: B}, B: {$ref: A}` describes nothing; it must neither hang nor report."""
    schemas = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    document = _doc(schemas, {"$ref": "#/components/schemas/A"})
    assert compare(document, copy.deepcopy(document)) == ()


def test_a_parameter_reference_loop_is_an_error() -> None:
    document = _doc({}, {"type": "string"})
    document["components"]["parameters"] = {
        "P": {"$ref": "#/components/parameters/Q"},
        "Q": {"$ref": "#/components/parameters/P"},
    }
    document["paths"]["/scenes"]["post"]["parameters"] = [{"$ref": "#/components/parameters/P"}]
    with pytest.raises(PipelineError, match=r"\$ref loop"):
        compare(document, document)


def test_a_ref_with_siblings_keeps_both() -> None:
    """OpenAPI 3.1 allows keywords beside $ref; a limit set there counts."""
    schemas = {"Title": {"type": "string"}}
    old = _doc(schemas, {"type": "object", "properties": {"title": {"$ref": "#/components/schemas/Title"}}})
    new = _doc(
        schemas, {"type": "object", "properties": {"title": {"$ref": "#/components/schemas/Title", "maxLength": 9}}}
    )
    pointer = "/paths/~1scenes/post/requestBody/content/application~1json/schema/properties/title/maxLength"
    assert _found(old, new) == [("request-property-max-length-set", "ERR", pointer)]


def test_const_is_a_one_value_enum_and_30_nullable_is_31_null_type() -> None:
    old = _doc(
        {},
        {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["video"]},
                "note": {"type": "string", "nullable": True},
            },
        },
    )
    old["openapi"] = "3.0.3"
    new = _doc(
        {},
        {
            "type": "object",
            "properties": {"kind": {"type": "string", "const": "video"}, "note": {"type": ["string", "null"]}},
        },
    )
    assert _found(old, new) == []
    new["components"]["schemas"] = {}
    new["paths"]["/scenes"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["kind"] = {
        "type": "string",
        "const": "image",
    }
    kind = "/paths/~1scenes/post/requestBody/content/application~1json/schema/properties/kind"
    assert _found(old, new) == [
        ("request-property-enum-value-removed", "ERR", f"{kind}/enum/0"),
        ("request-property-enum-value-added", "INFO", f"{kind}/const"),
    ]


def test_allof_properties_defined_twice_are_merged_with_the_tighter_bound() -> None:
    schemas = {
        "Base": {"type": "object", "properties": {"title": {"type": "string", "maxLength": 100}}},
        "Strict": {"type": "object", "properties": {"title": {"maxLength": 50}}},
    }
    old = _doc(schemas, {"allOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Strict"}]})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Strict"]["properties"]["title"]["maxLength"] = 60
    assert _found(old, new) == [
        ("request-property-max-length-increased", "INFO", "/components/schemas/Strict/properties/title/maxLength")
    ]
