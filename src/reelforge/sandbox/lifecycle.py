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

from reelforge.sandbox.examples import example_instance
from reelforge.specs import REELFORGE_STATES, TERMINAL_STATES, JobExtension, JSONPath, Spec, SpecError, Step

__all__ = [
    "FAIL_FRACTION",
    "FAIL_MARKER",
    "PHASE_SECONDS",
    "JobLifecycle",
    "JobState",
    "TimelineStep",
    "should_fail",
]

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


@dataclass(frozen=True)
class JobLifecycle:
    """One vendor's job lifecycle: its statuses, their meaning, their order in time, and its status bodies."""

    spec: Spec
    job: JobExtension
    status_values: tuple[str, ...]
    status_schema: Any
    job_id_field: str | None

    @classmethod
    def from_spec(cls, spec: Spec, create_operation_id: str) -> JobLifecycle:
        """Read the lifecycle of the job `create_operation_id` makes from its x-reelforge-job.

        Raises SpecError (a ValueError) when the spec has no such operation, the operation has no
        x-reelforge-job, the status operation is missing or documents no JSON success body, or the status enum
        and the states lists disagree (a value in no list, or in two).
        """
        job = JobExtension.of(spec.operation(create_operation_id))
        where = f"{spec.label}: {create_operation_id}'s x-reelforge-job"
        if not spec.has_operation(job.status_operation):
            raise SpecError(f"{where}: status operation {job.status_operation!r} is not in the spec")
        status_schema = spec.operation(job.status_operation).success_schema
        if status_schema is None:
            raise SpecError(f"{where}: status operation {job.status_operation!r} has no 2xx JSON response")
        listed = [value for state in REELFORGE_STATES for value in job.states[state]]
        if len(listed) != len(set(listed)):
            raise SpecError(f"{where}: a vendor status appears in more than one reelforge state")
        value_schema = spec.schema_at(status_schema, job.status)
        enum = value_schema.get("enum") if value_schema is not None else None
        status_values = tuple(str(v) for v in enum) if enum else tuple(listed)
        if set(status_values) != set(listed):
            raise SpecError(
                f"{where}: the status enum {sorted(status_values)} and x-reelforge-job.states {sorted(listed)} disagree"
            )
        states = job.states
        if not states["succeeded"] or not states["failed"] or not (states["queued"] or states["running"]):
            raise SpecError(f"{where}: a lifecycle needs a succeeded, a failed, and a queued or running status")
        # The status body repeats the job id where it has the create answer's id field (same name, at its top).
        id_field = job.job_id.last_name
        has_id = id_field is not None and spec.schema_at(status_schema, _member(id_field)) is not None
        return cls(
            spec=spec,
            job=job,
            status_values=status_values,
            status_schema=status_schema,
            job_id_field=id_field if has_id else None,
        )

    @property
    def create_operation_id(self) -> str:
        return self.job.create_operation

    @property
    def states(self) -> Mapping[str, tuple[str, ...]]:
        """reelforge state -> the vendor's values for it (every state present, maybe empty)."""
        return self.job.states

    # --- time -----------------------------------------------------------------------------------------

    @property
    def needs_start(self) -> bool:
        """True when the job waits in its first status until the start operation is called."""
        return self.job.start_operation is not None

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
        job = self.job
        body: dict[str, Any] = copy.deepcopy(self._status_example)
        # One item per result from the start where results sit in items that exist before them (Hera's outputs,
        # one per requested output, each with its own status); cleared below until the job succeeds.
        self._size_each(body, job.result_urls, result_count)
        if self.job_id_field is not None:
            _member(self.job_id_field).set(body, job_id)
        job.status.set(body, state.vendor_status)
        self._mirror_status(body, state.vendor_status)
        if job.progress is not None:
            scaled = state.progress * job.progress.scale
            value_schema = self.spec.schema_at(self.status_schema, job.progress.path)
            integer = value_schema is not None and value_schema.get("type") == "integer"
            job.progress.path.set(body, round(scaled) if integer else scaled)
        if job.eta_seconds is not None and state.eta_seconds is not None:
            job.eta_seconds.set(body, math.ceil(state.eta_seconds))
        if state.reelforge_state == "succeeded" and result_urls:
            self._set_each(body, job.result_urls, list(result_urls))
            if job.result_expires_at is not None and result_expires_at:
                self._set_each(body, job.result_expires_at, list(result_expires_at))
        else:
            body = self._clear(body, job.result_urls)
        if job.error_message is not None:
            if state.reelforge_state == "failed" and error_message is not None:
                job.error_message.set(body, error_message)
            else:
                body = self._clear(body, job.error_message)
        return body

    @cached_property
    def _status_example(self) -> dict[str, Any]:
        """The status schema's example instance, built once (every status body starts from a copy of it)."""
        example = example_instance(self.spec, self.status_schema)
        if not isinstance(example, dict):
            raise TypeError(f"{self.spec.label}: the status response of {self.create_operation_id} is not an object")
        return example

    @cached_property
    def _clear_choices(self) -> dict[JSONPath, tuple[int, str]]:
        """How `_clear` emptied each path the first time ((prefix length, null|empty|drop)); every status body
        has the same shape, so the choice found valid once holds for every later body (the tests validate each)."""
        return {}

    def _mirror_status(self, body: dict[str, Any], vendor_status: str) -> None:
        """Items next to the result URLs that carry a status of the same enum get the job's status too."""
        split = self.job.result_urls.split_at_wildcard()
        status_name = self.job.status.last_name
        if split is None or status_name is None:
            return
        items = split[0] / Step(wildcard=True)
        item_schema = self.spec.schema_at(self.status_schema, items / _member(status_name))
        if item_schema is not None and vendor_status in item_schema.get("enum", ()):
            for item in items.find(body):
                if isinstance(item, dict):
                    item[status_name] = vendor_status

    def _set_each(self, body: dict[str, Any], path: JSONPath, values: list[str]) -> None:
        """Set the nodes of a path with at most one wildcard to `values` in order, sizing that array to fit."""
        sized = self._size_each(body, path, len(values))
        if sized is None:
            path.set(body, values[0])
            return
        array_path, rest = sized
        for index, value in enumerate(values):
            (array_path / Step(index=index) / rest).set(body, value)

    def _size_each(self, body: dict[str, Any], path: JSONPath, count: int) -> tuple[JSONPath, JSONPath] | None:
        """Size the array at the wildcard of a path to `count` items (copies of its first, or of the schema's
        example item); (array path, rest of the path), or None for a path without a wildcard."""
        split = path.split_at_wildcard()
        if split is None:
            return None
        array_path, rest = split
        arrays = array_path.find(body)
        if not arrays or not isinstance(arrays[0], list):
            array_path.set(body, [])
            arrays = array_path.find(body)
        array = arrays[0]
        if not array and rest.steps:
            item_schema = self.spec.schema_at(self.status_schema, array_path / Step(wildcard=True))
            array.append(example_instance(self.spec, item_schema) if item_schema is not None else {})
        template = array[0] if array else None
        del array[count:]
        while len(array) < count:
            array.append(copy.deepcopy(template))
        return array_path, rest

    def _clear(self, body: dict[str, Any], path: JSONPath) -> dict[str, Any]:
        """Remove what a path points at, the least intrusive valid way: null it, empty its array, or drop it."""
        if not path.find(body):
            return body
        known = self._clear_choices.get(path)
        if known is not None:
            return _cleared(body, path, *known)
        for cut in range(len(path.steps), 0, -1):
            if not path.head(cut).find(body):
                continue
            last = path.steps[cut - 1]
            kinds = ["empty"] if last.wildcard else ["null"]
            if last.name is not None:
                kinds.append("drop")
            for kind in kinds:
                attempt = _cleared(body, path, cut, kind)
                if attempt != body and self.spec.is_valid(self.status_schema, attempt):
                    self._clear_choices[path] = (cut, kind)
                    return attempt
        return body


def _member(name: str) -> JSONPath:
    """The path of a top-level member (`$.name`)."""
    return JSONPath((Step(name=name),))


def _cleared(body: dict[str, Any], path: JSONPath, cut: int, kind: str) -> dict[str, Any]:
    """A copy of `body` with the node at the first `cut` steps of `path` nulled, its array emptied, or its key
    dropped."""
    result = copy.deepcopy(body)
    parent, last = path.head(cut - 1), path.steps[cut - 1]
    if kind == "null":
        path.head(cut).set(result, None)
    elif kind == "empty":
        parent.set(result, [])
    else:
        for node in parent.find(result):
            if isinstance(node, dict):
                node.pop(last.name, None)
    return result
