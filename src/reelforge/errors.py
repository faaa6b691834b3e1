"""Every error the facade raises: one hierarchy under ReelforgeError.

Each error names the vendor and the operation it happened in (either may be None before one is known, as for a
missing key). An error that answers an HTTP call carries the status and the vendor's own message, and the
generated package's ApiError as its `__cause__`. No error ever holds an API key: messages are built from the
spec, the request body and the vendor's answer, never from request headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reelforge.jobs import Job

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DownloadError",
    "InsufficientCredits",
    "InvalidRequest",
    "JobFailed",
    "NotFound",
    "Problem",
    "RateLimited",
    "ReelforgeError",
    "UnsupportedInput",
    "UnsupportedOperation",
    "VendorError",
    "WaitTimeout",
]

_VALUE_EXCERPT = 80  # characters of a rejected value shown in a message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _VALUE_EXCERPT else text[: _VALUE_EXCERPT - 3] + "..."


class ReelforgeError(Exception):
    """The base of every facade error: `vendor` and `operation` say where it happened."""

    def __init__(self, message: str, *, vendor: str | None = None, operation: str | None = None) -> None:
        self.message = message
        self.vendor = vendor
        self.operation = operation
        super().__init__(message)

    def __str__(self) -> str:
        where = " ".join(part for part in (self.vendor, self.operation) if part)
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(ReelforgeError):
    """The facade is set up wrong (a missing key, an unknown vendor); `variable` names the environment variable
    a missing key is read from."""

    def __init__(
        self, message: str, *, vendor: str | None = None, operation: str | None = None, variable: str | None = None
    ) -> None:
        super().__init__(message, vendor=vendor, operation=operation)
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: where (a JSON pointer into the vendor's body, or `/path/<name>` for a
    path parameter, or `/<input>` for a common input), the rule it breaks, and the value found there."""

    field: str
    rule: str
    value: Any

    def __str__(self) -> str:
        return f"{self.field or '/'}: {self.rule} (got {_short(self.value)})"


class InvalidRequest(ReelforgeError):
    """The request breaks the vendor's spec; nothing was sent. `problems` lists every fault, the first one's
    `field`, `rule` and `value` are also attributes."""

    def __init__(self, problems: Sequence[Problem], *, vendor: str | None = None, operation: str | None = None) -> None:
        if not problems:
            raise ValueError("InvalidRequest needs at least one problem")
        self.problems = tuple(problems)
        first = self.problems[0]
        self.field = first.field
        self.rule = first.rule
        self.value = first.value
        listed = "; ".join(str(problem) for problem in self.problems)
        super().__init__(f"invalid request, nothing was sent: {listed}", vendor=vendor, operation=operation)


class UnsupportedInput(ReelforgeError):
    """A common input the vendor's operation cannot honour (`input` names it, `reason` says why)."""

    def __init__(self, input_name: str, reason: str, *, vendor: str | None = None, operation: str | None = None):
        self.input = input_name
        self.reason = reason
        super().__init__(f"input {input_name!r} is not supported: {reason}", vendor=vendor, operation=operation)


class UnsupportedOperation(ReelforgeError):
    """The vendor's spec has no call for this (a cancel where the vendor has none)."""


class _Answered(ReelforgeError):
    """An error the vendor answered: its HTTP status and its own message (None when it gave none)."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        vendor_message: str | None = None,
    ) -> None:
        self.status = status
        self.vendor_message = vendor_message
        super().__init__(message, vendor=vendor, operation=operation)


class AuthenticationError(_Answered):
    """The vendor refused the key (401) or the key may not do this (403)."""


class InsufficientCredits(_Answered):
    """The vendor says the account has not enough credits for this call (402, or its error says so)."""


class RateLimited(_Answered):
    """The vendor answered 429; `retry_after` is its Retry-After in seconds (None when it sent none)."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        operation: str | None = None,
        status: int | None = 429,
        vendor_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, vendor=vendor, operation=operation, status=status, vendor_message=vendor_message)


class NotFound(_Answered):
    """The vendor does not know the job or resource (404): a wrong id, or a job that was deleted."""


class VendorError(_Answered):
    """Any other answer that is not 2xx, or an answer the spec does not describe."""


class JobFailed(ReelforgeError):
    """The job ended failed or canceled; `job` is its last state and `reason` the vendor's own words."""

    def __init__(self, job: Job, reason: str | None) -> None:
        self.job = job
        self.reason = reason
        said = f": {reason}" if reason else " (the vendor gave no reason)"
        super().__init__(f"job {job.id} ended {job.state.value}{said}", vendor=job.vendor, operation=job.operation)


class WaitTimeout(ReelforgeError):
    """The job was still running at the deadline. It goes on at the vendor: `job` (or its vendor and id) can be
    waited for again, from this process or another, with Studio.job()/wait()."""

    def __init__(self, job: Job, timeout: float) -> None:
        self.job = job
        self.timeout = timeout
        super().__init__(
            f"job {job.id} still {job.state.value} after {timeout:g} s; it keeps running at the vendor: "
            f"resume with studio.wait(studio.job({job.vendor!r}, {job.id!r}))",
            vendor=job.vendor,
            operation=job.operation,
        )


class DownloadError(ReelforgeError):
    """A result could not be downloaded (the job is not lost: download it again, it is not regenerated)."""

    def __init__(
        self, message: str, *, vendor: str | None = None, operation: str | None = None, url: str | None = None
    ) -> None:
        self.url = url
        super().__init__(message, vendor=vendor, operation=operation)
