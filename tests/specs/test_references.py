"""`$ref`s and JSON pointers, on tiny inline documents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reelforge.specs import Spec, SpecError, pointer, pointer_parts


def spec(openapi: str = "3.1.0", **schemas: Any) -> Spec:
    return Spec(
        {
            "openapi": openapi,
            "paths": {"/videos/{id}": {"get": {"operationId": "get_video", "tags": ["a", "b"], "responses": {}}}},
            "components": {"schemas": schemas},
        },
        "tiny.json",
    )


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.mark.parametrize(
    ("parts", "text"),
    [([], ""), (["a", "b"], "/a/b"), (["a/b", "c~d"], "/a~1b/c~0d"), (["~1"], "/~01"), ([""], "/"), (["x", 0], "/x/0")],
)
def test_pointer_escapes_both_ways(parts: list[object], text: str) -> None:
    assert pointer(parts) == text
    assert pointer_parts(text) == [str(part) for part in parts]
    assert pointer_parts("#" + text) == [str(part) for part in parts]


def test_pointer_parts_refuses_text_without_a_slash() -> None:
    with pytest.raises(SpecError, match="'components' is not a JSON pointer"):
        pointer_parts("components")


def test_references_into_components_paths_and_list_indexes() -> None:
    reader = spec(Video={"type": "object"})
    assert reader.at("#/components/schemas/Video") == {"type": "object"}
    assert reader.at("#/paths/~1videos~1{id}/get/operationId") == "get_video"
    assert reader.at("#/paths/~1videos~1%7Bid%7D/get/tags/1") == "b"  # a URI fragment is percent-decoded
    assert reader.at("/paths/~1videos~1{id}/get/tags/0") == "a"  # a bare pointer is not
    assert reader.at("#") is reader.document


@pytest.mark.parametrize(
    "target", ["#/components/schemas/Nope", "#/paths/~1videos~1{id}/get/tags/2", "#/paths/~1videos~1{id}/get/tags/x"]
)
def test_a_reference_to_nothing_is_a_spec_error(target: str) -> None:
    reader = spec()
    with pytest.raises(SpecError, match="leads nowhere") as caught:
        reader.resolve({"$ref": target}, at="/components/schemas/Here")
    assert caught.value.pointer == "/components/schemas/Here/$ref"
    assert "tiny.json" in str(caught.value)


@pytest.mark.parametrize("target", ["other.yaml#/components/schemas/A", "/components/schemas/A", 7])
def test_a_non_local_reference_is_a_spec_error(target: Any) -> None:
    reader = spec(A={"type": "string"})
    with pytest.raises(SpecError, match="is not local"):
        reader.resolve({"$ref": target})
    with pytest.raises(SpecError, match="is not local"):
        reader.resolve_schema({"$ref": target})


def test_a_chain_of_references_is_followed_to_its_end() -> None:
    reader = spec(A=ref("B"), B=ref("C"), C={"type": "string"})
    assert reader.resolve(ref("A")) == {"type": "string"}
    assert reader.lookup(ref("A")) == ({"type": "string"}, "/components/schemas/C")
    assert reader.resolve_schema(ref("A")) == {"type": "string"}


@pytest.mark.parametrize(
    ("schemas", "loop"),
    [
        ({"A": ref("A")}, "#/components/schemas/A -> #/components/schemas/A"),
        ({"A": ref("B"), "B": ref("A")}, "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"),
    ],
)
def test_a_reference_loop_is_a_spec_error_naming_the_pointer(schemas: dict[str, Any], loop: str) -> None:
    reader = spec(**schemas)
    for follow in (reader.resolve, reader.resolve_schema):
        with pytest.raises(SpecError, match=r"\$ref loop") as caught:
            follow(ref("A"), at="/start")
        assert loop in str(caught.value)
        assert caught.value.pointer.startswith("/components/schemas/")


def test_constraints_beside_a_ref_are_merged_in_31_and_ignored_in_30() -> None:
    schemas = {
        "Title": {"$ref": "#/components/schemas/Text", "maxLength": 9, "description": "only annotates"},
        "Text": {"type": "string", "minLength": 1, "maxLength": 50},
    }
    beside = {"$ref": "#/components/schemas/Title", "pattern": "^a", "title": "annotation"}
    assert spec("3.1.0", **schemas).resolve_schema(beside) == {
        "type": "string",
        "minLength": 1,
        "maxLength": 9,  # the nearer link says more
        "pattern": "^a",
    }
    assert spec("3.0.3", **schemas).resolve_schema(beside) == schemas["Text"]
    # `resolve` (parameters, bodies, responses) never merges siblings.
    assert spec("3.1.0", **schemas).resolve(beside) == schemas["Text"]


def test_a_spec_is_an_object() -> None:
    with pytest.raises(SpecError, match=re.escape("bad.json: not an OpenAPI document")):
        Spec([], "bad.json")  # type: ignore[arg-type]
