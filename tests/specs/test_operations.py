"""Operations, their parameters, security, success and error responses, on tiny inline documents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reelforge.specs import Spec, SpecError

JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def tiny() -> Spec:
    return Spec(
        {
            "openapi": "3.1.0",
            "security": [{"Key": []}],
            "paths": {
                "/videos": {
                    "post": {"operationId": "create_video", "responses": {"201": {"content": JSON_OBJECT}}},
                    "get": {"operationId": "list_videos", "security": [], "responses": {}},
                },
                "/videos/{id}": {
                    "parameters": [
                        {"name": "id", "in": "path", "schema": {"type": "string"}},
                        {"$ref": "#/components/parameters/Verbose"},
                    ],
                    "delete": {
                        "operationId": "delete_video",
                        "security": [{"Other": []}],
                        "parameters": [{"name": "id", "in": "path", "schema": {"format": "uuid"}}],
                        "responses": {"204": {"description": "Gone"}},
                    },
                },
                "/health": {"get": {"responses": {"200": {"description": "OK"}}}},
            },
            "components": {
                "parameters": {"Verbose": {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}},
                "schemas": {"Error": {"type": "object"}},
            },
        },
        "tiny.json",
    )


def test_operations_come_in_document_order() -> None:
    found = [(op.method, op.path, op.operation_id) for op in tiny().operations()]
    assert found == [
        # methods of one path item in HTTP_METHODS order, as the pipeline lists them
        ("get", "/videos", "list_videos"),
        ("post", "/videos", "create_video"),
        ("delete", "/videos/{id}", "delete_video"),
        ("get", "/health", "get /health"),  # no operationId: method and path stand in
    ]


def test_an_operation_by_id_and_by_path_and_method() -> None:
    reader = tiny()
    assert reader.operation("delete_video").pointer == "/paths/~1videos~1{id}/delete"
    assert reader.operation_at("/videos", "POST") == reader.operation("create_video")
    assert reader.has_operation("list_videos") and not reader.has_operation("nope")
    assert len({reader.operation("create_video"), reader.operation_at("/videos", "post")}) == 1
    with pytest.raises(SpecError, match="no operation has operationId 'nope'") as caught:
        reader.operation("nope")
    assert "known: create_video, delete_video, get /health, list_videos" in str(caught.value)
    with pytest.raises(SpecError, match=re.escape("tiny.json: no operation PUT /videos")):
        reader.operation_at("/videos", "put")


def test_path_item_parameters_are_overridden_by_the_operations_own() -> None:
    parameters = tiny().operation("delete_video").parameters
    assert list(parameters) == [("id", "path"), ("verbose", "query")]
    assert parameters[("id", "path")]["schema"] == {"format": "uuid"}
    assert parameters[("verbose", "query")]["schema"] == {"type": "boolean"}  # through its $ref
    assert tiny().operation("delete_video").path_parameters() == ["id"]


def test_a_parameter_reference_to_nothing_names_where_it_is() -> None:
    reader = tiny()
    reader.document["paths"]["/videos/{id}"]["parameters"][1] = {"$ref": "#/components/parameters/Gone"}
    with pytest.raises(SpecError, match="leads nowhere") as caught:
        _ = reader.operation("delete_video").parameters
    assert caught.value.pointer == "/paths/~1videos~1{id}/parameters/1/$ref"


def test_security_from_the_operation_or_the_document() -> None:
    reader = tiny()
    document = dict(reader.document)
    assert reader.operation("create_video").security == [{"Key": []}]
    assert reader.operation("delete_video").security == [{"Other": []}]
    assert reader.operation("list_videos").security == []  # an explicit empty list: none
    del document["security"]
    assert Spec(document).operation("create_video").security == []


def answering(responses: dict[str, Any]) -> Spec:
    return Spec(
        {
            "openapi": "3.0.3",
            "paths": {"/x": {"post": {"operationId": "op", "responses": responses}}},
            "components": {
                "responses": {"Created": {"content": {"application/json": {"schema": {"type": "string"}}}}},
                "schemas": {"Error": {"type": "object"}},
            },
        }
    )


@pytest.mark.parametrize(
    ("responses", "code", "status", "schema"),
    [
        (
            {"2XX": {"content": JSON_OBJECT}, "202": {"description": "Later"}, "200": {"content": JSON_OBJECT}},
            "200",
            200,
            {"type": "object"},
        ),
        ({"2XX": {"content": JSON_OBJECT}, "204": {"description": "Nothing"}}, "204", 204, None),
        ({"2XX": {"content": JSON_OBJECT}, "400": {"content": ERROR}}, "2XX", 200, {"type": "object"}),
        ({"201": {"$ref": "#/components/responses/Created"}}, "201", 201, {"type": "string"}),
        ({"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}}, "200", 200, None),
    ],
)
def test_the_success_is_the_lowest_concrete_2xx_before_2XX(
    responses: dict[str, Any], code: str, status: int, schema: Any
) -> None:
    operation = answering(responses).operation("op")
    assert operation.success is not None
    assert (operation.success.code, operation.success.status, operation.success.schema) == (code, status, schema)
    assert operation.success_schema == schema


def test_an_operation_with_no_2xx_has_no_success() -> None:
    operation = answering({"default": {"content": ERROR}, "400": {"content": ERROR}}).operation("op")
    assert operation.success is None
    assert operation.success_schema is None


@pytest.mark.parametrize(
    ("responses", "status", "expected"),
    [
        ({"404": {"content": ERROR}, "4XX": {"content": JSON_OBJECT}, "default": {"content": JSON_OBJECT}}, 404, "404"),
        ({"404": {"content": ERROR}, "4XX": {"content": ERROR}, "default": {"content": JSON_OBJECT}}, 401, "4XX"),
        ({"4XX": {"content": JSON_OBJECT}, "default": {"content": ERROR}}, 503, "default"),
        ({"4XX": {"content": ERROR}}, 500, None),
        ({"200": {"content": JSON_OBJECT}}, 404, None),
    ],
)
def test_the_error_schema_is_the_status_its_range_or_default(
    responses: dict[str, Any], status: int, expected: str | None
) -> None:
    operation = answering(responses).operation("op")
    assert operation.documented_code(status) == expected
    found = operation.error_schema(status)
    if expected is None:
        assert found is None
    else:
        assert found == (expected, ERROR["application/json"]["schema"])


def test_a_covering_response_without_a_json_body_has_no_error_schema() -> None:
    # The exact status covers it even without a body: the reader does not fall through to default.
    operation = answering({"429": {"description": "Slow down"}, "default": {"content": ERROR}}).operation("op")
    assert operation.documented_code(429) == "429"
    assert operation.error_schema(429) is None
    assert operation.error_schema(500) == ("default", {"$ref": "#/components/schemas/Error"})


def test_request_schema_and_response_by_code() -> None:
    reader = answering({"200": {"content": JSON_OBJECT}})
    operation = reader.operation("op")
    assert operation.request_schema() is None
    reader.document["paths"]["/x"]["post"]["requestBody"] = {
        "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"]}}}
    }
    assert operation.request_schema() is None
    assert operation.request_schema("multipart/form-data") == {"type": "object", "required": ["file"]}
    assert operation.response("200") == {"content": JSON_OBJECT}
    assert operation.response("201") is None
    assert operation.extension("x-missing") is None


@pytest.mark.parametrize(
    ("media", "components", "example"),
    [
        ({"schema": {"type": "object"}, "example": {"a": 1}, "examples": {"x": {"value": {"a": 2}}}}, {}, {"a": 1}),
        ({"schema": {"type": "object"}, "examples": {"x": {"$ref": "#/components/examples/X"}}}, {}, {"a": 3}),
        ({"schema": {"$ref": "#/components/schemas/Body"}}, {}, {"a": 4}),
        ({"schema": {"type": "object"}}, {}, None),
    ],
)
def test_the_request_example_comes_from_the_media_type_its_examples_or_its_schema(
    media: dict[str, Any], components: dict[str, Any], example: Any
) -> None:
    spec = Spec(
        {
            "openapi": "3.1.0",
            "paths": {"/v": {"post": {"operationId": "make", "requestBody": {"content": {"application/json": media}}}}},
            "components": {
                "examples": {"X": {"value": {"a": 3}}},
                "schemas": {"Body": {"type": "object", "example": {"a": 4}}},
            },
        }
    )
    assert spec.operation("make").request_example() == example
