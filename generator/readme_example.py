"""The example in each generated README, derived from the spec so it cannot drift from the client.

It creates a job with the create operation's documented request example, starts it when the vendor needs a
start call, and reads its status once, all through the generated client. tests/generator/ runs it.
"""

from __future__ import annotations

import pprint
from typing import Any

from generator.effective import EffectiveSpec
from generator.errors import PipelineError, spec_errors
from reelforge.specs import INPUTS_EXTENSION, JOB_EXTENSION, InputsExtension, JobExtension, JSONPath, Operation, pointer

__all__ = ["build_example"]


def _attribute_chain(path: JSONPath, prefix: str, where: str) -> str:
    """`$.generations[0].generation_id` -> `.generations[0].generation_id`, with Python attribute names."""
    from openapi_python_client.strings import PythonIdentifier

    chain = ""
    for step in path.steps:
        if step.wildcard:
            raise PipelineError(
                f"{where}: {str(path)!r} has a wildcard, but the README example reads one value",
                fix="use a path of member names and indexes (the first item is [0])",
            )
        chain += f".{PythonIdentifier(step.name, prefix)}" if step.name is not None else f"[{step.index}]"
    return chain


def _request_example(spec: EffectiveSpec, operation: Operation) -> Any:
    example = operation.request_example()
    if example is not None:
        return example
    where = operation.pointer + pointer(["requestBody", "content", "application/json", "example"])
    raise PipelineError(
        f"{spec.reader.label}: {where}: the create operation has no request example",
        fix=f"add a realistic example in {spec.vendor.overlay_dir}/ (the README's example and tests use it)",
    )


def build_example(spec: EffectiveSpec, data: Any, field_prefix: str) -> dict[str, Any]:
    """Names and code the distribution README template renders."""
    endpoints = {
        str(endpoint.name): (tag, endpoint)
        for tag, collection in data.endpoint_collections_by_tag.items()
        for endpoint in collection.endpoints
    }
    creates = [op for op in spec.reader.operations() if op.extension(JOB_EXTENSION) is not None]
    if not creates:
        raise PipelineError(
            f"{spec.reader.label}: no operation carries {JOB_EXTENSION}",
            fix=f"describe the job lifecycle on the create operation in {spec.vendor.overlay_dir}/",
        )
    operation = creates[0]
    extension = f"{operation.pointer}/{JOB_EXTENSION}"
    where = f"{spec.reader.label}: {extension}"
    with spec_errors(extension):
        job = JobExtension.of(operation)
        example = _request_example(spec, operation)
    create_tag, create = endpoints[operation.operation_id]
    calls: list[tuple[str, Any]] = [(create_tag, create)]
    start = endpoints[job.start_operation] if job.start_operation is not None else None
    status = endpoints[job.status_operation]
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
        "body": pprint.pformat(example, width=100, sort_dicts=False),
        "create": str(create.name),
        "job_id": _attribute_chain(job.job_id, field_prefix, f"{where}/job_id"),
        "start": str(start[1].name) if start else None,
        "status": str(status[1].name),
        "status_field": _attribute_chain(job.status, field_prefix, f"{where}/status"),
        "facade_request": _facade_request(operation, example),
    }


def _facade_request(operation: Operation, example: Any) -> str:
    """The facade's VideoRequest for the README: a prompt, and each other input the create operation requires
    (x-reelforge-inputs), with the value its request example has at the input's place."""
    arguments = {"prompt": "A red fox running through snow"}
    if operation.extension(INPUTS_EXTENSION) is not None:
        rules = InputsExtension.of(operation)
        for name in rules.required:
            rule = rules.inputs[name]
            value = rule.to.first(example) if rule.to is not None else None
            if name != "prompt" and isinstance(value, str):
                arguments[name] = value
    return "VideoRequest(" + ", ".join(f"{name}={value!r}" for name, value in arguments.items()) + ")"
