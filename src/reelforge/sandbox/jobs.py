"""Jobs: the create, start, status and cancel calls of a vendor's x-reelforge-job, on the sandbox's state.

A create stores a job and answers the documented success body with the job id and its first status written in;
a start starts the job's clock (Argil's render); a status call answers the job's state at this moment as a
status body; a cancel marks the job canceled, or deletes it, as `cancel_effect` says. A job fails when any
string its create body has at `x-reelforge-job.prompt` contains the fail marker (lifecycle.should_fail).
The log gets `job_created` (with the create call's JSON body as `body`), `job_create_repeated`, `job_started`
(with the start call's JSON body as `body`, where it sent one), `job_canceled` and `job_cancel_ignored`.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reelforge.sandbox import RESULT_URL_LIFETIME_SECONDS
from reelforge.sandbox.answers import Answers, iso_time, success_of
from reelforge.sandbox.catalog import ServedOperation
from reelforge.sandbox.examples import example_instance
from reelforge.sandbox.lifecycle import JobLifecycle, JobState, should_fail
from reelforge.sandbox.state import Job, ResultFile, SandboxState
from reelforge.specs import JSONPath, Step

__all__ = ["FAILED_MESSAGE", "Jobs", "prompts"]

FAILED_MESSAGE = "The sandbox failed this job: its prompt contains [fail]."


def prompts(lifecycle: JobLifecycle, body: Any) -> list[str]:
    """The prompt texts of a create body: every string at the lifecycle's `prompt` path."""
    return [value for value in lifecycle.job.prompt.find(body) if isinstance(value, str)]


def _result_count(lifecycle: JobLifecycle, body: Any) -> int:
    """How many result URLs a job has: one, or, when the URLs sit in an array named like an array of the
    create body (Hera's `outputs`), one per item of that array."""
    split = lifecycle.job.result_urls.split_at_wildcard()
    name = split[0].last_name if split is not None else None
    if name is not None and isinstance(body, Mapping):
        items = body.get(name)
        if isinstance(items, list) and items:
            return len(items)
    return 1


def _status_paths(lifecycle: JobLifecycle, schema: Any) -> Iterable[JSONPath]:
    """Where the create answer shows the job's status: the status path, or the status field beside the job id
    (Oxen's generations[0].status), when the create schema has one that takes the first status."""
    job, spec = lifecycle.job, lifecycle.spec
    candidates = [job.status]
    status_name = job.status.last_name
    if status_name is not None and job.job_id.steps:
        candidates.append(job.job_id.head(len(job.job_id.steps) - 1) / Step(name=status_name))
    for path in dict.fromkeys(candidates):
        target = spec.schema_at(schema, path)
        if target is not None and (
            lifecycle.first_status in target.get("enum", ())
            or (target.get("type") == "string" and "enum" not in target)
        ):
            yield path


class Jobs:
    """The job calls of one vendor, on the sandbox's shared state, at its speed."""

    def __init__(self, answers: Answers, state: SandboxState, speed: float) -> None:
        self.answers = answers
        self.vendor = answers.vendor.vendor
        self.spec = answers.spec
        self.state = state
        self.speed = speed

    def create(self, op: ServedOperation, lifecycle: JobLifecycle, request: Request, body: Any) -> Response:
        """A create call: a new job (or, for a reused pre-reserved id, the same one), answered as documented."""
        job_id = str(uuid.uuid4())
        idempotency = lifecycle.job.idempotency
        if idempotency is not None and isinstance(body, Mapping):
            reserved = body.get(idempotency.request_field)
            if isinstance(reserved, str) and reserved:
                job_id = reserved
        status_code, schema = success_of(op.operation)
        with self.state.lock:
            job = self.state.jobs.get((self.vendor, job_id))
            if job is None:
                job = Job(
                    self.vendor,
                    job_id,
                    lifecycle,
                    created_at=time.time(),
                    fail=any(should_fail(prompt) for prompt in prompts(lifecycle, body)),
                    result_count=_result_count(lifecycle, body),
                )
                self.state.add_job(job)
                self.state.record(
                    "job_created", vendor=self.vendor, job_id=job_id, operation=op.operation_id, body=body
                )
            else:
                # The client reused a pre-reserved id (Hedra's generation_id). The spec marks that deduplication
                # as unconfirmed (idempotency.confirmed is false: Hedra does not document it), so the sandbox
                # answers the same job but logs the repeat: a test that counts creates sees a retried create.
                self.state.record("job_create_repeated", vendor=self.vendor, job_id=job_id)
            if schema is not None and schema == lifecycle.status_schema:
                return JSONResponse(self.status_body(job, request), status_code=status_code)
        answer = example_instance(self.spec, schema) if schema is not None else {}
        lifecycle.job.job_id.set(answer, job_id)
        for status_path in _status_paths(lifecycle, schema):
            status_path.set(answer, lifecycle.first_status)
        return JSONResponse(answer, status_code=status_code)

    def follow(self, op: ServedOperation, lifecycle: JobLifecycle, request: Request, body: Any) -> Response:
        """A status, start or cancel call on the job named in the path (the vendor's not-found answer for an
        unknown id)."""
        job_id = str(request.path_params[lifecycle.job.job_id_parameter])
        with self.state.lock:
            job = self.state.jobs.get((self.vendor, job_id))
            if job is None:
                return self.answers.error("not_found", operation=op.operation_id, job_id=job_id)
            if op.role == "start" and job.started_at is None:
                job.started_at = time.time()
                self.state.save_job(job)
                sent = {"body": body} if body is not None else {}
                self.state.record("job_started", vendor=self.vendor, job_id=job_id, **sent)
            if op.role == "cancel":
                return self.cancel(op, job)
            return JSONResponse(self.status_body(job, request), status_code=success_of(op.operation)[0])

    def cancel(self, op: ServedOperation, job: Job) -> Response:
        """The job's cancel call, as its x-reelforge-job cancel_effect says (called with the lock held)."""
        if job.lifecycle.job.cancel_effect == "deleted":
            self.state.delete_job((job.vendor, job.job_id))
            self.state.record("job_canceled", vendor=job.vendor, job_id=job.job_id, deleted=True)
        elif self.state_now(job, time.time()).terminal:  # finished: nothing left to cancel, nothing changes
            self.state.record("job_cancel_ignored", vendor=job.vendor, job_id=job.job_id, reason="finished")
        else:
            job.canceled = True
            self.state.save_job(job)
            self.state.record("job_canceled", vendor=job.vendor, job_id=job.job_id, deleted=False)
        status_code, schema = success_of(op.operation)
        if schema is None:
            return Response(status_code=status_code)
        if schema == job.lifecycle.status_schema:
            return JSONResponse(self.status_body(job, None), status_code=status_code)
        return JSONResponse(example_instance(self.spec, schema), status_code=status_code)

    def state_now(self, job: Job, now: float) -> JobState:
        """Where the job is at `now` (wall clock) on its timeline, or canceled."""
        lifecycle = job.lifecycle
        if job.canceled:
            return JobState(lifecycle.states["canceled"][0], "canceled", 0.0, 0.0, True)
        started = job.started_at is not None
        origin = job.started_at if lifecycle.needs_start and job.started_at is not None else job.created_at
        return lifecycle.state_at(now - origin, speed=self.speed, fail=job.fail, started=started)

    def status_body(self, job: Job, request: Request | None) -> dict[str, Any]:
        """The job's status body now (called with the lock held)."""
        state = self.state_now(job, time.time())
        urls: list[str] = []
        expires: list[str] = []
        if state.reelforge_state == "succeeded":
            urls, expires = self.result_urls(job, request)
        message = FAILED_MESSAGE if state.reelforge_state == "failed" else None
        return job.lifecycle.status_body(state, job.job_id, urls, message, expires, result_count=job.result_count)

    def result_urls(self, job: Job, request: Request | None) -> tuple[list[str], list[str]]:
        """The job's result URLs and their expiry times. Expired ones are replaced by fresh ones, as a new status
        call does at Magic Hour (each status answer carries download URLs valid for 24 h from then)."""
        expiring = job.lifecycle.job.result_expires_at is not None
        wall = time.time()
        if not job.result_tokens or (job.result_expires is not None and job.result_expires <= wall):
            job.result_expires = wall + RESULT_URL_LIFETIME_SECONDS / self.speed if expiring else None
            job.result_tokens = [secrets.token_urlsafe(16) for _ in range(job.result_count)]
            for token in job.result_tokens:
                self.state.add_file(token, ResultFile(job.result_expires))
            self.state.save_job(job)
        base = str(request.base_url).rstrip("/") if request is not None else ""
        urls = [f"{base}/files/{token}.mp4" for token in job.result_tokens]
        expires = [iso_time(job.result_expires)] * len(urls) if job.result_expires is not None else []
        return urls, expires
