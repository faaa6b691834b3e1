"""A vendor's job lifecycle, read from its spec's x-reelforge-job and x-reelforge-errors only.

Pure functions: the Call of an operation (its path filled in, its security schemes), a Job from a status body,
and the facade error an answer that is not 2xx means. Nothing here names a vendor.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import quote

from reelforge.catalog import client_package
from reelforge.errors import (
    AuthenticationError,
    InsufficientCredits,
    NotFound,
    RateLimited,
    ReelforgeError,
    VendorError,
)
from reelforge.jobs import Job, JobState
from reelforge.specs import ErrorsExtension, JobExtension, Operation, Spec, SpecError
from reelforge.transport import NO_BODY, Answer, Call

__all__ = [
    "call_for",
    "error_for",
    "job_from_status",
    "read_job_id",
    "retry_after_seconds",
    "schemes_of",
    "transport_error",
]

# How vendors say "not enough credits" when they do not answer 402: words in the readable message or the code
# the spec says is the message (read through x-reelforge-errors), never a vendor's name.
_CREDITS: Final = re.compile(
    r"insufficient[ _-]?(credit|fund|balance)|not enough credit|out of credit|credits? (exhausted|exceeded)"
    r"|payment required|quota[ _-]?exceeded|insufficient_quota",
    re.IGNORECASE,
)


def schemes_of(operation: Operation) -> tuple[str, ...]:
    """The security schemes of the operation's first requirement (the key goes where the first says)."""
    for requirement in operation.security:
        return tuple(requirement)
    return ()


def call_for(
    vendor: str,
    operation: Operation,
    path_values: Mapping[str, str] | None = None,
    *,
    body: Any = NO_BODY,
    billable: bool = False,
    **extra: Any,
) -> Call:
    """The Call of `operation` with its path parameters filled in (each quoted as one segment)."""
    path = operation.path
    for name, value in (path_values or {}).items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return Call(
        vendor=vendor,
        operation=operation.operation_id,
        method=operation.method.upper(),
        url=path.lstrip("/"),
        schemes=schemes_of(operation),
        json=body,
        billable=billable,
        **extra,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, Mapping):  # a structured reason ({message: ...}): keep its message
        inner = value.get("message")
        return inner if isinstance(inner, str) and inner.strip() else None
    return None


def read_job_id(extension: JobExtension, body: Any) -> str | None:
    """The job id in a create answer, where x-reelforge-job.job_id says (None when absent)."""
    found = extension.job_id.first(body)
    if isinstance(found, str) and found:
        return found
    if isinstance(found, int) and not isinstance(found, bool):
        return str(found)
    return None


def job_from_status(job: Job, extension: JobExtension, body: Any) -> Job:
    """`job` updated from a status (or create) answer's body, read through x-reelforge-job."""
    status = extension.status.first(body)
    vendor_status = None if status is None else str(status)
    if vendor_status is None:
        state = job.state
    else:
        known = extension.state_of(vendor_status)
        state = JobState(known) if known is not None else JobState.unknown
    progress = None
    if extension.progress is not None:
        value = _number(extension.progress.path.first(body))
        if value is not None and extension.progress.scale > 0:
            progress = min(1.0, max(0.0, value / extension.progress.scale))
    if state is JobState.succeeded:
        progress = 1.0
    eta = _number(extension.eta_seconds.first(body)) if extension.eta_seconds is not None else None
    urls = tuple(url for url in extension.result_urls.find(body) if isinstance(url, str) and url)
    error = None
    if extension.error_message is not None:
        reasons = [text for text in map(_text, extension.error_message.find(body)) if text]
        error = "; ".join(dict.fromkeys(reasons)) or None
    return job.evolve(
        state=state,
        progress=progress,
        eta_seconds=None if state.terminal else eta,
        result_urls=urls if state is JobState.succeeded else (),
        error=error if state in (JobState.failed, JobState.canceled, JobState.unknown) else None,
        vendor_status=vendor_status if vendor_status is not None else job.vendor_status,
        raw=body if isinstance(body, Mapping) else {"body": body},
        updated_at=datetime.now(UTC),
    )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (None when absent or unreadable)."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _vendor_message(spec: Spec, answer: Answer) -> tuple[str | None, Any]:
    try:
        body = answer.json()
    except ValueError:
        text = answer.content.decode("utf-8", errors="replace").strip()
        return (text[:300] or None), None
    try:
        message = ErrorsExtension.of(spec).read_message(body)
    except SpecError:
        message = None
    return message, body


def _api_error(vendor: str, call: Call, answer: Answer) -> BaseException | None:
    """The generated package's ApiError for this answer (the facade error's __cause__)."""
    try:
        api_error: Any = client_package(vendor).ApiError
    except ReelforgeError:
        return None
    made: BaseException = api_error(
        operation=call.operation,
        method=answer.method,
        url=answer.url,
        status_code=answer.status,
        headers=answer.headers,
        content=answer.content,
        parsed=None,
    )
    return made


def error_for(spec: Spec, call: Call, answer: Answer) -> ReelforgeError:
    """The facade error that an answer that is not 2xx means, with the generated ApiError as its cause."""
    message, body = _vendor_message(spec, answer)
    said = f": {message}" if message else ""
    vendor, operation, status = call.vendor, call.operation, answer.status
    codes = " ".join(str(v) for v in _codes(body))
    error: ReelforgeError
    if answer.status == 402 or _CREDITS.search(f"{message or ''} {codes}"):
        error = InsufficientCredits(
            f"the account has not enough credits ({answer.status}){said}",
            vendor=vendor,
            operation=operation,
            status=status,
            vendor_message=message,
        )
    elif answer.status in (401, 403):
        error = AuthenticationError(
            f"the vendor refused the key ({answer.status}){said}; check the key and what it may do",
            vendor=vendor,
            operation=operation,
            status=status,
            vendor_message=message,
        )
    elif answer.status == 404:
        error = NotFound(
            f"not found (404){said}", vendor=vendor, operation=operation, status=status, vendor_message=message
        )
    elif answer.status == 429:
        retry_after = retry_after_seconds(answer.headers.get("retry-after"))
        error = RateLimited(
            f"rate limited (429){said}",
            retry_after=retry_after,
            vendor=vendor,
            operation=operation,
            status=status,
            vendor_message=message,
        )
    else:
        error = VendorError(
            f"the vendor answered {answer.status}{said}",
            vendor=vendor,
            operation=operation,
            status=status,
            vendor_message=message,
        )
    error.__cause__ = _api_error(call.vendor, call, answer)
    return error


def _codes(body: Any) -> list[Any]:
    """Short code-like strings of an error body's top level and its `error` object (type, code, status...)."""
    found: list[Any] = []
    for holder in (body, body.get("error") if isinstance(body, Mapping) else None):
        if isinstance(holder, Mapping):
            found.extend(v for k, v in holder.items() if k in ("code", "type", "status", "status_message"))
    return [v for v in found if isinstance(v, str) and len(v) < 64]


def transport_error(call: Call, exc: BaseException) -> VendorError:
    """A request that got no answer (timeout, refused or dropped connection), as a VendorError with no status."""
    error = VendorError(
        f"no answer from the vendor ({type(exc).__name__}: {exc or 'no detail'})",
        vendor=call.vendor,
        operation=call.operation,
        status=None,
    )
    error.__cause__ = exc
    return error
