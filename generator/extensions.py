"""reelforge's own OpenAPI extensions, checked in the effective spec before any code is generated.

- `x-reelforge-job` on each create operation: the job lifecycle (docs/x-reelforge-job.md);
- `x-reelforge-errors` at the document's root: how the vendor says no (docs/x-reelforge-errors.md);
- `x-reelforge-upload` on each upload operation: how the vendor takes input files (docs/x-reelforge-upload.md);
- `x-reelforge-inputs` on each create operation: where the facade's common inputs go (generator/check_inputs.py).

Each is first checked against its JSON Schema (generator/schemas/), then read with the typed readers of
reelforge.specs (the ones the sandbox and the facade use, so a JSONPath they cannot read stops the pipeline), then
checked against the spec itself: the operations, parameters and properties it names exist, its JSONPaths point at
what they should, and every error template, filled with sample values, validates against the error schemas the
spec documents. Every problem is a PipelineError with a JSON pointer into the effective spec; so is a `$ref` the
checks cannot follow, since a check that cannot read what it checks must not pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from generator.errors import PipelineError, spec_errors
from generator.vendors import REPO_ROOT
from reelforge.specs import (
    ERROR_KINDS,
    ERRORS_EXTENSION,
    JOB_EXTENSION,
    KIND_STATUSES,
    UPLOAD_EXTENSION,
    ErrorsExtension,
    JobExtension,
    JSONPath,
    Operation,
    Spec,
    Step,
    UploadExtension,
    pointer,
)

__all__ = ["check_extensions", "validate_extension"]

_SCHEMAS = REPO_ROOT / "generator" / "schemas"


def check_extensions(spec: Spec) -> None:
    """Raise PipelineError for the first problem in any reelforge extension of `spec`."""
    from generator.check_inputs import check_inputs

    _check_jobs(spec)
    _check_errors(spec)
    _check_uploads(spec)
    check_inputs(spec)


def validate_extension(value: Any, schema_name: str, where: str, label: str, doc: str) -> None:
    """Check an extension's shape against generator/schemas/<schema_name>."""
    import jsonschema

    schema = json.loads((_SCHEMAS / schema_name).read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if error is not None:
        inner = pointer(error.absolute_path)
        raise PipelineError(
            f"{label}: {where}{inner}: {error.message}", fix=f"see {doc} for the fields and their meaning"
        )


def _member(name: str) -> JSONPath:
    """The path of one top-level member (a field name an extension gives without `$.`)."""
    return JSONPath((Step(name=name),))


def _is_string_schema(schema: Mapping[str, Any]) -> bool:
    declared = schema.get("type")
    return declared == "string" or (isinstance(declared, list) and "string" in declared)


def _require_string(spec: Spec, schema: Any, path: JSONPath, where: str, what: str) -> None:
    """The path must name a string property of `schema` (`what` says which schema, for the message)."""
    if not any(_is_string_schema(s) for s in spec.schemas_at(schema, path)):
        raise PipelineError(
            f"{spec.label}: {where}: {str(path)!r} does not resolve to a string property of {what}",
            fix="point it at a string property the schema documents (member names, indexes and [*])",
        )


def _status_enum(spec: Spec, operation: Operation, status: JSONPath) -> list[str] | None:
    """The status values the status operation's success schema lists at the status path, when it lists them."""
    for schema in spec.schemas_at(operation.success_schema, status):
        values = schema.get("enum")
        if isinstance(values, list):
            return [value for value in values if isinstance(value, str)]
    return None


def _check_jobs(spec: Spec) -> None:
    for operation in spec.operations():
        data = operation.extension(JOB_EXTENSION)
        if data is None:
            continue
        where = f"{operation.pointer}/{JOB_EXTENSION}"
        validate_extension(data, "x-reelforge-job.schema.json", where, spec.label, "docs/x-reelforge-job.md")
        with spec_errors(where):
            _check_job(spec, operation, JobExtension.of(operation), where)


def _check_job(spec: Spec, operation: Operation, job: JobExtension, where: str) -> None:
    lifecycle = (
        ("status_operation", job.status_operation),
        ("start_operation", job.start_operation),
        ("cancel_operation", job.cancel_operation),
    )
    for key, name in lifecycle:
        if name is not None and not spec.has_operation(name):
            raise PipelineError(f"{spec.label}: {where}/{key}: no operation has operationId {name!r}")
    for _, name in lifecycle:
        if name is not None and "{" + job.job_id_parameter + "}" not in spec.operation(name).path:
            raise PipelineError(
                f"{spec.label}: {where}/job_id_parameter: {name} ({spec.operation(name).path}) has no path "
                f"parameter {{{job.job_id_parameter}}}",
                fix="name the path parameter that takes the job id",
            )
    _require_string(
        spec,
        operation.request_schema(),
        job.prompt,
        f"{where}/prompt",
        f"the JSON request body of {operation.operation_id}",
    )
    mapped: dict[str, str] = {}
    for state, values in job.states.items():
        for value in values:
            if value in mapped:
                raise PipelineError(
                    f"{spec.label}: {where}/states: {value!r} is listed under both {mapped[value]} and {state}",
                    fix="a vendor status value means exactly one reelforge state",
                )
            mapped[value] = state
    if job.cancel_effect == "canceled" and not job.states["canceled"]:
        raise PipelineError(
            f"{spec.label}: {where}/cancel_effect: 'canceled' needs the status value a canceled job reports, but "
            "states/canceled is empty",
            fix="list the vendor's canceled status under states/canceled, or say cancel_effect: deleted",
        )
    status_operation = spec.operation(job.status_operation)
    documented = _status_enum(spec, status_operation, job.status)
    if documented is not None:
        unmapped = [value for value in documented if value not in mapped]
        unknown = [value for value in mapped if value not in documented]
        if unmapped or unknown:
            raise PipelineError(
                f"{spec.label}: {where}/states does not match the status enum of {job.status_operation} "
                f"({status_operation.path}): unmapped {unmapped}, not in the enum {unknown}",
                fix="map every documented status value to exactly one state",
            )


_PLACEHOLDER = re.compile(r"\{[A-Za-z_]*\}")
_PLACEHOLDERS = ("{message}", "{code}", "{status}", "{problems}")
_SAMPLE_PROBLEMS = [{"loc": ["body", "sample"], "msg": "sample problem", "type": "sample"}]


def _check_placeholders(node: Any, parts: tuple[object, ...], where: str, label: str, has_codes: bool) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _check_placeholders(value, (*parts, key), where, label, has_codes)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_placeholders(value, (*parts, index), where, label, has_codes)
    elif isinstance(node, str):
        at = f"{where}{pointer(parts)}"
        for found in _PLACEHOLDER.findall(node):
            if found not in _PLACEHOLDERS:
                raise PipelineError(
                    f"{label}: {at}: unknown placeholder {found} in {node!r}",
                    fix="use {message}, {code}, {status} or {problems} (docs/x-reelforge-errors.md)",
                )
        if "{problems}" in node and node != "{problems}":
            raise PipelineError(
                f"{label}: {at}: {{problems}} must be the whole value (it becomes a list), not part of {node!r}"
            )
        if "{code}" in node and not has_codes:
            raise PipelineError(
                f"{label}: {at}: {node!r} uses {{code}} but x-reelforge-errors has no codes",
                fix="add codes: with the vendor's code for each of the five kinds",
            )


def _can_be_invalid(spec: Spec, operation: Operation) -> bool:
    """Whether a request to the operation can fail validation: it takes a body, a query, header or cookie
    parameter, or a path parameter whose schema is more than a bare string (a format, a pattern, a type)."""
    if operation.request_body is not None:
        return True
    for (_, location), parameter in operation.parameters.items():
        if location != "path":
            return True
        schema = spec.resolve_schema(parameter.get("schema"))
        schema = schema if isinstance(schema, Mapping) else {}
        if set(schema) - {"type", "description", "title", "example", "examples"} or schema.get("type") != "string":
            return True
    return False


def _error_statuses(spec: Spec, operation: Operation, validation_status: int) -> dict[int, str]:
    """The error statuses the operation can answer, each with its kind, as the sandbox answers them
    (docs/x-reelforge-errors.md): every operation can be rate limited or fail on the server side; a secured one
    can be refused credentials; one with path parameters names something that may not exist; one with input
    can be invalid."""
    answers: dict[int, str] = {}
    if _can_be_invalid(spec, operation):
        answers[validation_status] = "invalid"
    if operation.security:
        answers[401] = "unauthorized"
    if "{" in operation.path:
        answers[404] = "not_found"
    for kind in ("rate_limited", "server_error"):
        answers.update(dict.fromkeys(KIND_STATUSES[kind], kind))
    return answers


def _check_errors(spec: Spec) -> None:
    data = spec.document.get(ERRORS_EXTENSION)
    if data is None:
        return
    where = "/" + ERRORS_EXTENSION
    doc = "docs/x-reelforge-errors.md"
    validate_extension(data, "x-reelforge-errors.schema.json", where, spec.label, doc)
    with spec_errors(where):
        errors = ErrorsExtension.of(spec)
    for key in ("body", "validation_body"):
        if key in data:
            _check_placeholders(data[key], (), f"{where}/{key}", spec.label, "codes" in data)
    bodies: dict[int, tuple[str, Any]] = {}  # status -> (template key, filled body)
    for kind in ERROR_KINDS:
        validation = kind == "invalid" and errors.validation_body is not None
        template_key = "validation_body" if validation else "body"
        message_key = "validation_message" if validation and errors.validation_message is not None else "message"
        message = errors.messages.get(kind, f"sample {kind} message")
        # A validation body may list the problems or carry one message; either is readable.
        expected = {message, _SAMPLE_PROBLEMS[0]["msg"]} if validation else {message}
        statuses = (errors.validation_status,) if kind == "invalid" else KIND_STATUSES[kind]
        for status in statuses:
            body = errors.fill(kind, message=message, status=status, problems=_SAMPLE_PROBLEMS)
            found = errors.message_path(kind).find(body)
            if not expected & {value for value in found if isinstance(value, str)}:
                raise PipelineError(
                    f"{spec.label}: {where}/{message_key}: {data[message_key]!r} does not find the message "
                    f"{message!r} in the {kind} body {json.dumps(body)} (from {template_key})",
                    fix="point the path at where the template puts {message} (or a problem's text, for validation)",
                )
            bodies[status] = (template_key, body)
    # Every error the sandbox can answer an operation with must be one the operation documents, in a shape
    # its schema accepts: so the clients type it, and every answer the sandbox sends validates against the spec.
    for operation in spec.operations():
        responses = f"{operation.pointer}/responses"
        with spec_errors(responses):
            for status, answered in _error_statuses(spec, operation, errors.validation_status).items():
                documented = operation.error_schema(status)
                if documented is None:
                    raise PipelineError(
                        f"{spec.label}: {responses}: {operation.operation_id} can answer {status} ({answered}), but "
                        f"documents no {status}, {str(status)[0]}XX or default response with a JSON body",
                        fix="document it with the vendor's error schema in an overlay "
                        "(overlays/<vendor>/50-errors.yaml)",
                    )
                code, schema = documented
                template_key, body = bodies[status]
                problems = spec.errors(schema, body)
                if problems:
                    details = "; ".join(f"{at or '/'}: {problem}" for at, problem in problems)
                    raise PipelineError(
                        f"{spec.label}: {where}/{template_key}: the {answered} body for status {status}, "
                        f"{json.dumps(body)}, does not match the error schema {operation.operation_id} documents "
                        f"at {responses}{pointer([code])}: {details}",
                        fix=f"make the template match the vendor's documented error body ({doc})",
                    )


def _require_file_field(spec: Spec, operation: Operation, field: str, where: str) -> None:
    schema = operation.request_schema("multipart/form-data")
    if schema is None:
        raise PipelineError(f"{spec.label}: {where}: {operation.operation_id} takes no multipart/form-data body")
    candidates = spec.schemas_at(schema, _member(field))
    if not any(_is_string_schema(s) and (s.get("format") == "binary" or "contentMediaType" in s) for s in candidates):
        raise PipelineError(
            f"{spec.label}: {where}: the multipart body of {operation.operation_id} has no file property {field!r}",
            fix="name the multipart field that carries the file (a string with format: binary)",
        )


def _check_uploads(spec: Spec) -> None:
    for operation in spec.operations():
        data = operation.extension(UPLOAD_EXTENSION)
        if data is None:
            continue
        where = f"{operation.pointer}/{UPLOAD_EXTENSION}"
        validate_extension(data, "x-reelforge-upload.schema.json", where, spec.label, "docs/x-reelforge-upload.md")
        with spec_errors(where):
            _check_upload(spec, operation, UploadExtension.of(operation), where)


def _check_upload(spec: Spec, operation: Operation, upload: UploadExtension, where: str) -> None:
    # UploadExtension.of has checked that each style has the keys it needs; the asserts say so to mypy.
    answer = (operation.success_schema, f"the 2xx JSON answer of {operation.operation_id}")
    request = (operation.request_schema(), f"the JSON request body of {operation.operation_id}")
    strings: list[tuple[str, JSONPath | None, tuple[Any, str]]]  # (key, the path, (schema, what it is))
    if upload.style == "multipart":
        assert upload.field is not None
        _require_file_field(spec, operation, upload.field, f"{where}/field")
        strings = [("url", upload.url, answer)]
    elif upload.style == "reserve":
        assert upload.field is not None and upload.upload_operation is not None
        strings = [("asset_id", upload.asset_id, answer)]
        if not spec.has_operation(upload.upload_operation):
            raise PipelineError(
                f"{spec.label}: {where}/upload_operation: no operation has operationId {upload.upload_operation!r}"
            )
        target = spec.operation(upload.upload_operation)
        if "{" + str(upload.asset_id_parameter) + "}" not in target.path:
            raise PipelineError(
                f"{spec.label}: {where}/asset_id_parameter: {target.operation_id} ({target.path}) has no path "
                f"parameter {{{upload.asset_id_parameter}}}",
                fix="name the path parameter that takes the asset id",
            )
        _require_file_field(spec, target, upload.field, f"{where}/field")
    elif upload.style == "presigned_put":
        strings = [
            ("upload_url", upload.upload_url, answer),
            ("file_path", upload.file_path, answer),
            ("expires_at", upload.expires_at, answer),
            ("extension", upload.extension, request),
        ]
    else:  # by_url
        assert upload.url_field is not None
        strings = [("url_field", _member(upload.url_field), request), ("asset_id", upload.asset_id, answer)]
    for key, path, (schema, what) in strings:
        if path is not None:
            _require_string(spec, schema, path, f"{where}/{key}", what)
