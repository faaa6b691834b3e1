"""Fault injection: answers a client must survive, from a per-request header or from a fault file.

One fault is a short string, spelled the same in the `X-Reelforge-Fault` header and in a fault file:

- `429`, `429 retry-after=N`: too many requests, in the vendor's error shape; `Retry-After: N` only when given.
- `500`, `502`, `503`, `503 retry-after=N`: a server error in the vendor's error shape.
- `drop-before`: the connection is closed before the server acts; nothing happens and no byte is sent.
- `drop-after`: the server acts (e.g. creates the job), then closes the connection without answering.
- `slow=SECONDS`: the server acts, then waits SECONDS before answering.
- `cut`, `cut=FRACTION`: the headers go out with the full Content-Length, then only FRACTION (0 <= F < 1,
  default 0.5) of the body, then the connection is closed (meant for downloads; works on any answer).

The header applies to its own request only, and wins over the file: a request carrying it is not counted
by the file's rules. A bad header value gets a 400 plain-text answer and the request is not acted on.

A fault file (YAML or JSON) holds a list of rules under `faults`; each rule has `fault` (a spelling above) and
optionally `vendor`, `operation` (an operationId, or `download` for result files), `method`, `skip` (let this
many matching requests through first, default 0) and `times` (fire this many times, default 1; `always` or
null for no limit). For each request the rules are tried in order; the first rule that fires decides, and the
rules after it do not count that request.

Every fault injected is logged as `fault_injected` (vendor, operation, fault, source, method, path) in the
sandbox's log, next to the request's own events (job_created, ...), so a test can count what happened.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from reelforge.registry import VENDORS
from reelforge.sandbox.errors import ErrorKind, error_answer
from reelforge.sandbox.state import SandboxState
from reelforge.specs import DocumentError, parse_document

__all__ = [
    "CONTROL_PREFIX",
    "DOWNLOAD_OPERATION",
    "FAULT_HEADER",
    "SPELLINGS",
    "Fault",
    "FaultFileError",
    "FaultMiddleware",
    "FaultPlan",
    "FaultRule",
    "parse_fault",
]

FAULT_HEADER: Final = "X-Reelforge-Fault"
# Paths of the sandbox itself, not of a vendor or of storage (routes.LOG_PATH): faults never touch them.
CONTROL_PREFIX: Final = "/_sandbox/"
DOWNLOAD_OPERATION: Final = "download"  # the operation name of /files/<token>.mp4 in rules and the log
SPELLINGS: Final = (
    "429",
    "429 retry-after=N",
    "500",
    "502",
    "503",
    "503 retry-after=N",
    "drop-before",
    "drop-after",
    "slow=SECONDS",
    "cut",
    "cut=FRACTION (0 <= FRACTION < 1)",
)
_VALID: Final = "valid faults: " + ", ".join(repr(s) for s in SPELLINGS)
_STATUSES: Final = (429, 500, 502, 503)
_RETRY_AFTER_STATUSES: Final = (429, 503)
_DEFAULT_CUT: Final = 0.5
_RULE_FIELDS: Final = ("fault", "vendor", "operation", "method", "skip", "times")

FaultKind = Literal["status", "drop-before", "drop-after", "slow", "cut"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: an error status (with an optional Retry-After), a dropped connection, a delay or a cut."""

    kind: FaultKind
    status: int | None = None
    retry_after: int | None = None
    seconds: float | None = None
    fraction: float | None = None

    @property
    def spelling(self) -> str:
        """The fault as written in a header or a file (normalized)."""
        if self.kind == "status":
            suffix = f" retry-after={self.retry_after}" if self.retry_after is not None else ""
            return f"{self.status}{suffix}"
        if self.kind == "slow":
            return f"slow={self.seconds:g}"
        if self.kind == "cut":
            return f"cut={self.fraction:g}"
        return self.kind


def _bad(text: str, why: str = "") -> ValueError:
    return ValueError(f"unknown fault {text!r}{': ' + why if why else ''}; {_VALID}")


def _number(text: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _bad(text, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise _bad(text, f"{value!r} is not a finite number")
    return number


def parse_fault(text: str) -> Fault:
    """The Fault a spelling names (see the module docstring); ValueError naming the text and the valid ones."""
    words = text.strip().lower().split()
    if not words:
        raise _bad(text, "it is empty")
    head, options = words[0], words[1:]
    if head.isdigit():
        status = int(head)
        if status not in _STATUSES:
            raise _bad(text, f"status {status} is not one the sandbox injects")
        retry_after: int | None = None
        for option in options:
            name, _, value = option.partition("=")
            if name != "retry-after" or status not in _RETRY_AFTER_STATUSES or retry_after is not None:
                raise _bad(text, f"{option!r} is not an option of {status}")
            if not value.isdigit():
                raise _bad(text, "retry-after takes whole seconds, e.g. retry-after=3")
            retry_after = int(value)
        return Fault("status", status=status, retry_after=retry_after)
    if options:
        raise _bad(text, f"{head!r} takes no options")
    name, equals, value = head.partition("=")
    if name in ("drop-before", "drop-after") and not equals:
        return Fault(name)  # type: ignore[arg-type]  # one of the two literals, checked above
    if name == "slow" and equals:
        seconds = _number(text, value)
        if seconds < 0:
            raise _bad(text, "slow takes seconds >= 0")
        return Fault("slow", seconds=seconds)
    if name == "cut":
        fraction = _number(text, value) if equals else _DEFAULT_CUT
        if not 0 <= fraction < 1:
            raise _bad(text, "cut takes a fraction of the body, 0 <= FRACTION < 1")
        return Fault("cut", fraction=fraction)
    raise _bad(text)


# --- fault files -----------------------------------------------------------------------------------------


class FaultFileError(ValueError):
    """A fault file that cannot be used: the message names the file, the rule and the field."""


@dataclass
class FaultRule:
    """A rule of a fault file: which requests it matches, and how often it fires."""

    fault: Fault
    vendor: str | None = None
    operation: str | None = None
    method: str | None = None
    skip: int = 0
    times: int | None = 1  # None: no limit
    seen: int = field(default=0, compare=False)  # matching requests so far
    fired: int = field(default=0, compare=False)

    def matches(self, vendor: str | None, operation: str | None, method: str) -> bool:
        return (
            (self.vendor is None or self.vendor == vendor)
            and (self.operation is None or self.operation == operation)
            and (self.method is None or self.method == method.upper())
        )


class FaultPlan:
    """The rules of a fault file, with their counters; safe to share between threads."""

    def __init__(self, rules: Sequence[FaultRule], source: str = "<rules>") -> None:
        self.rules = list(rules)
        self.source = source
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | Path) -> FaultPlan:
        """Read and check a YAML or JSON fault file; FaultFileError names the file, rule and field at fault."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except IsADirectoryError:
            raise FaultFileError(f"{path}: is a folder; give the path of a YAML or JSON fault file") from None
        except OSError as exc:
            raise FaultFileError(f"{path}: cannot read the fault file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise FaultFileError(f"{path}: not UTF-8 text (byte {exc.start}); save the fault file as UTF-8") from None
        # YAML through the project's one loader: keys stay the text written (`on:` is the key "on", not True) and
        # a key given twice is an error, so no YAML 1.1 reading quietly changes a rule. A .json file is JSON only.
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else parse_document(text, str(path))
        except json.JSONDecodeError as exc:
            raise FaultFileError(f"{path}: not valid JSON: {exc}") from None
        except DocumentError as exc:
            raise FaultFileError(str(exc)) from None
        return cls.from_data(data, str(path))

    @classmethod
    def from_data(cls, data: Any, source: str = "<rules>") -> FaultPlan:
        """Check already-parsed fault-file content (`{"faults": [rule, ...]}`)."""
        if not isinstance(data, Mapping) or set(data) != {"faults"}:
            raise FaultFileError(f"{source}: expected a mapping with one key, 'faults', holding a list of rules")
        items = data["faults"]
        if not isinstance(items, list):
            raise FaultFileError(f"{source}: 'faults' must be a list of rules, not {type(items).__name__}")
        return cls([_rule(source, index, item) for index, item in enumerate(items)], source)

    def check_operations(self, operations: Mapping[str, Iterable[str]]) -> None:
        """FaultFileError for a rule that could never fire: one naming a vendor that is not served, or an
        operation no served vendor has (a typo)."""
        for index, rule in enumerate(self.rules):
            if rule.vendor is not None and rule.vendor not in operations:
                raise FaultFileError(
                    f"{self.source}: faults[{index}].vendor: {rule.vendor!r} is not served by this sandbox (it serves "
                    f"{', '.join(operations)}); serve it too, or remove the rule"
                )
            if rule.operation is None or rule.operation == DOWNLOAD_OPERATION:
                continue
            vendors = [rule.vendor] if rule.vendor is not None else list(operations)
            known = sorted({name for vendor in vendors for name in operations.get(vendor, ())})
            if rule.operation not in known:
                where = f"vendor {rule.vendor}" if rule.vendor else "any served vendor"
                raise FaultFileError(
                    f"{self.source}: faults[{index}].operation: {rule.operation!r} is not an operation of {where};"
                    f" expected {DOWNLOAD_OPERATION!r} or one of: {', '.join(known)}"
                )

    def take(self, vendor: str | None, operation: str | None, method: str) -> Fault | None:
        """The fault for this request, counting it against the rules (the first rule that fires wins)."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(vendor, operation, method):
                    continue
                rule.seen += 1
                if rule.seen > rule.skip and (rule.times is None or rule.fired < rule.times):
                    rule.fired += 1
                    return rule.fault
        return None


def _rule(source: str, index: int, item: Any) -> FaultRule:
    where = f"{source}: faults[{index}]"
    if not isinstance(item, Mapping):
        raise FaultFileError(f"{where}: expected a mapping with 'fault' and optional {', '.join(_RULE_FIELDS[1:])}")
    unknown = sorted(str(key) for key in item if key not in _RULE_FIELDS)
    if unknown:
        raise FaultFileError(f"{where}: unknown field {unknown[0]!r}; expected fields: {', '.join(_RULE_FIELDS)}")
    if "fault" not in item:
        raise FaultFileError(f"{where}.fault: missing; expected a fault such as '429 retry-after=2'. {_VALID}")
    if isinstance(item["fault"], bool) or not isinstance(item["fault"], str | int):
        raise FaultFileError(f"{where}.fault: expected a string, not {_kind(item['fault'])}. {_VALID}")
    try:
        fault = parse_fault(str(item["fault"]))
    except ValueError as exc:
        raise FaultFileError(f"{where}.fault: {exc}") from None
    vendor = _text(where, item, "vendor")
    if vendor is not None and vendor not in VENDORS:
        raise FaultFileError(f"{where}.vendor: unknown vendor {vendor!r}; expected one of: {', '.join(VENDORS)}")
    if vendor is not None and item.get("operation") == DOWNLOAD_OPERATION:
        raise FaultFileError(
            f"{where}.vendor: a {DOWNLOAD_OPERATION!r} rule has no vendor (result files are storage, shared by all "
            "vendors); remove the vendor"
        )
    method = _text(where, item, "method")
    return FaultRule(
        fault=fault,
        vendor=vendor,
        operation=_text(where, item, "operation"),
        method=method.upper() if method is not None else None,
        skip=_count(where, item, "skip", 0),
        times=None if item.get("times", 1) in (None, "always") else _count(where, item, "times", 1),
    )


def _kind(value: Any) -> str:
    """What a value of the wrong type is, in words; YAML 1.1 reads an unquoted yes/no/on/off as a boolean."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads unquoted yes, no, on and off so; quote the text)"
    return f"{value!r}" if isinstance(value, str | int | float) or value is None else type(value).__name__


def _text(where: str, item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FaultFileError(f"{where}.{name}: expected a non-empty string, not {_kind(value)}")
    return value.strip()


def _count(where: str, item: Mapping[str, Any], name: str, default: int) -> int:
    value = item.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        extra = ', or "always" / null for no limit' if name == "times" else ""
        raise FaultFileError(f"{where}.{name}: expected a whole number >= 0{extra}, not {_kind(value)}")
    return value


# --- the middleware --------------------------------------------------------------------------------------


def _transport(send: Send) -> asyncio.Transport | None:
    """The socket's transport behind uvicorn's `send`, or None under another server.

    ASGI has no "abort" message: the only way to close a connection without a byte is the transport itself.
    Uvicorn's `send` is a bound method of its RequestResponseCycle, which keeps the asyncio transport as
    `transport`; anything else (another server, a test client) gets the fallback described at `_drop`.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    return transport if isinstance(transport, asyncio.Transport) else None


async def _abort(send: Send) -> bool:
    """Close the connection at once, dropping whatever is not yet written; False when it cannot be done here."""
    transport = _transport(send)
    if transport is None:
        return False
    transport.abort()
    # The protocol learns of the loss in a callback on the next loop turn; wait for it so that uvicorn sees the
    # cycle as disconnected when the app returns, and neither logs an error nor writes a 500 to a dead socket.
    cycle = getattr(send, "__self__", None)
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
    return True


class FaultMiddleware:
    """A pure ASGI wrapper of the sandbox's Starlette app that injects the faults of the header or the plan."""

    def __init__(self, app: Starlette, state: SandboxState, plan: FaultPlan | None = None) -> None:
        self.app = app
        self.sandbox = state
        self.plan = plan
        # Set by Sandbox.stop() before the server shuts down: slow answers still waiting end at once (their
        # connections closed without an answer), so stopping never waits out a long delay.
        self.stopping = False

    @property
    def state(self) -> State:
        """The wrapped app's state (`.state.sandbox` is the SandboxState), as on a Starlette app."""
        return self.app.state

    def locate(self, scope: Scope) -> tuple[str | None, str | None]:
        """(vendor, operation) of a request: the vendor from the path prefix, the operation asked of the app's
        routes (a route's name is its operationId; the files route is "download"), None where unknown."""
        first = str(scope["path"]).split("/")[1] if str(scope["path"]).count("/") else ""
        vendor = first if first in VENDORS else None
        partial: str | None = None
        for route in self.app.routes:
            match, _ = route.matches(scope)
            name = getattr(route, "name", None)
            if match == Match.FULL:
                return (None, DOWNLOAD_OPERATION) if name == "result_file" else (vendor, name)
            if match == Match.PARTIAL and partial is None:  # the path fits, the method does not
                partial = name
        if partial == "result_file":
            return None, DOWNLOAD_OPERATION
        return vendor, partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(CONTROL_PREFIX):
            # The sandbox's own endpoints (its log) are how tests watch the faults: never faulted, never counted.
            await self.app(scope, receive, send)
            return
        header = _header(scope, FAULT_HEADER.lower().encode())
        vendor, operation = self.locate(scope)
        method = str(scope["method"])
        fault: Fault | None = None
        source = "header"
        if header is not None:
            try:
                fault = parse_fault(header)
            except ValueError as exc:
                await self.reject(receive, send, header, str(exc), vendor, operation)
                return
        elif self.plan is not None:
            fault = self.plan.take(vendor, operation, method)
            source = "file"
        if fault is None:
            await self.app(scope, receive, send)
            return
        with self.sandbox.lock:
            self.sandbox.record(
                "fault_injected",
                vendor=vendor,
                operation=operation,
                fault=fault.spelling,
                source=source,
                method=method,
                path=str(scope["path"]),
            )
        await self.inject(fault, vendor, scope, receive, send)

    async def reject(
        self, receive: Receive, send: Send, value: str, why: str, vendor: str | None, operation: str | None
    ) -> None:
        await _drain(receive)  # answer only once the request is read, as for every answer not from the app
        text = f"bad {FAULT_HEADER} header value {value!r}: {why}\n"
        with self.sandbox.lock:
            self.sandbox.record(
                "request_rejected", vendor=vendor, status=400, reason="bad_fault_header", operation=operation
            )
        await _plain(send, 400, text)

    async def inject(self, fault: Fault, vendor: str | None, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind in ("status", "drop-before"):
            # Read the request body first (reading is not acting): a socket closed with unread bytes in its
            # receive buffer sends a TCP reset, which the client reports as "connection reset", not as the
            # server closing the connection without an answer (or, after an error answer, as a lost answer).
            await _drain(receive)
        if fault.kind == "status":
            await self.error(fault, vendor, send)
        elif fault.kind == "drop-before":
            await _drop(send)
        elif fault.kind == "drop-after":
            await self.app(scope, receive, _DropAfter(send))
        elif fault.kind == "slow":
            assert fault.seconds is not None
            await self.app(scope, receive, _Slow(send, receive, fault.seconds, lambda: self.stopping))
        else:
            assert fault.fraction is not None
            await self.app(scope, receive, _Cut(send, fault.fraction))

    async def error(self, fault: Fault, vendor: str | None, send: Send) -> None:
        assert fault.status is not None
        extra = [(b"retry-after", str(fault.retry_after).encode())] if fault.retry_after is not None else []
        if vendor is None:  # result files are storage, which has no vendor error shape
            reason = "Too Many Requests" if fault.status == 429 else "Server Error"
            await _plain(send, fault.status, f"{reason} (injected by the sandbox)\n", extra)
            return
        kind: ErrorKind = "rate_limited" if fault.status == 429 else "server_error"
        status, body = error_answer(vendor, kind, status=fault.status)
        data = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data, "more_body": False})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _plain(send: Send, status: int, text: str, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    data = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": data, "more_body": False})


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _drop(send: Send) -> None:
    """Close the connection without an answer. Fallback where the transport is out of reach: start an answer
    and never finish it, so the server closes the connection (the client sees a status line, no body)."""
    if not await _abort(send):
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-length", b"1")]})


class _DropAfter:
    """A `send` for an app that acts normally: its answer is thrown away and the connection closed instead."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.dropped = False

    async def __call__(self, message: Message) -> None:
        if not self.dropped:
            self.dropped = True
            await _drop(self.send)


class _Slow:
    """A `send` that waits before the answer starts (the app has already acted). It stops waiting when the
    client goes away, and when the sandbox stops (then the connection is closed without an answer)."""

    _POLL: Final = 0.05  # how often a waiting answer checks whether the sandbox is stopping

    def __init__(self, send: Send, receive: Receive, seconds: float, stopping: Callable[[], bool]) -> None:
        self.send = send
        self.receive = receive
        self.seconds = seconds
        self.stopping = stopping
        self.gone = False

    async def __call__(self, message: Message) -> None:
        if self.gone:
            return
        if message["type"] == "http.response.start":
            self.gone = await self._cut_short_within(self.seconds)
            if self.gone:
                return
        await self.send(message)

    async def _cut_short_within(self, seconds: float) -> bool:
        """Wait `seconds`; True as soon as the client disconnects or the sandbox stops. An app that did not read
        the request body (a download) leaves it to `receive` first, so every message but the disconnect is
        skipped."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        waiter = asyncio.ensure_future(self.receive())
        try:
            while (left := deadline - loop.time()) > 0:
                if self.stopping():
                    await _abort(self.send)
                    return True
                done, _ = await asyncio.wait({waiter}, timeout=min(left, self._POLL))
                if not done:
                    continue
                if waiter.result()["type"] == "http.disconnect":
                    return True
                waiter = asyncio.ensure_future(self.receive())
            return False
        finally:
            waiter.cancel()


class _Cut:
    """A `send` that passes the answer's start through, then only a fraction of its body, then drops."""

    def __init__(self, send: Send, fraction: float) -> None:
        self.send = send
        self.fraction = fraction
        self.remaining: int | None = None  # bytes of body still to pass; None until known
        self.done = False

    async def __call__(self, message: Message) -> None:
        if self.done:
            return
        if message["type"] == "http.response.start":
            length = _header(message, b"content-length")
            if length is not None and length.isdigit():
                self.remaining = int(int(length) * self.fraction)
            await self.send(message)
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        body = bytes(message.get("body", b""))
        if self.remaining is None:  # no Content-Length: cut this first chunk
            self.remaining = int(len(body) * self.fraction)
        part = body[: self.remaining]
        self.remaining -= len(part)
        if self.remaining > 0 and message.get("more_body", False):
            await self.send({"type": "http.response.body", "body": part, "more_body": True})
            return
        self.done = True
        if part:
            await self.send({"type": "http.response.body", "body": part, "more_body": True})
        # Without the transport (another server), the body is left unfinished and the server closes instead.
        await _abort(self.send)
