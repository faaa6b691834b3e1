"""`Studio` and `AsyncStudio`: submit, wait for and download a video on any vendor, driven by the specs.

Both are thin shells over one `_Core`, whose methods are generators of steps (transport.py): the core decides
what to send and what the answers mean; `Studio` does the steps with blocking I/O, `AsyncStudio` with
coroutines that never block the event loop. Every vendor fact comes from the effective spec its client package
ships: the inputs (x-reelforge-inputs, through reelforge.mapping), the lifecycle (x-reelforge-job), the uploads
(x-reelforge-upload) and the errors (x-reelforge-errors).
"""

from __future__ import annotations

import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from reelforge.catalog import client_package, known_vendors, spec_of
from reelforge.errors import (
    ConfigurationError,
    DownloadError,
    InvalidRequest,
    JobFailed,
    Problem,
    ReelforgeError,
    UnsupportedInput,
    UnsupportedOperation,
    VendorError,
)
from reelforge.jobs import Job, JobState
from reelforge.lifecycle import call_for, error_for, job_from_status, read_job_id, transport_error
from reelforge.requests import MEDIA_FIELDS, VideoRequest, is_url
from reelforge.specs import INPUT_TYPES, JobExtension, Spec
from reelforge.transport import (
    Answer,
    AsyncTransport,
    Call,
    Fetch,
    Steps,
    SubmitIntent,
    SubmitObserver,
    Submitted,
    Submitting,
    Transport,
    drive,
    drive_async,
)
from reelforge.uploads import upload_flow, upload_steps
from reelforge.validation import check_body, check_path_parameters
from reelforge.waiting import PollSchedule, next_delay, wait_steps

if TYPE_CHECKING:
    import httpx

    from reelforge.mapping import MediaValue

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_WAIT", "AsyncStudio", "Studio"]

DEFAULT_TIMEOUT: Final = 60.0  # seconds per HTTP request
DEFAULT_WAIT: Final = 900.0  # seconds a wait lasts unless told
_LOG: Final = logging.getLogger("reelforge")
_UNSAFE_IN_NAME: Final = re.compile(r"[^A-Za-z0-9._-]")
# Stand-ins for what an upload will yield, so a request is validated whole before any file is sent.
_PLACEHOLDER_URL: Final = "https://uploads.invalid/reelforge-placeholder"
_PLACEHOLDER_ID: Final = "00000000-0000-4000-8000-000000000000"


def _type_problem(name: str, value: Any) -> Problem | None:
    """A common input of the wrong Python type (a bool is no number)."""
    kind = INPUT_TYPES[name]
    if name not in MEDIA_FIELDS and kind == "string" and not isinstance(value, str):
        return Problem(f"/{name}", "a string", value)
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return Problem(f"/{name}", "an integer", value)
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)):
        return Problem(f"/{name}", "a number of seconds", value)
    if name in MEDIA_FIELDS:
        items = value if name == "reference_images" else (value,)
        for item in items:
            if not isinstance(item, str | os.PathLike):
                return Problem(f"/{name}", "an http(s) URL or a file path", item)
            if not is_url(item) and not Path(item).is_file():
                return Problem(f"/{name}", "an http(s) URL or an existing file", str(item))
    return None


def _limit_problems(name: str, value: Any, limits: Mapping[str, Any]) -> list[Problem]:
    """A common input against the limits reelforge.mapping.accepted reports, in the input's own units."""
    found: list[Problem] = []
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and "minimum" in limits and value < limits["minimum"]:
        found.append(Problem(f"/{name}", f"minimum {limits['minimum']}", value))
    if numeric and "maximum" in limits and value > limits["maximum"]:
        found.append(Problem(f"/{name}", f"maximum {limits['maximum']}", value))
    enum = limits.get("enum")
    if enum is not None and not isinstance(value, list | tuple) and value not in enum:
        found.append(Problem(f"/{name}", f"one of {list(enum)}", value))
    if isinstance(value, list | tuple) and "max_items" in limits and len(value) > limits["max_items"]:
        found.append(Problem(f"/{name}", f"at most {limits['max_items']} items", list(value)))
    return found


class _Clients:
    """Each vendor's generated client, made on first use with its key, base URL and timeout."""

    def __init__(
        self,
        keys: Mapping[str, str] | None,
        base_urls: Mapping[str, str] | None,
        timeout: float,
        transport: Any,
    ) -> None:
        known = known_vendors()
        for what, given in (("keys", keys), ("base_urls", base_urls)):
            unknown = sorted(set(given or {}) - set(known))
            if unknown:
                raise ConfigurationError(f"{what} names unknown vendors {unknown}; reelforge knows {list(known)}")
        self._keys = dict(keys or {})
        self._base_urls = dict(base_urls or {})
        self.timeout = timeout
        self.transport = transport
        self._made: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"_Clients(vendors={sorted(self._made)})"  # never the keys

    def key_variable(self, vendor: str) -> str:
        return str(client_package(vendor).API_KEY_ENV)

    def require_key(self, vendor: str) -> str:
        """The vendor's key; ConfigurationError naming its environment variable when missing or blank."""
        variable = self.key_variable(vendor)
        key = self._keys[vendor] if vendor in self._keys else os.environ.get(variable)
        if not isinstance(key, str) or not key.strip():
            raise ConfigurationError(
                f"no API key for {vendor}: set the {variable} environment variable, or pass "
                f"Studio(keys={{{vendor!r}: ...}})",
                vendor=vendor,
                variable=variable,
            )
        return key

    def api(self, vendor: str) -> Any:
        if vendor not in self._made:
            import httpx

            package = client_package(vendor)
            key = self.require_key(vendor)
            arguments: dict[str, Any] = {"timeout": httpx.Timeout(self.timeout), "api_key": key}
            if vendor in self._base_urls:
                arguments["base_url"] = self._base_urls[vendor]
            if self.transport is not None:
                arguments["httpx_args"] = {"transport": self.transport}
            self._made[vendor] = package.Client(**arguments)
        return self._made[vendor]

    def made(self) -> list[Any]:
        return list(self._made.values())


class _Core:
    """The facade's logic, once: every public method of the studios is one of these step generators."""

    def __init__(
        self,
        *,
        keys: Mapping[str, str] | None,
        base_urls: Mapping[str, str] | None,
        timeout: float,
        strict: bool,
        poll_schedule: PollSchedule,
        transport: Any,
    ) -> None:
        if not timeout > 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.clients = _Clients(keys, base_urls, timeout, transport)
        self.strict = strict
        self.poll_schedule = poll_schedule

    # --- sending ---------------------------------------------------------------------------------------

    def send(self, call: Call) -> Steps[Answer]:
        """Send one Call; a 2xx Answer, else the facade error the answer (or its absence) means."""
        import httpx

        try:
            answer: Answer = yield call
        except httpx.HTTPError as exc:
            _LOG.debug("%s %s %s: no answer (%s)", call.vendor, call.operation, call.method, type(exc).__name__)
            raise transport_error(call, exc) from exc
        _LOG.debug("%s %s %s -> %d", call.vendor, call.operation, call.method, answer.status)
        if not answer.ok:
            raise error_for(spec_of(call.vendor), call, answer)
        return answer

    def _json(self, call: Call, answer: Answer) -> Any:
        try:
            return answer.json()
        except ValueError as exc:
            raise VendorError(
                f"the answer is not JSON: {answer.content[:200]!r}",
                vendor=call.vendor,
                operation=call.operation,
                status=answer.status,
            ) from exc

    # --- choosing and building -------------------------------------------------------------------------

    def _choose(self, vendor: str, spec: Spec, values: Mapping[str, Any], operation: str | None) -> str:
        from reelforge.mapping import NoOperation, accepted, choose_operation

        try:
            chosen: str = choose_operation(spec, values, operation)
            return chosen
        except NoOperation as exc:
            from reelforge.specs import InputsExtension

            summaries = {e.operation: accepted(spec, e.operation) for e in InputsExtension.all_in(spec)}
            if operation is not None and operation in summaries:
                summaries = {operation: summaries[operation]}
            if not self.strict:
                # Take the first operation whose required inputs are set; what it cannot take becomes warnings.
                for name, summary in sorted(summaries.items(), key=lambda item: not item[1].preferred):
                    if all(required in values for required in summary.required):
                        return str(name)
            takers = {name for summary in summaries.values() for name in summary.accepted}
            refused = [name for name in values if name not in takers]
            if refused:
                raise UnsupportedInput(refused[0], str(exc), vendor=vendor, operation=operation) from exc
            missing = sorted({r for s in summaries.values() for r in s.required if r not in values})
            problems = [Problem(f"/{name}", "required (missing)", None) for name in missing]
            if problems:
                raise InvalidRequest(problems, vendor=vendor, operation=operation) from exc
            raise UnsupportedInput(next(iter(values), "request"), str(exc), vendor=vendor) from exc
        except ValueError as exc:  # an operation that does not exist, or is no create operation
            raise ConfigurationError(str(exc), vendor=vendor, operation=operation) from exc

    def _check_inputs(self, vendor: str, spec: Spec, operation: str, values: Mapping[str, Any]) -> None:
        from reelforge.mapping import accepted

        problems: list[Problem] = []
        limits = accepted(spec, operation).limits
        for name, value in values.items():
            problems.extend(_limit_problems(name, value, limits.get(name) or {}))
        if problems:
            raise InvalidRequest(problems, vendor=vendor, operation=operation)

    def _media(
        self, vendor: str, spec: Spec, values: Mapping[str, Any], resolved: Mapping[Path, MediaValue]
    ) -> dict[str, Any]:
        """The common inputs with media as MediaValues: URLs as given, local files as uploaded (or, before the
        uploads, as placeholders of the same shape)."""
        from reelforge.mapping import MediaValue

        flow = upload_flow(spec)
        # The placeholder has the shape the flow's answer will have: a file path (prefix, id, the file's suffix)
        # where the vendor names uploads by path, a bare id where it names them by asset id.
        by_path = flow is not None and flow.style == "presigned_put"
        prefix = (flow.file_path_prefix or "") if flow is not None and by_path else ""

        def one(item: Any) -> MediaValue:
            if is_url(item):
                return MediaValue(url=str(item), reference=None, local=False)
            path = Path(item)
            if path in resolved:
                return resolved[path]
            reference = f"{prefix}{_PLACEHOLDER_ID}{path.suffix}" if by_path else _PLACEHOLDER_ID
            return MediaValue(url=_PLACEHOLDER_URL, reference=reference, local=True)

        mapped = dict(values)
        for name in MEDIA_FIELDS:
            if name in values:
                mapped[name] = [one(i) for i in values[name]] if name == "reference_images" else one(values[name])
        return mapped

    def _body(
        self, vendor: str, spec: Spec, operation: str, values: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The vendor body of the request, validated, and the warnings for inputs left out (strict=False)."""
        from reelforge.mapping import MappingError, build_body

        try:
            built = build_body(spec, operation, values, options)
        except MappingError as exc:
            name = str(getattr(exc, "input", None) or "request")
            problem = Problem(f"/{name}", str(exc), getattr(exc, "value", values.get(name)))
            raise InvalidRequest([problem], vendor=vendor, operation=operation) from exc
        notes: list[str] = []
        for unsupported in built.unsupported:
            error = UnsupportedInput(unsupported.input, unsupported.reason, vendor=vendor, operation=operation)
            if self.strict:
                raise error
            notes.append(str(error))
        check_body(vendor, spec.operation(operation), built.body)
        return built.body, tuple(notes)

    # --- the public operations, as steps ------------------------------------------------------------------

    def submit(self, vendor: str, request: VideoRequest) -> Steps[Job]:
        if not isinstance(request, VideoRequest):
            raise TypeError(f"submit takes a VideoRequest, not {type(request).__name__}")
        spec = spec_of(vendor)
        self.clients.require_key(vendor)
        values = request.inputs()
        # A value of the wrong type is wrong whatever the vendor takes: said before what the vendor supports.
        wrong = [p for name, value in values.items() if (p := _type_problem(name, value)) is not None]
        if wrong:
            raise InvalidRequest(wrong, vendor=vendor, operation=request.operation)
        operation = self._choose(vendor, spec, values, request.operation)
        self._check_inputs(vendor, spec, operation, values)
        body, notes = self._body(vendor, spec, operation, self._media(vendor, spec, values, {}), request.options)
        local = list(dict.fromkeys(request.local_files()))
        if local:
            resolved: dict[Path, MediaValue] = {}
            for path in local:
                name = next(n for n in MEDIA_FIELDS if path in map(Path, _items(values.get(n))))
                resolved[path] = yield from upload_steps(vendor, spec, path, name, self.send)
            body, notes = self._body(
                vendor, spec, operation, self._media(vendor, spec, values, resolved), request.options
            )
        for note in notes:
            warnings.warn(note, UserWarning, stacklevel=2)
        create = spec.operation(operation)
        extension = JobExtension.of(create)
        intent = SubmitIntent(vendor, operation, body)
        yield Submitting(intent)
        try:
            call = call_for(vendor, create, body=body, billable=True)
            answer = yield from self.send(call)
            data = self._json(call, answer)
            job_id = read_job_id(extension, data)
            if job_id is None:
                raise VendorError(
                    f"the create answer has no job id at {extension.job_id}",
                    vendor=vendor,
                    operation=operation,
                    status=answer.status,
                )
            job = job_from_status(Job(vendor, job_id, operation, warnings=notes), extension, data)
        except BaseException as exc:
            yield Submitted(intent, error=exc)
            raise
        yield Submitted(intent, job=job)
        if extension.start_operation is not None:
            start = spec.operation(extension.start_operation)
            values_in_path = {extension.job_id_parameter: job.id}
            check_path_parameters(vendor, start, values_in_path)
            try:
                yield from self.send(call_for(vendor, start, values_in_path, billable=True))
            except ReelforgeError as exc:
                exc.message += f" (job {job.id} was created but not started: call {start.operation_id} for it)"
                raise
        return job

    def _extension(self, vendor: str, operation: str) -> JobExtension:
        return JobExtension.of(spec_of(vendor).operation(operation))

    def poll(self, job: Job) -> Steps[Job]:
        """One status call: the job as the vendor sees it now."""
        extension = self._extension(job.vendor, job.operation)
        status = spec_of(job.vendor).operation(extension.status_operation)
        values = {extension.job_id_parameter: job.id}
        check_path_parameters(job.vendor, status, values)
        call = call_for(job.vendor, status, values)
        answer = yield from self.send(call)
        return job_from_status(job, extension, self._json(call, answer))

    def job(self, vendor: str, job_id: str, operation: str | None = None) -> Steps[Job]:
        spec = spec_of(vendor)
        creates = JobExtension.all_in(spec)
        if operation is None:
            statuses = {e.status_operation for e in creates}
            if len(statuses) != 1:
                names = [e.create_operation for e in creates]
                raise ConfigurationError(
                    f"say which create operation made job {job_id!r} (operation=, one of {names})", vendor=vendor
                )
            operation = creates[0].create_operation
        elif operation not in {e.create_operation for e in creates}:
            raise ConfigurationError(
                f"{operation!r} is no create operation of {vendor} (they are {[e.create_operation for e in creates]})",
                vendor=vendor,
            )
        self.clients.require_key(vendor)
        return (yield from self.poll(Job(vendor, str(job_id), operation, state=JobState.unknown)))

    def wait(self, job: Job, timeout: float, on_progress: Callable[[Job], object] | None) -> Steps[Job]:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.clients.require_key(job.vendor)
        finished = yield from wait_steps(
            job, self.poll, timeout=timeout, on_progress=on_progress, schedule=self.poll_schedule
        )
        if finished.state is not JobState.succeeded:
            raise JobFailed(finished, finished.error)
        return finished

    def download(self, job: Job, folder: str | os.PathLike[str]) -> Steps[list[Path]]:
        if job.state is not JobState.succeeded or not job.result_urls:
            raise DownloadError(
                f"job {job.id} is {job.state.value} with {len(job.result_urls)} result URLs: wait for it first",
                vendor=job.vendor,
                operation=job.operation,
            )
        stem = f"{job.vendor}-{_UNSAFE_IN_NAME.sub('_', job.id)}"
        paths: list[Path] = []
        for number, url in enumerate(job.result_urls, start=1):
            path: Path = yield Fetch(job.vendor, "download", url, Path(folder), f"{stem}-{number}")
            paths.append(path)
        return paths

    def generate(
        self,
        vendor: str,
        request: VideoRequest,
        folder: str | os.PathLike[str],
        timeout: float,
        on_progress: Callable[[Job], object] | None,
    ) -> Steps[list[Path]]:
        job = yield from self.submit(vendor, request)
        job = yield from self.wait(job, timeout, on_progress)
        return (yield from self.download(job, folder))

    def cancel(self, job: Job) -> Steps[Job]:
        extension = self._extension(job.vendor, job.operation)
        if extension.cancel_operation is None:
            raise UnsupportedOperation(
                f"{job.vendor}'s spec has no cancel or delete call for jobs of {job.operation}: the job runs to its "
                "end",
                vendor=job.vendor,
                operation=job.operation,
            )
        self.clients.require_key(job.vendor)
        cancel = spec_of(job.vendor).operation(extension.cancel_operation)
        values = {extension.job_id_parameter: job.id}
        check_path_parameters(job.vendor, cancel, values)
        yield from self.send(call_for(job.vendor, cancel, values))
        if extension.cancel_effect == "deleted":
            # The job is gone at the vendor: nothing to read back.
            return job.evolve(state=JobState.canceled, eta_seconds=None, result_urls=(), error="deleted")
        return (yield from self.poll(job))


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [item for item in value if not is_url(item)]
    return [] if is_url(value) else [value]


class _Shell:
    """What both studios share: their settings, and the core."""

    def __init__(
        self,
        keys: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        strict: bool = True,
        *,
        poll_schedule: PollSchedule = next_delay,
        observer: SubmitObserver | None = None,
        transport: Any = None,
    ) -> None:
        self._core = _Core(
            keys=keys,
            base_urls=base_urls,
            timeout=timeout,
            strict=strict,
            poll_schedule=poll_schedule,
            transport=transport,
        )
        self._observer = observer if observer is not None else SubmitObserver()

    @property
    def strict(self) -> bool:
        return self._core.strict

    def __repr__(self) -> str:
        return f"{type(self).__name__}(timeout={self._core.clients.timeout}, strict={self.strict})"

    def client(self, vendor: str) -> Any:
        """The authenticated generated client of `vendor` (reelforge_<vendor>.Client), for everything else."""
        return self._core.clients.api(vendor)

    def _storage_arguments(self) -> dict[str, Any]:
        import httpx

        arguments: dict[str, Any] = {"timeout": httpx.Timeout(self._core.clients.timeout), "follow_redirects": True}
        if self._core.clients.transport is not None:
            arguments["transport"] = self._core.clients.transport
        return arguments


class Studio(_Shell):
    """Submit, wait for and download videos on any vendor, with blocking calls.

    `keys` (vendor -> API key) default to each client's environment variable (HERA_API_KEY, ...); `base_urls`
    (vendor -> URL) to the production servers; `timeout` is per HTTP request; with `strict=False` an input the
    vendor cannot honour is left out with a warning (recorded on the Job) instead of raising UnsupportedInput.
    `poll_schedule` picks the pause between status calls (waiting.next_delay); `observer` is told about every
    create call; `transport` is an httpx transport for every request (tests: httpx.MockTransport).
    """

    def __init__(
        self,
        keys: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        strict: bool = True,
        *,
        poll_schedule: PollSchedule = next_delay,
        observer: SubmitObserver | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            keys, base_urls, timeout, strict, poll_schedule=poll_schedule, observer=observer, transport=transport
        )
        self._transport: Transport | None = None

    def _run(self, steps: Steps[Any]) -> Any:
        if self._transport is None:
            import httpx

            self._transport = Transport(self._core.clients, httpx.Client(**self._storage_arguments()))
        return drive(steps, self._transport, self._observer)

    def submit(self, vendor: str, request: VideoRequest) -> Job:
        """Create the job (uploading local files first, starting it where the vendor needs that)."""
        job: Job = self._run(self._core.submit(vendor, request))
        return job

    def wait(self, job: Job, timeout: float = DEFAULT_WAIT, on_progress: Callable[[Job], object] | None = None) -> Job:
        """Poll until the job ends: the succeeded Job; JobFailed, or WaitTimeout (the job goes on at the vendor)."""
        finished: Job = self._run(self._core.wait(job, timeout, on_progress))
        return finished

    def download(self, job: Job, folder: str | os.PathLike[str]) -> list[Path]:
        """Stream every result of a succeeded job to `folder/<vendor>-<job id>-<n>.<ext>`."""
        paths: list[Path] = self._run(self._core.download(job, folder))
        return paths

    def generate(
        self,
        vendor: str,
        request: VideoRequest,
        folder: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_WAIT,
        on_progress: Callable[[Job], object] | None = None,
    ) -> list[Path]:
        """submit, wait and download in one call."""
        paths: list[Path] = self._run(self._core.generate(vendor, request, folder, timeout, on_progress))
        return paths

    def job(self, vendor: str, job_id: str, operation: str | None = None) -> Job:
        """A job's current state, by its vendor and id (from any process)."""
        job: Job = self._run(self._core.job(vendor, job_id, operation))
        return job

    def cancel(self, job: Job) -> Job:
        """Cancel (or delete, as the vendor's spec says) a job; UnsupportedOperation where there is no way."""
        canceled: Job = self._run(self._core.cancel(job))
        return canceled

    def close(self) -> None:
        """Close every connection the studio opened."""
        for client in self._core.clients.made():
            client.close()
        if self._transport is not None:
            self._transport.storage.close()
            self._transport = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class AsyncStudio(_Shell):
    """Studio's methods as coroutines (the same arguments and results); never blocks the event loop."""

    def __init__(
        self,
        keys: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        strict: bool = True,
        *,
        poll_schedule: PollSchedule = next_delay,
        observer: SubmitObserver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            keys, base_urls, timeout, strict, poll_schedule=poll_schedule, observer=observer, transport=transport
        )
        self._transport: AsyncTransport | None = None

    async def _run(self, steps: Steps[Any]) -> Any:
        if self._transport is None:
            import httpx

            self._transport = AsyncTransport(self._core.clients, httpx.AsyncClient(**self._storage_arguments()))
        return await drive_async(steps, self._transport, self._observer)

    async def submit(self, vendor: str, request: VideoRequest) -> Job:
        """Create the job (uploading local files first, starting it where the vendor needs that)."""
        job: Job = await self._run(self._core.submit(vendor, request))
        return job

    async def wait(
        self, job: Job, timeout: float = DEFAULT_WAIT, on_progress: Callable[[Job], object] | None = None
    ) -> Job:
        """Poll until the job ends (on_progress may return an awaitable, which is awaited)."""
        finished: Job = await self._run(self._core.wait(job, timeout, on_progress))
        return finished

    async def download(self, job: Job, folder: str | os.PathLike[str]) -> list[Path]:
        """Stream every result of a succeeded job to `folder/<vendor>-<job id>-<n>.<ext>`."""
        paths: list[Path] = await self._run(self._core.download(job, folder))
        return paths

    async def generate(
        self,
        vendor: str,
        request: VideoRequest,
        folder: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_WAIT,
        on_progress: Callable[[Job], object] | None = None,
    ) -> list[Path]:
        """submit, wait and download in one call."""
        paths: list[Path] = await self._run(self._core.generate(vendor, request, folder, timeout, on_progress))
        return paths

    async def job(self, vendor: str, job_id: str, operation: str | None = None) -> Job:
        """A job's current state, by its vendor and id (from any process)."""
        job: Job = await self._run(self._core.job(vendor, job_id, operation))
        return job

    async def cancel(self, job: Job) -> Job:
        """Cancel (or delete, as the vendor's spec says) a job; UnsupportedOperation where there is no way."""
        canceled: Job = await self._run(self._core.cancel(job))
        return canceled

    async def aclose(self) -> None:
        """Close every connection the studio opened."""
        for client in self._core.clients.made():
            await client.aclose()
        if self._transport is not None:
            await self._transport.storage.aclose()
            self._transport = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()
