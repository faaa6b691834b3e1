"""The five effective specs as the installed client packages carry them, and a validator independent of the sandbox's own."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

VENDORS = ("hera", "hedra", "magichour", "argil", "oxen")
_BASE = "urn:reelforge:effective-spec"


@cache
def document(vendor: str) -> Mapping[str, Any]:
    module = importlib.import_module(f"reelforge_{vendor}")
    spec: Mapping[str, Any] = module.openapi_document()
    return spec


def pointer(*parts: str) -> str:
    """A JSON pointer fragment from raw path segments."""
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def validation_errors(vendor: str, schema_pointer: str, instance: Any) -> list[str]:
    """Every error of `instance` against the schema at `schema_pointer` inside the vendor's spec."""
    spec = document(vendor)
    openapi_30 = str(spec["openapi"]).startswith("3.0")
    resource = Resource.from_contents(spec, default_specification=DRAFT4 if openapi_30 else DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_BASE, resource)
    root = {"$ref": _BASE + schema_pointer}
    if openapi_30:
        validator: Any = OAS30Validator(root, registry=registry, format_checker=oas30_format_checker)
    else:
        validator = OAS31Validator(root, registry=registry, format_checker=oas31_format_checker)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def operations(vendor: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(path, method, operation) for every operation of the vendor's spec."""
    for path, item in document(vendor)["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, Mapping) and "responses" in operation:
                yield path, method, operation


def body_schemas(vendor: str) -> Iterator[tuple[str, str]]:
    """(label, JSON pointer) of every request body schema and every 2xx response schema."""
    for path, method, operation in operations(vendor):
        name = str(operation.get("operationId", f"{method} {path}"))
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if "schema" in media:
                yield (
                    f"{vendor}.{name}.request.{media_type}",
                    pointer("paths", path, method, "requestBody", "content", media_type, "schema"),
                )
        for code, response in operation["responses"].items():
            if str(code).startswith("2"):
                for media_type, media in response.get("content", {}).items():
                    if "schema" in media:
                        yield (
                            f"{vendor}.{name}.{code}.{media_type}",
                            pointer("paths", path, method, "responses", str(code), "content", media_type, "schema"),
                        )


def create_operations(vendor: str) -> list[str]:
    """operationIds of the operations that carry x-reelforge-job."""
    return [str(op["operationId"]) for _, _, op in operations(vendor) if "x-reelforge-job" in op]


def resolve(vendor: str, schema_pointer: str) -> Any:
    node: Any = document(vendor)
    for raw in schema_pointer[2:].split("/"):
        node = node[raw.replace("~1", "/").replace("~0", "~")]
    return node


def status_response_pointer(vendor: str, create_operation_id: str) -> str:
    """The pointer of the JSON schema of the 2xx answer of the status operation the create operation names."""
    create = next(op for _, _, op in operations(vendor) if op.get("operationId") == create_operation_id)
    status_id = create["x-reelforge-job"]["status_operation"]
    for path, method, operation in operations(vendor):
        if operation.get("operationId") == status_id:
            for code in sorted(operation["responses"]):
                if str(code).startswith("2"):
                    return pointer(
                        "paths", path, method, "responses", str(code), "content", "application/json", "schema"
                    )
    raise AssertionError(f"{vendor}: no status operation {status_id}")


def job_of(vendor: str) -> dict[str, Any]:
    """The x-reelforge-job of the vendor's (first) create operation."""
    create_id = create_operations(vendor)[0]
    operation = next(op for _, _, op in operations(vendor) if op.get("operationId") == create_id)
    return dict(operation["x-reelforge-job"])


def terminal_statuses(vendor: str) -> set[str]:
    states = job_of(vendor)["states"]
    return {*states["succeeded"], *states["failed"], *states["canceled"]}
