"""The example in each generated README, derived from the spec so it cannot drift from the client.

It creates a job with the create operation's documented request example, starts it when the vendor needs a
start call, and reads its status once, all through the generated client. tests/generator/ runs it.
"""

from __future__ import annotations

import pprint
import re
from typing import Any

from generator.effective import EffectiveSpec, iter_operations, json_pointer
from generator.errors import PipelineError
from generator.extensions import JOB_EXTENSION

__all__ = ["build_example"]

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _attribute_chain(jsonpath: str, prefix: str, where: str) -> str:
    """`$.generations[0].generation_id` -> `.generations[0].generation_id`, with Python attribute names."""
    from openapi_python_client.strings import PythonIdentifier

    rest = jsonpath[1:]
    chain = ""
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise PipelineError(
                f"{where}: job_id {jsonpath!r} must be a plain path of names and indexes for the README example"
            )
        name, index = match.groups()
        chain += f".{PythonIdentifier(name, prefix)}" if name else f"[{index}]"
        rest = rest[match.end() :]
    return chain


def _request_example(spec: EffectiveSpec, path: str, method: str, operation: dict[str, Any]) -> Any:
    body = operation.get("requestBody") or {}
    media = (body.get("content") or {}).get("application/json") or {}
    if "example" in media:
        return media["example"]
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    schema = media.get("schema") or {}
    if isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = ((spec.document.get("components") or {}).get("schemas") or {}).get(name) or {}
    if "example" in schema:
        return schema["example"]
    pointer = json_pointer(["paths", path, method, "requestBody", "content", "application/json", "example"])
    raise PipelineError(
        f"{spec.vendor.output_dir}/openapi.json: {pointer}: the create operation has no request example",
        fix=f"add a realistic example in {spec.vendor.overlay_dir}/ (the README's example and tests use it)",
    )


def build_example(spec: EffectiveSpec, data: Any, field_prefix: str) -> dict[str, Any]:
    """Names and code the distribution README template renders."""
    endpoints = {
        str(endpoint.name): (tag, endpoint)
        for tag, collection in data.endpoint_collections_by_tag.items()
        for endpoint in collection.endpoints
    }
    creates = [(p, m, op) for p, m, op in iter_operations(spec.document) if JOB_EXTENSION in op]
    if not creates:
        raise PipelineError(
            f"{spec.vendor.output_dir}/openapi.json: no operation carries {JOB_EXTENSION}",
            fix=f"describe the job lifecycle on the create operation in {spec.vendor.overlay_dir}/",
        )
    path, method, operation = creates[0]
    job = operation[JOB_EXTENSION]
    create_tag, create = endpoints[operation["operationId"]]
    prefix = field_prefix
    where = json_pointer(["paths", path, method, JOB_EXTENSION])
    calls: list[tuple[str, Any]] = [(create_tag, create)]
    start = endpoints[job["start_operation"]] if "start_operation" in job else None
    status = endpoints[job["status_operation"]]
    for extra in (start, status):
        if extra is not None and extra not in calls:
            calls.append(extra)
    imports: dict[str, list[str]] = {}
    for tag, endpoint in calls:
        imports.setdefault(str(tag), []).append(str(endpoint.name))
    body_class = create.bodies[0].prop.get_type_string(no_optional=True).as_unembedded_code() if create.bodies else None
    return {
        "imports": sorted((tag, sorted(names)) for tag, names in imports.items()),
        "body_class": body_class,
        "body": pprint.pformat(_request_example(spec, path, method, operation), width=100, sort_dicts=False),
        "create": str(create.name),
        "job_id": _attribute_chain(job["job_id"], prefix, where),
        "start": str(start[1].name) if start else None,
        "status": str(status[1].name),
        "status_field": _attribute_chain(job["status"], prefix, where),
    }
