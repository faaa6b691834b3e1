"""The effective spec: a vendored spec with its overlays applied, validated, ready for code generation.

Checks here run before any code is generated, so every problem is reported against the spec with a JSON
pointer: OpenAPI validity (openapi-spec-validator), the naming rules generated code relies on (an
operationId and one tag on every operation), and every `x-reelforge-job` (docs/x-reelforge-job.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.documents import dump_json, parse_document
from generator.errors import PipelineError
from generator.sources import SpecSource, load_spec_source, sha256_hex
from generator.vendors import REPO_ROOT, Vendor

__all__ = ["EffectiveSpec", "build_effective_spec", "iter_operations", "json_pointer", "overlay_paths"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JOB_EXTENSION = "x-reelforge-job"
_JOB_SCHEMA_PATH = REPO_ROOT / "generator" / "schemas" / "x-reelforge-job.schema.json"


@dataclass(frozen=True)
class EffectiveSpec:
    vendor: Vendor
    source: SpecSource
    overlays: tuple[tuple[Path, str], ...]  # (path relative to the root, sha256) in the order applied
    document: dict[str, Any]
    text: str  # what generated/<vendor>/openapi.json holds

    @property
    def sha256(self) -> str:
        return sha256_hex(self.text.encode("utf-8"))


def json_pointer(parts: list[object] | tuple[object, ...]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped) if parts else ""


def overlay_paths(root: Path, vendor: Vendor) -> list[Path]:
    """A vendor's overlay files in the order they apply (file name order), relative to the root."""
    folder = root / vendor.overlay_dir
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.is_file()]
    return [p.relative_to(root) for p in sorted(files, key=lambda p: p.name)]


def iter_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def _locate(node: Any, target: Any, parts: tuple[object, ...] = ()) -> tuple[object, ...] | None:
    """Path of the first node equal to `target`, depth first in document order."""
    if node == target and isinstance(node, dict):
        return parts
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found = _locate(child, target, (*parts, key))
        if found is not None:
            return found
    return None


def _validate_openapi(document: dict[str, Any], label: str) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        parts: tuple[object, ...] | None = tuple(exc.absolute_path)
        if not parts:
            # Checks of a schema's own default or example carry no path: find the schema they were run on.
            parts = _locate(document, exc.schema) if isinstance(exc.schema, dict) and exc.schema else None
        pointer = json_pointer(list(parts)) if parts else "/ (the validator gave no location)"
        raise PipelineError(
            f"{label}: the effective spec is not valid OpenAPI at {pointer}: {exc.message}",
            fix="correct the overlay action that writes this location (or add one that fixes the vendor's defect)",
        ) from exc
    except Exception as exc:  # the validator raises other types for documents it cannot classify
        raise PipelineError(f"{label}: the effective spec could not be validated: {exc}") from exc


def _check_names(document: dict[str, Any], label: str) -> None:
    seen: dict[str, str] = {}
    for path, method, operation in iter_operations(document):
        pointer = json_pointer(["paths", path, method])
        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str) or not operation_id.isidentifier() or operation_id != operation_id.lower():
            raise PipelineError(
                f"{label}: {pointer}: operationId {operation_id!r} is missing or not a snake_case identifier",
                fix="set one in the vendor's names overlay (it names the generated module and function)",
            )
        if operation_id in seen:
            raise PipelineError(
                f"{label}: {pointer}: operationId {operation_id!r} is also used at {seen[operation_id]}",
                fix="give every operation its own operationId",
            )
        seen[operation_id] = pointer
        tags = operation.get("tags")
        if not (isinstance(tags, list) and len(tags) == 1 and isinstance(tags[0], str) and tags[0]):
            raise PipelineError(
                f"{label}: {pointer}: needs exactly one tag, found {tags!r}",
                fix="set tags: [<group>] in the vendor's names overlay (it names the generated api/<tag>/ package)",
            )


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


def _check_jobs(document: dict[str, Any], label: str) -> None:
    import jsonschema

    job_schema = json.loads(_JOB_SCHEMA_PATH.read_text(encoding="utf-8"))
    operations = {op.get("operationId"): (path, method, op) for path, method, op in iter_operations(document)}
    for path, method, operation in iter_operations(document):
        job = operation.get(JOB_EXTENSION)
        if job is None:
            continue
        where = json_pointer(["paths", path, method, JOB_EXTENSION])
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(job_schema).iter_errors(job))
        if error is not None:
            inner = json_pointer(list(error.absolute_path))
            raise PipelineError(
                f"{label}: {where}{inner}: {error.message}",
                fix="see docs/x-reelforge-job.md for the fields and their meaning",
            )
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
        mapped: dict[str, str] = {}
        for state, values in job["states"].items():
            for value in values:
                if value in mapped:
                    raise PipelineError(
                        f"{label}: {where}/states: {value!r} is listed under both {mapped[value]} and {state}",
                        fix="a vendor status value means exactly one reelforge state",
                    )
                mapped[value] = state
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


def build_effective_spec(root: Path, vendor: Vendor) -> EffectiveSpec:
    """Load, verify, patch and check a vendor's spec."""
    source = load_spec_source(root, vendor)
    document = parse_document(source.text, str(source.spec_path))
    if not isinstance(document, dict):
        raise PipelineError(f"{source.spec_path}: not an OpenAPI document (top level is not a mapping)")
    from generator.overlay import apply_overlays, load_overlay

    paths = overlay_paths(root, vendor)
    overlays = [load_overlay(root / path) for path in paths]
    document = apply_overlays(document, overlays)
    label = f"{vendor.output_dir}/openapi.json (from {source.spec_path} + {vendor.overlay_dir}/)"
    _validate_openapi(document, label)
    _check_names(document, label)
    _check_jobs(document, label)
    hashes = tuple((path, sha256_hex((root / path).read_bytes())) for path in paths)
    return EffectiveSpec(vendor, source, hashes, document, dump_json(document))
