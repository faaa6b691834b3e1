"""reelforge's own OpenAPI extensions, checked in the effective spec before any code is generated.

- `x-reelforge-job` on each create operation: the job lifecycle (docs/x-reelforge-job.md);
- `x-reelforge-errors` at the document's root: how the vendor says no (docs/x-reelforge-errors.md);
- `x-reelforge-upload` on each upload operation: how the vendor takes input files (docs/x-reelforge-upload.md).

Each is first checked against its JSON Schema (generator/schemas/), then against the spec itself: the operations,
parameters and properties it names exist, its JSONPaths parse and point at what they should, and every error
template, filled with sample values, validates against the error schemas the spec documents. Every problem is a
PipelineError with a JSON pointer into the effective spec.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.effective import iter_operations, json_pointer
from generator.errors import PipelineError
from generator.vendors import REPO_ROOT

__all__ = [
    "ERRORS_EXTENSION",
    "ERROR_KINDS",
    "JOB_EXTENSION",
    "KIND_STATUSES",
    "UPLOAD_EXTENSION",
    "check_extensions",
    "fill_error_template",
]

JOB_EXTENSION = "x-reelforge-job"
ERRORS_EXTENSION = "x-reelforge-errors"
UPLOAD_EXTENSION = "x-reelforge-upload"
_SCHEMAS = REPO_ROOT / "generator" / "schemas"


def check_extensions(document: dict[str, Any], label: str) -> None:
    """Raise PipelineError for the first problem in any reelforge extension of `document`."""
    _check_jobs(document, label)
    _check_errors(document, label)
    _check_uploads(document, label)


def _compile_jsonpath(expression: str, where: str, label: str) -> None:
    import jsonpath_rfc9535

    try:
        jsonpath_rfc9535.compile(expression)
    except jsonpath_rfc9535.JSONPathError as exc:
        raise PipelineError(f"{label}: {where}: {expression!r} is not a valid JSONPath: {exc}") from exc


def _resolve(document: dict[str, Any], schema: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        node: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        schema = node
        seen += 1
    return schema


def _status_enum(document: dict[str, Any], operation: dict[str, Any], status_path: str) -> list[str] | None:
    """The enum of a top-level status field of the operation's first 2xx JSON response, when the spec has one."""
    if not status_path.startswith("$.") or not status_path[2:].isidentifier():
        return None
    for code, response in sorted((operation.get("responses") or {}).items()):
        if not code.startswith("2"):
            continue
        response = _resolve(document, response)
        schema = _resolve(document, ((response or {}).get("content") or {}).get("application/json", {}).get("schema"))
        prop = _resolve(document, ((schema or {}).get("properties") or {}).get(status_path[2:]))
        if isinstance(prop, dict) and isinstance(prop.get("enum"), list):
            return [value for value in prop["enum"] if isinstance(value, str)]
        return None
    return None


def _validate_extension(value: Any, schema_name: str, where: str, label: str, doc: str) -> None:
    """Check an extension's shape against generator/schemas/<schema_name>."""
    import jsonschema

    schema = json.loads((_SCHEMAS / schema_name).read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if error is not None:
        inner = json_pointer(list(error.absolute_path))
        raise PipelineError(
            f"{label}: {where}{inner}: {error.message}", fix=f"see {doc} for the fields and their meaning"
        )


_SIMPLE_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | \[\s*'(?P<quoted>[^'\\]*)'\s*\]
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*\*\s*\](?P<wild>)
      | \.\*(?P<dotwild>)""",
    re.VERBOSE,
)


def _simple_steps(expression: str, where: str, label: str) -> list[str | None]:
    """The member names of a simple JSONPath (names, indexes, [*]); None stands for an array step."""
    _compile_jsonpath(expression, where, label)
    steps: list[str | None] = []
    position = 1
    while position < len(expression):
        match = _SIMPLE_STEP.match(expression, position)
        if match is None:
            raise PipelineError(
                f"{label}: {where}: {expression!r} is not a simple path at position {position}",
                fix="use member names, indexes and [*] only (the sandbox and the facade read no filters or slices)",
            )
        name = match.group("name") if match.group("name") is not None else match.group("quoted")
        steps.append(name)
        position = match.end()
    return steps


def _branches(document: dict[str, Any], schema: Any, depth: int = 0) -> list[dict[str, Any]]:
    """A schema and the branches of its allOf/anyOf/oneOf, references resolved."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or depth > 16:
        return []
    found = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or []:
            found.extend(_branches(document, part, depth + 1))
    return found


def _schemas_at(document: dict[str, Any], schema: Any, steps: list[str | None]) -> list[dict[str, Any]]:
    """Every schema the value at `steps` may have in an instance of `schema`."""
    nodes = _branches(document, schema) if schema is not None else []
    for step in steps:
        following: list[dict[str, Any]] = []
        for node in nodes:
            child = node.get("items") if step is None else (node.get("properties") or {}).get(step)
            if child is not None:
                following.extend(_branches(document, child))
        nodes = following
    return nodes


def _is_string_schema(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return declared == "string" or (isinstance(declared, list) and "string" in declared)


def _require_string(document: dict[str, Any], schema: Any, expression: str, where: str, label: str, what: str) -> None:
    """The path must name a string property of `schema` (`what` says which schema, for the message)."""
    if not any(_is_string_schema(s) for s in _schemas_at(document, schema, _simple_steps(expression, where, label))):
        raise PipelineError(
            f"{label}: {where}: {expression!r} does not resolve to a string property of {what}",
            fix="point it at a string property the schema documents (member names, indexes and [*])",
        )


def _media_schema(document: dict[str, Any], holder: Any, media_type: str) -> Any:
    """The schema of one media type of a request body or response (None when it documents none)."""
    holder = _resolve(document, holder)
    media = ((holder or {}).get("content") or {}).get(media_type) if isinstance(holder, dict) else None
    return media.get("schema") if isinstance(media, dict) else None


def _answer_schema(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    """The JSON schema of the operation's first 2xx response that has one."""
    for code, response in sorted((operation.get("responses") or {}).items()):
        if code.startswith("2"):
            schema = _media_schema(document, response, "application/json")
            if schema is not None:
                return schema
    return None


def _check_jobs(document: dict[str, Any], label: str) -> None:
    operations = {op.get("operationId"): (path, method, op) for path, method, op in iter_operations(document)}
    for path, method, operation in iter_operations(document):
        job = operation.get(JOB_EXTENSION)
        if job is None:
            continue
        where = json_pointer(["paths", path, method, JOB_EXTENSION])
        _validate_extension(job, "x-reelforge-job.schema.json", where, label, "docs/x-reelforge-job.md")
        for key in ("status_operation", "start_operation", "cancel_operation"):
            if key in job and job[key] not in operations:
                raise PipelineError(f"{label}: {where}/{key}: no operation has operationId {job[key]!r}")
        status_path_item, _, status_operation = operations[job["status_operation"]]
        for key in ("status_operation", "start_operation", "cancel_operation"):
            if key not in job:
                continue
            target_path = operations[job[key]][0]
            if "{" + job["job_id_parameter"] + "}" not in target_path:
                raise PipelineError(
                    f"{label}: {where}/job_id_parameter: {job[key]} ({target_path}) has no path parameter "
                    f"{{{job['job_id_parameter']}}}",
                    fix="name the path parameter that takes the job id",
                )
        for key in ("job_id", "status", "result_urls", "result_expires_at", "eta_seconds", "error_message"):
            if key in job:
                _compile_jsonpath(job[key], f"{where}/{key}", label)
        if "progress" in job:
            _compile_jsonpath(job["progress"]["path"], f"{where}/progress/path", label)
        _require_string(
            document,
            _media_schema(document, operation.get("requestBody"), "application/json"),
            job["prompt"],
            f"{where}/prompt",
            label,
            f"the JSON request body of {operation.get('operationId')}",
        )
        mapped: dict[str, str] = {}
        for state, values in job["states"].items():
            for value in values:
                if value in mapped:
                    raise PipelineError(
                        f"{label}: {where}/states: {value!r} is listed under both {mapped[value]} and {state}",
                        fix="a vendor status value means exactly one reelforge state",
                    )
                mapped[value] = state
        if job.get("cancel_effect") == "canceled" and not job["states"]["canceled"]:
            raise PipelineError(
                f"{label}: {where}/cancel_effect: 'canceled' needs the status value a canceled job reports, but "
                "states/canceled is empty",
                fix="list the vendor's canceled status under states/canceled, or say cancel_effect: deleted",
            )
        documented = _status_enum(document, status_operation, job["status"])
        if documented is not None:
            unmapped = [value for value in documented if value not in mapped]
            unknown = [value for value in mapped if value not in documented]
            if unmapped or unknown:
                raise PipelineError(
                    f"{label}: {where}/states does not match the status enum of {job['status_operation']} "
                    f"({status_path_item}): unmapped {unmapped}, not in the enum {unknown}",
                    fix="map every documented status value to exactly one state",
                )


ERROR_KINDS = ("invalid", "unauthorized", "not_found", "rate_limited", "server_error")
# The statuses each kind is answered with (docs/x-reelforge-errors.md); an invalid request's is the vendor's.
KIND_STATUSES: dict[str, tuple[int, ...]] = {
    "unauthorized": (401,),
    "not_found": (404,),
    "rate_limited": (429,),
    "server_error": (500, 502, 503),
}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]*\}")
_PLACEHOLDERS = ("{message}", "{code}", "{status}", "{problems}")
_SAMPLE_PROBLEMS = [{"loc": ["body", "sample"], "msg": "sample problem", "type": "sample"}]


def fill_error_template(template: Any, *, message: str, code: str | None, status: int, problems: list[Any]) -> Any:
    """An error body from a template (docs/x-reelforge-errors.md): a string that is exactly "{status}" becomes
    the status, exactly "{problems}" the problem list; "{message}", "{code}" and "{status}" are replaced inside
    other strings. The sandbox's errors.py does the same."""
    if isinstance(template, dict):
        return {
            key: fill_error_template(v, message=message, code=code, status=status, problems=problems)
            for key, v in template.items()
        }
    if isinstance(template, list):
        return [fill_error_template(v, message=message, code=code, status=status, problems=problems) for v in template]
    if template == "{status}":
        return status
    if template == "{problems}":
        return problems
    if isinstance(template, str):
        return template.replace("{message}", message).replace("{code}", code or "").replace("{status}", str(status))
    return template


def _check_placeholders(node: Any, parts: tuple[object, ...], where: str, label: str, has_codes: bool) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _check_placeholders(value, (*parts, key), where, label, has_codes)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_placeholders(value, (*parts, index), where, label, has_codes)
    elif isinstance(node, str):
        at = f"{where}{json_pointer(list(parts))}"
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


def _error_schema(document: dict[str, Any], operation: dict[str, Any], status: int) -> tuple[str, Any] | None:
    """(response code, JSON schema) the spec documents for an error status: the status itself, its NXX range,
    or `default`; None when it documents none of them (or one without a JSON body)."""
    responses = operation.get("responses") or {}
    for code in (str(status), f"{str(status)[0]}XX", "default"):
        if code in responses:
            schema = _media_schema(document, responses[code], "application/json")
            return (code, schema) if schema is not None else None
    return None


def _can_be_invalid(document: dict[str, Any], path: str, operation: dict[str, Any]) -> bool:
    """Whether a request to the operation can fail validation: it takes a body, a query, header or cookie
    parameter, or a path parameter whose schema is more than a bare string (a format, a pattern, a type)."""
    if "requestBody" in operation:
        return True
    item = (document.get("paths") or {}).get(path) or {}
    for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = _resolve(document, parameter)
        if not isinstance(parameter, dict):
            continue
        if parameter.get("in") != "path":
            return True
        schema = _resolve(document, parameter.get("schema")) or {}
        if set(schema) - {"type", "description", "title", "example", "examples"} or schema.get("type") != "string":
            return True
    return False


def _error_statuses(
    document: dict[str, Any], path: str, operation: dict[str, Any], validation_status: int
) -> dict[int, str]:
    """The error statuses the operation can answer, each with its kind, as the sandbox answers them
    (docs/x-reelforge-errors.md): every operation can be rate limited or fail on the server side; a secured one
    can be refused credentials; one with path parameters names something that may not exist; one with input
    can be invalid."""
    answers: dict[int, str] = {}
    if _can_be_invalid(document, path, operation):
        answers[validation_status] = "invalid"
    if operation.get("security", document.get("security")):
        answers[401] = "unauthorized"
    if "{" in path:
        answers[404] = "not_found"
    for kind in ("rate_limited", "server_error"):
        answers.update(dict.fromkeys(KIND_STATUSES[kind], kind))
    return answers


def _instance_errors(document: dict[str, Any], schema: Any, instance: Any) -> list[str]:
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    # Wrapped beside the document's components, so "#/components/..." references resolve.
    root = {"components": document.get("components", {}), "allOf": [schema]}
    validator_class = OAS30Validator if str(document.get("openapi", "")).startswith("3.0") else OAS31Validator
    errors = validator_class(root).iter_errors(instance)
    return [f"{json_pointer(list(e.absolute_path)) or '/'}: {e.message}" for e in errors]


def _check_errors(document: dict[str, Any], label: str) -> None:
    import jsonpath_rfc9535

    errors = document.get(ERRORS_EXTENSION)
    if errors is None:
        return
    where = "/" + ERRORS_EXTENSION
    doc = "docs/x-reelforge-errors.md"
    _validate_extension(errors, "x-reelforge-errors.schema.json", where, label, doc)
    for key in ("message", "validation_message"):
        if key in errors:
            _compile_jsonpath(errors[key], f"{where}/{key}", label)
    for key in ("body", "validation_body"):
        if key in errors:
            _check_placeholders(errors[key], (), f"{where}/{key}", label, "codes" in errors)
    bodies: dict[int, tuple[str, Any]] = {}  # status -> (template key, filled body)
    for kind in ERROR_KINDS:
        validation = kind == "invalid" and "validation_body" in errors
        template_key = "validation_body" if validation else "body"
        message_key = "validation_message" if validation and "validation_message" in errors else "message"
        message = (errors.get("messages") or {}).get(kind, f"sample {kind} message")
        # A validation body may list the problems or carry one message; either is readable.
        expected = {message, _SAMPLE_PROBLEMS[0]["msg"]} if validation else {message}
        statuses = (errors["validation_status"],) if kind == "invalid" else KIND_STATUSES[kind]
        for status in statuses:
            code = (errors.get("codes") or {}).get(kind)
            body = fill_error_template(
                errors[template_key], message=message, code=code, status=status, problems=_SAMPLE_PROBLEMS
            )
            found = jsonpath_rfc9535.find(errors[message_key], body).values()
            if not expected & {value for value in found if isinstance(value, str)}:
                raise PipelineError(
                    f"{label}: {where}/{message_key}: {errors[message_key]!r} does not find the message "
                    f"{message!r} in the {kind} body {json.dumps(body)} (from {template_key})",
                    fix="point the path at where the template puts {message} (or a problem's text, for validation)",
                )
            bodies[status] = (template_key, body)
    # Every error the sandbox can answer an operation with must be one the operation documents, in a shape
    # its schema accepts: so the clients type it, and every answer the sandbox sends validates against the spec.
    for path, method, operation in iter_operations(document):
        for status, kind in _error_statuses(document, path, operation, errors["validation_status"]).items():
            operation_pointer = json_pointer(["paths", path, method, "responses"])
            documented = _error_schema(document, operation, status)
            if documented is None:
                raise PipelineError(
                    f"{label}: {operation_pointer}: {operation.get('operationId')} can answer {status} "
                    f"({kind}), but documents no {status}, {str(status)[0]}XX or default response with a JSON body",
                    fix="document it with the vendor's error schema in an overlay (overlays/<vendor>/50-errors.yaml)",
                )
            template_key, body = bodies[status]
            problems = _instance_errors(document, documented[1], body)
            if problems:
                pointer = json_pointer(["paths", path, method, "responses", documented[0]])
                raise PipelineError(
                    f"{label}: {where}/{template_key}: the {kind} body for status {status}, "
                    f"{json.dumps(body)}, does not match the error schema {operation.get('operationId')} "
                    f"documents at {pointer}: {'; '.join(problems)}",
                    fix=f"make the template match the vendor's documented error body ({doc})",
                )


def _require_file_field(
    document: dict[str, Any], operation: dict[str, Any], field: str, where: str, label: str
) -> None:
    schema = _media_schema(document, operation.get("requestBody"), "multipart/form-data")
    if schema is None:
        raise PipelineError(f"{label}: {where}: {operation.get('operationId')} takes no multipart/form-data body")
    candidates = _schemas_at(document, schema, [field])
    if not any(_is_string_schema(s) and (s.get("format") == "binary" or "contentMediaType" in s) for s in candidates):
        raise PipelineError(
            f"{label}: {where}: the multipart body of {operation.get('operationId')} has no file property {field!r}",
            fix="name the multipart field that carries the file (a string with format: binary)",
        )


def _check_uploads(document: dict[str, Any], label: str) -> None:
    operations = {op.get("operationId"): (path, method, op) for path, method, op in iter_operations(document)}
    for path, method, operation in iter_operations(document):
        upload = operation.get(UPLOAD_EXTENSION)
        if upload is None:
            continue
        where = json_pointer(["paths", path, method, UPLOAD_EXTENSION])
        _validate_extension(upload, "x-reelforge-upload.schema.json", where, label, "docs/x-reelforge-upload.md")
        operation_id = operation.get("operationId")
        answer = _answer_schema(document, operation)
        answered = f"the 2xx JSON answer of {operation_id}"
        style = upload["style"]
        if style == "multipart":
            _require_file_field(document, operation, upload["field"], f"{where}/field", label)
            _require_string(document, answer, upload["url"], f"{where}/url", label, answered)
        elif style == "reserve":
            _require_string(document, answer, upload["asset_id"], f"{where}/asset_id", label, answered)
            if upload["upload_operation"] not in operations:
                raise PipelineError(
                    f"{label}: {where}/upload_operation: no operation has operationId {upload['upload_operation']!r}"
                )
            target_path, _, target = operations[upload["upload_operation"]]
            if "{" + upload["asset_id_parameter"] + "}" not in target_path:
                raise PipelineError(
                    f"{label}: {where}/asset_id_parameter: {upload['upload_operation']} ({target_path}) has no path "
                    f"parameter {{{upload['asset_id_parameter']}}}",
                    fix="name the path parameter that takes the asset id",
                )
            _require_file_field(document, target, upload["field"], f"{where}/field", label)
        elif style == "presigned_put":
            for key in ("upload_url", "file_path", "expires_at"):
                if key in upload:
                    _require_string(document, answer, upload[key], f"{where}/{key}", label, answered)
            if "extension" in upload:
                request = _media_schema(document, operation.get("requestBody"), "application/json")
                requested = f"the JSON request body of {operation_id}"
                _require_string(document, request, upload["extension"], f"{where}/extension", label, requested)
        else:  # by_url
            request = _media_schema(document, operation.get("requestBody"), "application/json")
            _require_string(
                document,
                request,
                "$." + upload["url_field"],
                f"{where}/url_field",
                label,
                f"the JSON request body of {operation_id}",
            )
            if "asset_id" in upload:
                _require_string(document, answer, upload["asset_id"], f"{where}/asset_id", label, answered)
