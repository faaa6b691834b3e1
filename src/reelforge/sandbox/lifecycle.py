"""A vendor's job lifecycle, read from the `x-reelforge-job` of its create operation, played out over time.

Nothing here names a vendor: the statuses, which of them are queued, running and terminal, and where the
status, progress, result URLs and error message sit in the status body all come from the effective spec
(docs/x-reelforge-job.md). How long each phase lasts is one table for every vendor (`PHASE_SECONDS`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from reelforge.sandbox.bodies import (
    JSONPathStep,
    example_instance,
    find_at,
    is_valid_instance,
    parse_simple_path,
    resolve_ref,
    set_at,
)

__all__ = [
    "FAIL_FRACTION",
    "FAIL_MARKER",
    "PHASE_SECONDS",
    "REELFORGE_STATES",
    "JobLifecycle",
    "JobState",
    "TimelineStep",
    "should_fail",
]

REELFORGE_STATES: Final = ("queued", "running", "succeeded", "failed", "canceled")
TERMINAL_STATES: Final = frozenset({"succeeded", "failed", "canceled"})

# Seconds each non-terminal phase lasts at speed 1, the same for every vendor: short enough for tests, long
# enough that a poller sees every status. The running phase is shared equally by the vendor's running values.
PHASE_SECONDS: Final[Mapping[str, float]] = {"queued": 1.0, "running": 3.0}

# A prompt containing this marker makes the job fail, part-way through its running phase.
FAIL_MARKER: Final = "[fail]"
# How far through the running phase a failing job fails.
FAIL_FRACTION: Final = 0.5


def should_fail(prompt: str | None) -> bool:
    """True when a job with this prompt is to fail (it contains FAIL_MARKER, in any letter case)."""
    return prompt is not None and FAIL_MARKER in prompt.lower()


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """From `at` seconds (at speed 1, counted from the start), the job shows `vendor_status` with `progress`."""

    at: float
    vendor_status: str
    progress: float


@dataclass(frozen=True, slots=True)
class JobState:
    """Where a job is at one moment: its vendor status and what it means to reelforge."""

    vendor_status: str
    reelforge_state: str
    progress: float
    eta_seconds: float | None
    terminal: bool


def _operations(document: Mapping[str, Any]) -> dict[str, tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """operationId -> (path, path item, operation)."""
    found: dict[str, tuple[str, Mapping[str, Any], Mapping[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, Mapping) and "operationId" in operation:
                found[str(operation["operationId"])] = (path, item, operation)
    return found


def _success_schema(operation: Mapping[str, Any]) -> Any:
    """The JSON schema of the operation's first 2xx response that has one."""
    for code, response in sorted(operation.get("responses", {}).items()):
        if str(code).startswith("2"):
            media = response.get("content", {}).get("application/json")
            if media is not None and "schema" in media:
                return media["schema"]
    raise ValueError(f"operation {operation.get('operationId')!r} has no 2xx JSON response")


def _deref(document: Mapping[str, Any], schema: Any) -> Any:
    while isinstance(schema, Mapping) and "$ref" in schema:
        schema = resolve_ref(document, str(schema["$ref"]))
    return schema


def _schema_at(document: Mapping[str, Any], schema: Any, jsonpath: str) -> Any:
    """The schema of the value a simple JSONPath selects in instances of `schema` (None when unknown)."""
    node = _deref(document, schema)
    for step in parse_simple_path(jsonpath):
        if not isinstance(node, Mapping):
            return None
        if step.name is not None:
            node = _deref(document, node.get("properties", {}).get(step.name))
        else:
            node = _deref(document, node.get("items"))
    return node


@dataclass(frozen=True)
class JobLifecycle:
    """One vendor's job lifecycle: its statuses, their meaning, their order in time, and its status bodies."""

    document: Mapping[str, Any]
    create_operation_id: str
    job: Mapping[str, Any]
    states: Mapping[str, tuple[str, ...]]
    status_values: tuple[str, ...]
    status_schema: Any
    job_id_field: str | None

    @classmethod
    def from_spec(cls, document: Mapping[str, Any], create_operation_id: str) -> JobLifecycle:
        """Read the lifecycle of the job `create_operation_id` makes from its x-reelforge-job.

        Raises ValueError when the operation has no x-reelforge-job, the status operation is missing, or
        the status enum and the states lists disagree (a value in no list, or in two).
        """
        operations = _operations(document)
        if create_operation_id not in operations:
            raise ValueError(f"no operation {create_operation_id!r} in the spec")
        create = operations[create_operation_id][2]
        job: Mapping[str, Any] | None = create.get("x-reelforge-job")
        if job is None:
            raise ValueError(f"operation {create_operation_id!r} has no x-reelforge-job")
        if job["status_operation"] not in operations:
            raise ValueError(f"status operation {job['status_operation']!r} is not in the spec")
        status_schema = _success_schema(operations[str(job["status_operation"])][2])
        states = {state: tuple(str(v) for v in job["states"].get(state, [])) for state in REELFORGE_STATES}
        listed = [value for values in states.values() for value in values]
        if len(listed) != len(set(listed)):
            raise ValueError("a vendor status appears in more than one reelforge state")
        value_schema = _schema_at(document, status_schema, str(job["status"]))
        enum = value_schema.get("enum") if isinstance(value_schema, Mapping) else None
        status_values = tuple(str(v) for v in enum) if enum else tuple(listed)
        if set(status_values) != set(listed):
            raise ValueError(
                f"the status enum {sorted(status_values)} and x-reelforge-job.states {sorted(listed)} disagree"
            )
        if not states["succeeded"] or not states["failed"] or not (states["queued"] or states["running"]):
            raise ValueError("a lifecycle needs a succeeded, a failed, and a queued or running status")
        id_field = parse_simple_path(str(job["job_id"]))[-1].name
        status_properties = _deref(document, status_schema).get("properties", {})
        return cls(
            document=document,
            create_operation_id=create_operation_id,
            job=job,
            states=states,
            status_values=status_values,
            status_schema=status_schema,
            job_id_field=id_field if id_field in status_properties else None,
        )

    # --- time -----------------------------------------------------------------------------------------

    @property
    def needs_start(self) -> bool:
        """True when the job waits in its first status until the start operation is called."""
        return "start_operation" in self.job

    @property
    def first_status(self) -> str:
        """The status a new job shows: the first queued value, else the first running one."""
        return (self.states["queued"] or self.states["running"])[0]

    def state_of(self, vendor_status: str) -> str:
        """The reelforge state of a vendor status value."""
        for state, values in self.states.items():
            if vendor_status in values:
                return state
        raise ValueError(f"{vendor_status!r} is not a status of this vendor")

    def _fail_at(self) -> float:
        return (PHASE_SECONDS["queued"] if self.states["queued"] else 0.0) + PHASE_SECONDS["running"] * FAIL_FRACTION

    def timeline(self, started: bool = True, fail: bool = False) -> list[TimelineStep]:
        """Every status the job shows, in order, with when it starts showing (seconds at speed 1).

        Time counts from the start call for a vendor that needs one (`needs_start`), from creation otherwise;
        a job that needs a start and has not had it shows its first status for ever (one step). The last
        step is terminal: the first succeeded value, or the first failed one when `fail`.
        """
        if self.needs_start and not started:
            return [TimelineStep(0.0, self.first_status, 0.0)]
        steps: list[TimelineStep] = []
        at = 0.0
        if self.states["queued"]:
            steps.append(TimelineStep(at, self.states["queued"][0], 0.0))
            at += PHASE_SECONDS["queued"]
        running = self.states["running"]
        share = PHASE_SECONDS["running"] / len(running) if running else 0.0
        end = self._fail_at() if fail else at + (PHASE_SECONDS["running"] if running else 0.0)
        for index, value in enumerate(running):
            begins = at + index * share
            if begins >= end and index > 0:
                break
            steps.append(TimelineStep(begins, value, index * share / PHASE_SECONDS["running"]))
        if fail:
            progress = (end - at) / PHASE_SECONDS["running"] if running else 0.0
            steps.append(TimelineStep(end, self.states["failed"][0], progress))
        else:
            steps.append(TimelineStep(end, self.states["succeeded"][0], 1.0))
        return steps

    def state_at(
        self, elapsed_seconds: float, speed: float = 1.0, fail: bool = False, started: bool = True
    ) -> JobState:
        """The job's state `elapsed_seconds` of wall time after its start (see `timeline`).

        `speed` scales every duration: at speed 10 the job is done ten times sooner. Progress grows
        linearly through the running phase; eta is the wall time left until the terminal status (None
        while a job waits for its start call).
        """
        if speed <= 0 or not math.isfinite(speed):
            raise ValueError(f"speed must be a positive number, not {speed!r}")
        steps = self.timeline(started=started, fail=fail)
        at = max(elapsed_seconds, 0.0) * speed
        current = steps[0]
        for step in steps:
            if step.at <= at:
                current = step
        state = self.state_of(current.vendor_status)
        terminal = state in TERMINAL_STATES
        progress = current.progress
        queued_seconds = PHASE_SECONDS["queued"] if self.states["queued"] else 0.0
        if state == "running":
            progress = min(max((at - queued_seconds) / PHASE_SECONDS["running"], 0.0), 1.0)
        if self.needs_start and not started:
            eta: float | None = None
        else:
            eta = 0.0 if terminal else max(steps[-1].at - at, 0.0) / speed
        return JobState(current.vendor_status, state, progress, eta, terminal)

    # --- bodies ---------------------------------------------------------------------------------------

    def status_body(
        self,
        state: JobState,
        job_id: str,
        result_urls: Sequence[str] = (),
        error_message: str | None = None,
        result_expires_at: Sequence[str] = (),
        result_count: int = 1,
    ) -> dict[str, Any]:
        """A whole status-operation response body for a job in `state`, valid against the spec.

        It starts from the schema's example instance and writes: the job id (when the status body has the
        create answer's id field), the status, the progress (scaled), the result URLs and their expiry
        times only when succeeded, and the error message only when failed. Result and error fields of the
        example are cleared (null, an empty array, or left out, whichever the schema allows) otherwise.
        """
        body: dict[str, Any] = copy.deepcopy(self._status_example)
        urls_path = str(self.job["result_urls"])
        # One item per result from the start where results sit in items that exist before them (Hera's outputs,
        # one per requested output, each with its own status); cleared below until the job succeeds.
        self._size_each(body, urls_path, result_count)
        if self.job_id_field is not None:
            set_at(body, f"$.{self.job_id_field}", job_id)
        status_path = str(self.job["status"])
        set_at(body, status_path, state.vendor_status)
        self._mirror_status(body, state.vendor_status)
        progress = self.job.get("progress")
        if isinstance(progress, Mapping):
            scaled = state.progress * float(progress.get("scale", 1))
            value_schema = _schema_at(self.document, self.status_schema, str(progress["path"]))
            if isinstance(value_schema, Mapping) and value_schema.get("type") == "integer":
                set_at(body, str(progress["path"]), round(scaled))
            else:
                set_at(body, str(progress["path"]), scaled)
        if "eta_seconds" in self.job and state.eta_seconds is not None:
            set_at(body, str(self.job["eta_seconds"]), math.ceil(state.eta_seconds))
        expires_path = self.job.get("result_expires_at")
        if state.reelforge_state == "succeeded" and result_urls:
            self._set_each(body, urls_path, list(result_urls))
            if expires_path is not None and result_expires_at:
                self._set_each(body, str(expires_path), list(result_expires_at))
        else:
            body = self._clear(body, urls_path)
        error_path = self.job.get("error_message")
        if error_path is not None:
            if state.reelforge_state == "failed" and error_message is not None:
                set_at(body, str(error_path), error_message)
            else:
                body = self._clear(body, str(error_path))
        return body

    @cached_property
    def _status_example(self) -> dict[str, Any]:
        """The status schema's example instance, built once (every status body starts from a copy of it)."""
        example = example_instance(self.document, self.status_schema)
        if not isinstance(example, dict):
            raise TypeError("the status response is not a JSON object")
        return example

    @cached_property
    def _clear_choices(self) -> dict[str, tuple[int, str]]:
        """How `_clear` emptied each path the first time ((prefix length, null|empty|drop)); every status body
        has the same shape, so the choice found valid once holds for every later body (the tests validate each)."""
        return {}

    def _mirror_status(self, body: dict[str, Any], vendor_status: str) -> None:
        """Items next to the result URLs that carry a status of the same enum get the job's status too."""
        steps = parse_simple_path(str(self.job["result_urls"]))
        status_name = parse_simple_path(str(self.job["status"]))[-1].name
        for position, step in enumerate(steps):
            if step.wildcard and status_name is not None:
                prefix = "$" + "".join(_render(s) for s in steps[: position + 1])
                item_schema = _schema_at(self.document, self.status_schema, prefix + "." + status_name)
                if isinstance(item_schema, Mapping) and vendor_status in item_schema.get("enum", ()):
                    for item in find_at(body, prefix):
                        if isinstance(item, dict):
                            item[status_name] = vendor_status
                break

    def _set_each(self, body: dict[str, Any], jsonpath: str, values: list[str]) -> None:
        """Set the nodes of a path with at most one wildcard to `values` in order, sizing that array to fit."""
        sized = self._size_each(body, jsonpath, len(values))
        if sized is None:
            set_at(body, jsonpath, values[0])
            return
        array_path, rest = sized
        for index, value in enumerate(values):
            set_at(body, f"{array_path}[{index}]{rest}", value)

    def _size_each(self, body: dict[str, Any], jsonpath: str, count: int) -> tuple[str, str] | None:
        """Size the array at the wildcard of a path to `count` items (copies of its first, or of the schema's
        example item); (array path, rest of the path), or None for a path without a wildcard."""
        steps = parse_simple_path(jsonpath)
        wild = [i for i, step in enumerate(steps) if step.wildcard]
        if not wild:
            return None
        cut = wild[0]
        array_path = "$" + "".join(_render(s) for s in steps[:cut])
        arrays = find_at(body, array_path)
        if not arrays or not isinstance(arrays[0], list):
            set_at(body, array_path, [])
            arrays = find_at(body, array_path)
        array = arrays[0]
        if not array and cut + 1 < len(steps):
            item_schema = _schema_at(self.document, self.status_schema, array_path + "[*]")
            array.append(example_instance(self.document, item_schema) if item_schema is not None else {})
        template = array[0] if array else None
        del array[count:]
        while len(array) < count:
            array.append(copy.deepcopy(template))
        return array_path, "".join(_render(s) for s in steps[cut + 1 :])

    def _clear(self, body: dict[str, Any], jsonpath: str) -> dict[str, Any]:
        """Remove what a path points at, the least intrusive valid way: null it, empty its array, or drop it."""
        if not find_at(body, jsonpath):
            return body
        steps = parse_simple_path(jsonpath)
        known = self._clear_choices.get(jsonpath)
        if known is not None:
            return _cleared(body, steps, *known)
        for cut in range(len(steps), 0, -1):
            prefix = "$" + "".join(_render(s) for s in steps[:cut])
            if not find_at(body, prefix):
                continue
            kinds = ["empty"] if steps[cut - 1].wildcard else ["null"]
            if steps[cut - 1].name is not None:
                kinds.append("drop")
            for kind in kinds:
                attempt = _cleared(body, steps, cut, kind)
                if attempt != body and is_valid_instance(self.document, self.status_schema, attempt):
                    self._clear_choices[jsonpath] = (cut, kind)
                    return attempt
        return body


def _cleared(body: dict[str, Any], steps: list[JSONPathStep], cut: int, kind: str) -> dict[str, Any]:
    """A copy of `body` with the node at the first `cut` steps nulled, its array emptied, or its key dropped."""
    result = copy.deepcopy(body)
    parent = "$" + "".join(_render(s) for s in steps[: cut - 1])
    if kind == "null":
        set_at(result, parent + _render(steps[cut - 1]), None)
    elif kind == "empty":
        set_at(result, parent, [])
    else:
        for node in find_at(result, parent):
            if isinstance(node, dict):
                node.pop(steps[cut - 1].name, None)
    return result


def _render(step: JSONPathStep) -> str:
    if step.name is not None:
        return f"['{step.name}']"
    if step.wildcard:
        return "[*]"
    return f"[{step.index}]"
