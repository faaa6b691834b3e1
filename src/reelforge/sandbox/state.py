"""What the sandbox knows: its jobs, the result files it handed out, the files uploaded to it, and the log of
what it did.

Times are wall-clock `time.time()` readings, so a job's age means the same thing to a restarted sandbox.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from reelforge.sandbox.lifecycle import JobLifecycle

__all__ = ["Job", "ResultFile", "SandboxState", "Upload"]


@dataclass
class Job:
    """A job the sandbox made: times are wall-clock time.time() readings."""

    vendor: str
    job_id: str
    lifecycle: JobLifecycle
    created_at: float
    fail: bool
    result_count: int = 1
    started_at: float | None = None
    canceled: bool = False
    result_tokens: list[str] = field(default_factory=list)
    result_expires: float | None = None  # wall-clock time.time() the current result URLs expire at


@dataclass(frozen=True)
class ResultFile:
    expires_at: float | None  # wall-clock time.time(), None for URLs that do not expire


@dataclass
class Upload:
    """An input file a client gave the sandbox, kept in memory, by token or asset id.

    A reserved upload (Hedra's asset, Magic Hour's upload URL) has no data until its bytes arrive; one given by
    URL (Argil) never has any: the sandbox has no network to fetch it with.
    """

    vendor: str
    operation: str
    name: str
    content_type: str
    created_at: float  # wall-clock time.time()
    data: bytes | None = None
    sha256: str | None = None
    expires_at: float | None = None  # when a presigned upload URL stops taking the bytes (time.time())
    source_url: str | None = None  # the URL a by-URL asset was registered with

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)


class SandboxState:
    """Every job and result URL the sandbox knows, and a log of what it did; safe to share between threads."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # re-entrant: answers are built while the lock is held
        self.jobs: dict[tuple[str, str], Job] = {}
        self.files: dict[str, ResultFile] = {}
        self.uploads: dict[str, Upload] = {}
        self.log: list[dict[str, Any]] = []

    def record(self, event: str, **details: Any) -> None:
        """Append an event (job_created, job_create_repeated, job_started, job_canceled, request_rejected,
        upload_reserved, upload_received) to the log; call it with the lock held."""
        self.log.append({"event": event, "at": time.time(), **details})
