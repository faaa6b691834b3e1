"""One whole job per vendor through the generated clients alone: create, start where the vendor needs it, poll,
download.

The sandbox's tests and benchmarks drive the generated clients with it, without the facade in between (the README's
main command goes through the facade: reelforge/demo.py). Nothing here names a vendor: the create call,
its request body (the spec's documented example), the start, status and result locations all come from the
`x-reelforge-job` of each vendor's effective spec (docs/x-reelforge-job.md), and every call goes through the
generated package's own endpoint functions, so a regenerated client is exercised as users will call it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import time
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import httpx

from reelforge.sandbox.media import is_valid_mp4
from reelforge.specs import TERMINAL_STATES, JobExtension, Operation, Spec

__all__ = ["DEMO_API_KEY", "DemoError", "JobRun", "endpoint_module", "request_example", "run_job"]

# The key the demo's clients send: the sandbox wants a non-empty credential, not a real one.
DEMO_API_KEY: Final = "sandbox-demo-key"
_CHUNK: Final = 64 * 1024


class DemoError(RuntimeError):
    """A job did not go as its spec says (an unexpected answer, a timeout, a broken download)."""


@dataclass(frozen=True, slots=True)
class JobRun:
    """What one job made: its vendor, id and last status, the seconds from create to downloaded, and the file."""

    vendor: str
    job_id: str
    status: str
    seconds: float
    file: Path
    size: int


def endpoint_module(package: ModuleType, operation_id: str) -> ModuleType:
    """The generated module `<package>.api.<tag>.<operation_id>` that holds an operation's functions."""
    api = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api.__path__, prefix=f"{api.__name__}."):
        if info.name.rsplit(".", 1)[-1] == operation_id and not info.ispkg:
            return importlib.import_module(info.name)
    raise DemoError(f"{package.__name__} has no module for operation {operation_id!r}; regenerate the clients")


def request_example(operation: Operation) -> Any:
    """The documented request example of a create call (the pipeline makes sure every create operation has one)."""
    example = operation.request_example()
    if example is None:
        raise DemoError(f"{operation.spec.label}: operation {operation.operation_id!r} documents no request example")
    return example


def _id_argument(function: Callable[..., Any]) -> Callable[[str], Any]:
    """How a job id string is passed to an endpoint function: as a UUID where its first parameter is one."""
    hints = typing.get_type_hints(function)
    first = next(iter(hints))
    return uuid.UUID if hints[first] is uuid.UUID else str


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise DemoError(f"expected a JSON answer, got {response.content[:200]!r}") from exc


def _download(url: str, target: Path, timeout: float) -> int:
    """Stream `url` into `target` (through a .part file, so a cut download never looks finished)."""
    partial = target.with_name(target.name + ".part")
    size = 0
    with httpx.stream("GET", url, timeout=timeout) as response:
        if response.status_code != 200:
            raise DemoError(f"downloading {url} answered {response.status_code}")
        with partial.open("wb") as out:
            for chunk in response.iter_bytes(_CHUNK):
                out.write(chunk)
                size += len(chunk)
    if not is_valid_mp4(partial.read_bytes()):
        raise DemoError(f"{url} is not a valid MP4 (kept as {partial})")
    partial.replace(target)
    return size


def _follow(package: ModuleType, spec: Spec, job: JobExtension, options: _Options) -> tuple[str, str, Any]:
    """Create the job, start it when the vendor needs that, and poll it to a terminal status: (job id, status,
    last status body)."""
    terminal = {value for state in TERMINAL_STATES for value in job.states[state]}
    with package.Client(base_url=options.base_url, api_key=options.api_key) as client:
        create = endpoint_module(package, job.create_operation)
        body_type = typing.get_type_hints(create.sync_detailed)["body"]
        body = body_type.from_dict(request_example(spec.operation(job.create_operation)))
        created = _json(create.sync_detailed(client=client, body=body))
        ids = job.job_id.find(created)
        if not ids:
            raise DemoError(f"the create answer has no job id at {job.job_id}: {created}")
        job_id = str(ids[0])

        status_call = endpoint_module(package, job.status_operation).sync_detailed
        as_id = _id_argument(status_call)
        if job.start_operation is not None:
            endpoint_module(package, job.start_operation).sync_detailed(as_id(job_id), client=client)
        while True:
            status_body = _json(status_call(as_id(job_id), client=client))
            values = job.status.find(status_body)
            status = str(values[0]) if values else "?"
            if status in terminal:
                return job_id, status, status_body
            if time.monotonic() > options.deadline:
                raise DemoError(f"job {job_id} is still {status!r} after {options.timeout} s")
            time.sleep(options.poll_interval)


@dataclass(frozen=True, slots=True)
class _Options:
    base_url: str
    api_key: str
    poll_interval: float
    timeout: float
    deadline: float


def run_job(
    vendor: str,
    base_url: str,
    out_dir: Path,
    *,
    api_key: str = DEMO_API_KEY,
    poll_interval: float = 0.05,
    timeout: float = 60.0,
) -> JobRun:
    """Create one job at `base_url` with the vendor's generated client, follow it to a terminal status, and
    download its first result into `out_dir` as `<vendor>-<job id>.mp4`. Raises DemoError naming the vendor."""
    package = importlib.import_module(f"reelforge_{vendor}")
    spec = Spec(package.openapi_document(), f"{package.__name__}'s spec")
    jobs = JobExtension.all_in(spec)
    if not jobs:
        raise DemoError(f"{vendor}: {spec.label} has no create operation (no x-reelforge-job)")
    job = jobs[0]
    began = time.monotonic()
    options = _Options(base_url, api_key, poll_interval, timeout, began + timeout)
    try:
        job_id, status, status_body = _follow(package, spec, job, options)
        if status not in job.states["succeeded"]:
            raise DemoError(f"job {job_id} ended {status!r}")
        urls = [url for url in job.result_urls.find(status_body) if isinstance(url, str) and url]
        if not urls:
            raise DemoError(f"job {job_id} succeeded without a result URL at {job.result_urls}")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{vendor}-{job_id}.mp4"
        size = _download(urls[0], target, timeout)
    except DemoError as exc:
        raise DemoError(f"{vendor}: {exc}") from exc
    except (package.ApiError, httpx.HTTPError) as exc:
        raise DemoError(f"{vendor}: {type(exc).__name__}: {exc}") from exc
    return JobRun(vendor, job_id, status, time.monotonic() - began, target, size)
