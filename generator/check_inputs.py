"""The pipeline's check of `x-reelforge-inputs` (docs/x-reelforge-inputs.md), on every create operation that has one.

Beyond its JSON Schema (generator/schemas/x-reelforge-inputs.schema.json) the extension must fit the spec: it sits on
an operation the facade can follow (x-reelforge-job); every path it writes names a property of the request body;
`count` writes an array and `split` goes through one; `upload_to` needs an upload flow that takes local files; `via`
names the input whose converter honours it. And the proof: reelforge.mapping builds a body from a sample value of
every mapped input (as URLs, and as uploaded files), and from the required inputs alone, and each must validate
against the request body schema. So a wrong default or converter stops the pipeline, not a user's paid request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from generator.errors import PipelineError, spec_errors
from generator.extensions import validate_extension
from reelforge.specs import (
    INPUT_TYPES,
    INPUTS_EXTENSION,
    JOB_EXTENSION,
    MEDIA_INPUTS,
    InputRule,
    InputsExtension,
    JSONPath,
    Operation,
    Spec,
    UploadExtension,
)

__all__ = ["check_inputs"]

_DOC = "docs/x-reelforge-inputs.md"
# A value of each common input (limits permitting; see _sample). Media are a URL or an uploaded reference.
_SAMPLES: Mapping[str, Any] = {
    "prompt": "A red fox runs through fresh snow. It stops, looks back, and runs on.",
    "negative_prompt": "blurry, low quality",
    "duration": 5,
    "aspect_ratio": "16:9",
    "resolution": "720p",
    "fps": 24,
    "seed": 42,
    "avatar": "3f2b7c1e-9d4a-4e8b-a6c5-1b2d3e4f5a60",
    "voice": "9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e",
    "count": 1,
}
# The converters that shape a body around one input: the only input each applies to.
_CONVERTER_INPUTS: Mapping[str, str] = {"count": "count", "split": "prompt", "size": "aspect_ratio"}
_SAMPLE_URL = "https://example.com/sample.png"
_SAMPLE_REFERENCE = "0d5b3a2c-71e4-4f6a-b8c9-3a1e5f7d2b64"


def check_inputs(spec: Spec) -> None:
    """Raise PipelineError for the first problem in any x-reelforge-inputs of `spec`."""
    for operation in spec.operations():
        data = operation.extension(INPUTS_EXTENSION)
        if data is None:
            continue
        where = f"{operation.pointer}/{INPUTS_EXTENSION}"
        validate_extension(data, "x-reelforge-inputs.schema.json", where, spec.label, _DOC)
        if operation.extension(JOB_EXTENSION) is None:
            raise PipelineError(
                f"{spec.label}: {where}: {operation.operation_id} has no {JOB_EXTENSION}, so the facade cannot follow "
                "the job it makes",
                fix=f"describe its lifecycle with {JOB_EXTENSION}, or take {INPUTS_EXTENSION} off it",
            )
        with spec_errors(where):
            extension = InputsExtension.of(operation)
            _check_places(spec, operation, extension, where)
            _check_samples(spec, operation, extension, where)


def _paths(extension: InputsExtension) -> Iterator[tuple[str, JSONPath]]:
    """(JSON pointer inside the extension, path) for every place the extension writes."""
    for text in extension.defaults:
        yield f"/defaults/{text}", JSONPath.parse(text)
    for name, rule in extension.inputs.items():
        for key, path in (("to", rule.to), ("upload_to", rule.upload_to)):
            if path is not None:
                yield f"/inputs/{name}/{key}", path
        for text in rule.also:
            yield f"/inputs/{name}/also/{text}", JSONPath.parse(text)
        if rule.kind == "size":
            for key in ("width", "height"):
                yield f"/inputs/{name}/convert/{key}", JSONPath.parse(str((rule.convert or {})[key]))


def _check_places(spec: Spec, operation: Operation, extension: InputsExtension, where: str) -> None:
    body = operation.request_schema()
    label = spec.label
    if body is None:
        raise PipelineError(f"{label}: {where}: {operation.operation_id} takes no JSON request body to map inputs into")
    for inner, path in _paths(extension):
        if not spec.schemas_at(body, path):
            raise PipelineError(
                f"{label}: {where}{inner}: {path} names no property of the JSON request body of "
                f"{operation.operation_id}",
                fix="point it at a property the request body schema documents (member names, indexes and [*])",
            )
    takes_files = any(flow.style != "by_url" for flow in UploadExtension.all_in(spec))
    for name, rule in extension.inputs.items():
        at = f"{label}: {where}/inputs/{name}"
        if rule.kind is not None and name != _CONVERTER_INPUTS.get(rule.kind, name):
            raise PipelineError(f"{at}: the {rule.kind} converter does not apply to {name}", fix=f"see {_DOC}")
        if rule.kind == "count" and not any(_is_array(s) for s in spec.schemas_at(body, rule.to or JSONPath(()))):
            raise PipelineError(f"{at}: a count sizes an array, and {rule.to} is none", fix=f"see {_DOC}")
        if rule.kind == "split" and (rule.to is None or rule.to.split_at_wildcard() is None):
            raise PipelineError(
                f"{at}: a split writes one array item per piece, so its path needs [*]", fix=f"see {_DOC}"
            )
        if rule.upload_to is not None:
            if name not in MEDIA_INPUTS:
                raise PipelineError(f"{at}/upload_to: {name} is no media input", fix="use to")
            if not takes_files:
                raise PipelineError(
                    f"{at}/upload_to: the spec has no upload flow that takes local files (x-reelforge-upload)",
                    fix="describe the vendor's upload call, or map the input with to (URLs only)",
                )
        _check_types(spec, body, name, rule, at)
        if rule.via is not None:
            via = extension.inputs.get(rule.via)
            if via is None or via.kind != "size":
                raise PipelineError(
                    f"{at}/via: {rule.via!r} is not a mapped input with a size converter",
                    fix="name the input whose converter writes this one",
                )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _produces(name: str, rule: InputRule) -> set[str]:
    """The JSON types the rule writes at `to` (a split writes each piece, a string, through the array)."""
    convert = rule.convert or {}
    kind = rule.kind
    if kind == "scale":
        return {"integer" if convert.get("integer") else "number"}
    if kind in ("string", "integer", "number"):
        return {str(kind)}
    if kind == "table":
        return {_json_type(value) for value in (convert.get("values") or {}).values()}
    if kind == "count":
        return {"array"}
    if kind == "split":
        return {"string"}
    return {INPUT_TYPES[name]}


def _accepts(schema: Mapping[str, Any], produced: str) -> bool:
    declared = schema.get("type")
    if declared is None:
        return True  # a schema without a type takes any JSON value (its other keywords are checked by the samples)
    types = {declared} if isinstance(declared, str) else set(declared)
    return produced in types or (produced == "integer" and "number" in types)


def _check_types(spec: Spec, body: Any, name: str, rule: InputRule, at: str) -> None:
    """Each place the rule writes must take the JSON type written there: a duration in seconds (a float) cannot
    go to an integer field without `integer` or `scale` with `integer: true`, whatever a whole-number sample says."""
    places: list[tuple[str, JSONPath | None, set[str]]] = [("to", rule.to, _produces(name, rule))]
    places.append(("upload_to", rule.upload_to, {INPUT_TYPES[name]}))
    if rule.kind == "size":
        for key in ("width", "height"):
            places.append((f"convert/{key}", JSONPath.parse(str((rule.convert or {})[key])), {"integer"}))
    for key, path, produced in places:
        if path is None:
            continue
        schemas = spec.schemas_at(body, path)
        refused = sorted(kind for kind in produced if not any(_accepts(schema, kind) for schema in schemas))
        if refused:
            declared = sorted({str(s.get("type")) for s in schemas})
            how = f"through the {rule.kind} converter" if rule.kind else "unconverted"
            raise PipelineError(
                f"{at}/{key}: {path} is {' or '.join(declared)} in the request body, but {name} {how} is "
                f"{' or '.join(refused)}",
                fix=f"add a convert that gives the type the field takes (integer, number, string, scale; {_DOC})",
            )


def _is_array(schema: Mapping[str, Any]) -> bool:
    declared = schema.get("type")
    return declared == "array" or (isinstance(declared, list) and "array" in declared) or "items" in schema


def _sample(name: str, limits: Mapping[str, Any]) -> Any:
    """A value of the input inside the operation's limits."""
    if limits.get("enum"):
        return limits["enum"][0]
    value = _SAMPLES[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = max(value, limits.get("minimum", value))
        value = min(value, limits.get("maximum", value))
    return value


def _values(spec: Spec, operation: Operation, names: list[str], *, local: bool) -> dict[str, Any]:
    from reelforge.mapping import MediaValue, accepted

    limits = accepted(spec, operation.operation_id).limits
    values: dict[str, Any] = {}
    for name in names:
        if name in MEDIA_INPUTS:
            media = MediaValue(url=_SAMPLE_URL, reference=_SAMPLE_REFERENCE if local else None, local=local)
            values[name] = [media] if name == "reference_images" else media
        else:
            values[name] = _sample(name, limits.get(name) or {})
    return values


def _check_samples(spec: Spec, operation: Operation, extension: InputsExtension, where: str) -> None:
    from reelforge.mapping import MappingError, build_body

    schema = operation.request_schema()
    every = list(extension.inputs)
    for what, names, local in (
        ("every mapped input, media as URLs", every, False),
        ("every mapped input, media as uploaded files", every, True),
        ("the required inputs alone", list(extension.required), False),
    ):
        values = _values(spec, operation, names, local=local)
        try:
            built = build_body(spec, operation.operation_id, values)
        except MappingError as exc:
            raise PipelineError(f"{spec.label}: {where}: with {what}: {exc}", fix=f"correct the rule ({_DOC})") from exc
        problems = spec.errors(schema, built.body)
        if problems:
            listed = "; ".join(f"{at or '/'}: {message}" for at, message in problems)
            raise PipelineError(
                f"{spec.label}: {where}: the body built from {what} does not validate against the request body of "
                f"{operation.operation_id}: {listed} (body: {json.dumps(built.body)[:300]})",
                fix=f"correct the defaults or converters so the body the facade sends is valid ({_DOC})",
            )
