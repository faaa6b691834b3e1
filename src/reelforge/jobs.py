"""A job as the facade sees it: `Job` (frozen) and its `JobState`.

A Job is what a status call said last, read through the vendor's x-reelforge-job. It holds no key, so it can be
printed, logged and saved (`to_json`) freely, and picked up again in another process (`from_json`, or
Studio.job(vendor, id)).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final, Self

__all__ = ["Job", "JobState"]

_FORMAT: Final = 1  # the version of to_json's layout


class JobState(enum.StrEnum):
    """Where a job is; `unknown` is a status value the vendor's spec does not list (kept in Job.vendor_status)."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"
    unknown = "unknown"

    @property
    def terminal(self) -> bool:
        """True for succeeded, failed and canceled: the job will not change any more."""
        return self in (JobState.succeeded, JobState.failed, JobState.canceled)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Job:
    """One video job at a vendor.

    vendor, id, operation (the create operationId); state; progress (0..1, None when the vendor reports none);
    eta_seconds; result_urls (where the finished videos are); error (the vendor's failure reason);
    vendor_status (the raw status value); raw (the last status body, or the create answer before the first
    status call); created_at and updated_at (UTC, this machine's clock: when submit returned, and when this
    state was read); warnings (inputs left out with strict=False).
    """

    vendor: str
    id: str
    operation: str
    state: JobState = JobState.queued
    progress: float | None = None
    eta_seconds: float | None = None
    result_urls: tuple[str, ...] = ()
    error: str | None = None
    vendor_status: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False, repr=False)
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    warnings: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        """True once the job is in a terminal state."""
        return self.state.terminal

    def evolve(self, **changes: Any) -> Job:
        """A copy with some fields changed (Job is frozen)."""
        return replace(self, **changes)

    def to_json(self) -> str:
        """The job as JSON text; `Job.from_json` reads it back to an equal Job."""
        data = {
            "format": _FORMAT,
            "vendor": self.vendor,
            "id": self.id,
            "operation": self.operation,
            "state": self.state.value,
            "progress": self.progress,
            "eta_seconds": self.eta_seconds,
            "result_urls": list(self.result_urls),
            "error": self.error,
            "vendor_status": self.vendor_status,
            "raw": self.raw,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "warnings": list(self.warnings),
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """A Job from `to_json`'s text; ValueError naming what is wrong for anything else."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not a reelforge job: the text is not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a reelforge job in format {_FORMAT} (Job.to_json's output)")
        try:
            return cls(
                vendor=str(data["vendor"]),
                id=str(data["id"]),
                operation=str(data["operation"]),
                state=JobState(data["state"]),
                progress=data.get("progress"),
                eta_seconds=data.get("eta_seconds"),
                result_urls=tuple(data.get("result_urls") or ()),
                error=data.get("error"),
                vendor_status=data.get("vendor_status"),
                raw=data.get("raw") or {},
                created_at=datetime.fromisoformat(data["created_at"]),
                updated_at=datetime.fromisoformat(data["updated_at"]),
                warnings=tuple(data.get("warnings") or ()),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"not a reelforge job: {exc!r} in the JSON") from None
