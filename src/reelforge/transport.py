"""The facade's one seam with the outside world: the steps the core asks for, and the two drivers that do them.

The facade's logic (studio.py, uploads.py, waiting.py) is written once, as generators that *yield* what they need
done: a `Call` (an HTTP request: answered with an `Answer`), a `Sleep`, a `Fetch` (a streamed download:
answered with the file's path), a `Notify` (a progress callback), and the two submit events `Submitting` and
`Submitted`. `drive` runs such a generator with blocking I/O, `drive_async` with coroutines that never block the
event loop. An exception while doing a step is thrown back into the generator at its `yield`, so retry and error
logic lives in the core too.

The seams for the safety layer (retries that never pay twice, the job journal):
- "send this request": every HTTP call goes through `Transport.send` / `AsyncTransport.send` (a `Call` says
  whether it is billable), so a retrying transport wraps it;
- "a submit is about to be sent / was answered": `SubmitObserver.submitting` runs before a create request
  leaves, `submitted` when it was answered (with the job) or failed (with the error).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from reelforge import downloads

if TYPE_CHECKING:
    import httpx

    from reelforge.jobs import Job

__all__ = [
    "Answer",
    "AsyncTransport",
    "Call",
    "Fetch",
    "Notify",
    "Sleep",
    "Step",
    "Steps",
    "SubmitIntent",
    "SubmitObserver",
    "Submitted",
    "Submitting",
    "Transport",
    "drive",
    "drive_async",
]

T = TypeVar("T")


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Final = _NoBody()


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP request. `url` is a path under the vendor's base URL (sent through its generated client, with
    the key where `schemes` name a security scheme), or, with `storage`, an absolute URL off the vendor's API
    (sent through a plain client that has no key at all)."""

    vendor: str
    operation: str
    method: str
    url: str
    schemes: tuple[str, ...] = ()
    json: Any = NO_BODY
    file: Path | None = None  # a multipart/form-data upload of this file...
    file_field: str | None = None  # ...in this field
    content_file: Path | None = None  # the raw bytes of this file as the body (a presigned PUT)
    content_type: str | None = None
    billable: bool = False  # a create or start call: the safety layer must never send it twice
    storage: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer, read whole (API answers are small; results are streamed by Fetch)."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    url: str

    def json(self) -> Any:
        """The body as JSON (None for an empty body); ValueError for a body that is not JSON."""
        return json.loads(self.content) if self.content.strip() else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Notify:
    """Call a user's progress callback with a job (awaited when it returns an awaitable, on the async side)."""

    callback: Callable[[Job], object]
    job: Job


@dataclass(frozen=True, slots=True)
class Fetch:
    """Stream `url` (a result on storage, fetched with no key) to `folder/<stem>.<ext>`; answered with the path."""

    vendor: str
    operation: str
    url: str
    folder: Path
    stem: str


@dataclass(frozen=True, slots=True)
class SubmitIntent:
    """A create call about to be sent: its vendor, operation and JSON body (no key)."""

    vendor: str
    operation: str
    body: Any


@dataclass(frozen=True, slots=True)
class Submitting:
    intent: SubmitIntent


@dataclass(frozen=True, slots=True)
class Submitted:
    intent: SubmitIntent
    job: Job | None = None
    error: BaseException | None = None


Step = Call | Sleep | Notify | Fetch | Submitting | Submitted
Steps = Generator[Step, Any, T]


class SubmitObserver:
    """Told about every create call (the journal of the safety layer subclasses this); does nothing itself."""

    def submitting(self, intent: SubmitIntent) -> None:
        """A create request is about to be sent."""

    def submitted(self, intent: SubmitIntent, job: Job | None, error: BaseException | None) -> None:
        """The create request was answered with `job`, or failed with `error` (it may still have reached the
        vendor)."""


class _Clients(Protocol):
    """Where a Call goes: each vendor's generated client, and one keyless client for storage."""

    def api(self, vendor: str) -> Any: ...


def _arguments(call: Call, client: Any, data: bytes | None) -> dict[str, Any]:
    """httpx.request keyword arguments for a Call: its headers (the key only for an API call whose operation
    names a security scheme) and its body (JSON, a multipart file, or raw bytes)."""
    headers: dict[str, str] = {}
    arguments: dict[str, Any] = {"headers": headers}
    if call.json is not NO_BODY:
        headers["Content-Type"] = "application/json"
        arguments["content"] = json.dumps(call.json).encode()
    elif call.file is not None and data is not None:
        name = call.file_field or "file"
        arguments["files"] = {name: (call.file.name, data, downloads.guess_type(call.file))}
    elif call.content_file is not None and data is not None:
        arguments["content"] = data
    if call.content_type is not None:
        headers["Content-Type"] = call.content_type
    if not call.storage:
        headers.update(client.credential_headers(call.schemes))
    return arguments


def _answer(response: httpx.Response) -> Answer:
    return Answer(
        response.status_code, response.headers, response.content, response.request.method, str(response.request.url)
    )


def _file_of(call: Call) -> Path | None:
    return call.file if call.file is not None else call.content_file


class Transport:
    """Sends Calls with blocking I/O: API calls through the vendor's generated client (its httpx client, its
    credential headers), storage calls through `storage`, a plain httpx.Client with no key."""

    def __init__(self, clients: _Clients, storage: httpx.Client) -> None:
        self.clients = clients
        self.storage = storage

    def send(self, call: Call) -> Answer:
        path = _file_of(call)
        data = path.read_bytes() if path is not None else None
        if call.storage:
            response = self.storage.request(call.method, call.url, **_arguments(call, None, data))
        else:
            client = self.clients.api(call.vendor)
            arguments = _arguments(call, client, data)
            response = client.get_httpx_client().request(call.method, call.url, **arguments)
        return _answer(response)

    def fetch(self, fetch: Fetch) -> Path:
        return downloads.stream_to(self.storage, fetch)


class AsyncTransport:
    """Sends Calls as coroutines; file reads and writes run in a thread, so the event loop never blocks."""

    def __init__(self, clients: _Clients, storage: httpx.AsyncClient) -> None:
        self.clients = clients
        self.storage = storage

    async def send(self, call: Call) -> Answer:
        path = _file_of(call)
        data = await asyncio.to_thread(path.read_bytes) if path is not None else None
        if call.storage:
            response = await self.storage.request(call.method, call.url, **_arguments(call, None, data))
        else:
            client = self.clients.api(call.vendor)
            arguments = _arguments(call, client, data)
            response = await client.get_async_httpx_client().request(call.method, call.url, **arguments)
        return _answer(response)

    async def fetch(self, fetch: Fetch) -> Path:
        return await downloads.stream_to_async(self.storage, fetch)


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None
    steps: int = field(default=0)


def _advance(steps: Steps[T], outcome: _Outcome) -> Step:
    """The generator's next step, given what the last one gave (or raised); StopIteration when it is done."""
    if outcome.error is not None:
        error, outcome.error = outcome.error, None
        return steps.throw(error)
    return steps.send(outcome.value)


def drive(steps: Steps[T], transport: Transport, observer: SubmitObserver) -> T:
    """Run `steps` to its end with blocking I/O, and return what it returns."""
    outcome = _Outcome()
    while True:
        try:
            step = _advance(steps, outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        try:
            if isinstance(step, Call):
                outcome.value = transport.send(step)
            elif isinstance(step, Sleep):
                time.sleep(max(0.0, step.seconds))
                outcome.value = None
            elif isinstance(step, Fetch):
                outcome.value = transport.fetch(step)
            elif isinstance(step, Notify):
                outcome.value = step.callback(step.job)
            elif isinstance(step, Submitting):
                observer.submitting(step.intent)
                outcome.value = None
            else:
                observer.submitted(step.intent, step.job, step.error)
                outcome.value = None
        except Exception as exc:  # noqa: BLE001 (thrown into the core, which decides what it means)
            outcome.value, outcome.error = None, exc


async def drive_async(steps: Steps[T], transport: AsyncTransport, observer: SubmitObserver) -> T:
    """Run `steps` to its end with coroutines (the same steps as `drive`, never blocking the loop)."""
    outcome = _Outcome()
    quiet = type(observer) is SubmitObserver  # the do-nothing observer needs no thread
    while True:
        try:
            step = _advance(steps, outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        try:
            if isinstance(step, Call):
                outcome.value = await transport.send(step)
            elif isinstance(step, Sleep):
                await asyncio.sleep(max(0.0, step.seconds))
                outcome.value = None
            elif isinstance(step, Fetch):
                outcome.value = await transport.fetch(step)
            elif isinstance(step, Notify):
                returned = step.callback(step.job)
                outcome.value = await returned if inspect.isawaitable(returned) else returned
            elif isinstance(step, Submitting):
                if not quiet:
                    await asyncio.to_thread(observer.submitting, step.intent)
                outcome.value = None
            else:
                if not quiet:
                    await asyncio.to_thread(observer.submitted, step.intent, step.job, step.error)
                outcome.value = None
        except Exception as exc:  # noqa: BLE001 (as in drive)
            outcome.value, outcome.error = None, exc
