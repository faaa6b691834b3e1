"""The five effective specs as the installed client packages ship them, read through the project's reader
(reelforge.specs), and a schema validator that is deliberately not the sandbox's.

Finding things in a spec (operations, pointers, the x-reelforge-job of a create operation) goes through the same
reader the sandbox uses, so both agree on what the spec says. Judging the sandbox's answers does not:
`validation_errors` builds its own openapi-schema-validator over a `referencing` registry that holds the whole
document, instead of `Spec.validator` (which the sandbox validates with), so a mistake in the reader's validation
cannot hide the same mistake in the sandbox's answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from reelforge import specs
from reelforge.registry import effective_spec
from tests.support import VENDORS

__all__ = [
    "VENDORS",
    "body_schemas",
    "create_operations",
    "document",
    "job_of",
    "operations",
    "pointer",
    "reader",
    "resolve",
    "status_response_pointer",
    "terminal_statuses",
    "validation_errors",
]

_BASE = "urn:reelforge:effective-spec"


@cache
def reader(vendor: str) -> specs.Spec:
    """The vendor's effective spec, as `reelforge_<vendor>` ships it, under the project's reader."""
    return specs.Spec(effective_spec(vendor), f"reelforge_{vendor}'s spec")


def document(vendor: str) -> Mapping[str, Any]:
    return reader(vendor).document


def pointer(*parts: str) -> str:
    """The `#/...` reference of a path of raw keys (escaped as JSON pointers want)."""
    return "#" + specs.pointer(parts)


def resolve(vendor: str, schema_pointer: str) -> Any:
    """The node a `#/...` reference names in the vendor's spec."""
    return reader(vendor).at(schema_pointer)


def validation_errors(vendor: str, schema_pointer: str, instance: Any) -> list[str]:
    """Every error of `instance` against the schema at `schema_pointer` inside the vendor's spec (see the module's
    docstring for why this validator is built here)."""
    spec = document(vendor)
    openapi_30 = reader(vendor).openapi_30
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
    for operation in reader(vendor).operations():
        yield operation.path, operation.method, operation.node


def body_schemas(vendor: str) -> Iterator[tuple[str, str]]:
    """(label, JSON pointer) of every request body schema and every 2xx response schema."""
    for operation in reader(vendor).operations():
        name = f"{vendor}.{operation.operation_id}"
        where = ["paths", operation.path, operation.method]
        for media_type, media in ((operation.request_body or {}).get("content") or {}).items():
            if "schema" in media:
                yield f"{name}.request.{media_type}", pointer(*where, "requestBody", "content", media_type, "schema")
        for code in operation.responses:
            if str(code).startswith("2"):
                for media_type, media in ((operation.response(code) or {}).get("content") or {}).items():
                    if "schema" in media:
                        yield (
                            f"{name}.{code}.{media_type}",
                            pointer(*where, "responses", str(code), "content", media_type, "schema"),
                        )


def create_operations(vendor: str) -> list[str]:
    """operationIds of the operations that carry x-reelforge-job, in document order."""
    return [job.create_operation for job in specs.JobExtension.all_in(reader(vendor))]


def status_response_pointer(vendor: str, create_operation_id: str) -> str:
    """The pointer of the JSON schema of the 2xx answer of the status operation the create operation names."""
    spec = reader(vendor)
    job = specs.JobExtension.of(spec.operation(create_operation_id))
    status = spec.operation(job.status_operation)
    if status.success is None:
        raise AssertionError(f"{vendor}: the status operation {job.status_operation} documents no 2xx answer")
    return pointer(
        "paths", status.path, status.method, "responses", status.success.code, "content", "application/json", "schema"
    )


def job_of(vendor: str) -> dict[str, Any]:
    """The x-reelforge-job of the vendor's (first) create operation, as the spec writes it."""
    operation = reader(vendor).operation(create_operations(vendor)[0])
    return dict(operation.extension(specs.JOB_EXTENSION))


def terminal_statuses(vendor: str) -> set[str]:
    """The vendor's status values that end a job (succeeded, failed or canceled)."""
    job = specs.JobExtension.of(reader(vendor).operation(create_operations(vendor)[0]))
    return {value for state in specs.TERMINAL_STATES for value in job.states[state]}
