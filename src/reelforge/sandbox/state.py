"""What the sandbox knows: its jobs, the result files it handed out, the files uploaded to it, and the log of
what it did.

In memory by default. Given a path, the same in-memory working set is loaded from a SQLite file at start and
written through on every change (one commit per change), so a restarted sandbox still knows its jobs, its
result URLs and its log. Reads stay plain dict lookups under `lock`; every change goes through a method here.

Times are wall-clock `time.time()` readings, so a job's age means the same thing to a restarted sandbox.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from reelforge.sandbox.lifecycle import JobLifecycle

__all__ = ["SCHEMA_VERSION", "Job", "LifecycleResolver", "ResultFile", "SandboxState", "StateFileError", "Upload"]

_logger = logging.getLogger("reelforge.sandbox")

# What the `meta` table says in a state file: a file without it is not ours, and a file of another version is
# refused rather than guessed at (there is one version so far, so there is nothing to migrate from).
APPLICATION: Final = "reelforge-sandbox-state"
SCHEMA_VERSION: Final = 1

# How long to wait for a file another process holds before saying it is in use (seconds).
_BUSY_TIMEOUT: Final = 1.0

_SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE jobs (
    vendor TEXT NOT NULL,
    job_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    fail INTEGER NOT NULL,
    result_count INTEGER NOT NULL,
    started_at REAL,
    canceled INTEGER NOT NULL,
    result_tokens TEXT NOT NULL,
    result_expires REAL,
    PRIMARY KEY (vendor, job_id)
);
CREATE TABLE files (token TEXT PRIMARY KEY, expires_at REAL);
CREATE TABLE uploads (
    key TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    operation TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at REAL NOT NULL,
    data BLOB,
    sha256 TEXT,
    expires_at REAL,
    source_url TEXT
);
CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, at REAL NOT NULL, details TEXT NOT NULL);
"""

# (vendor, create operationId) -> the lifecycle of the jobs that operation makes, or None when the installed
# specs no longer have it. The sandbox passes catalog.lifecycle_for; taken as an argument, so that this module
# reads no spec itself and a test can give a resolver of its own.
LifecycleResolver = Callable[[str, str], JobLifecycle | None]


class StateFileError(Exception):
    """The state file cannot be used: not a sandbox state file, another schema version, in use, or no folder."""


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
    """Every job and result URL the sandbox knows, and a log of what it did; safe to share between threads.

    `SandboxState()` keeps everything in memory. `SandboxState(path, lifecycle_for=resolver)` also keeps it in
    the SQLite file `path` (created when missing); raises StateFileError when the file cannot be used. Call
    `close()` when done with a file.
    """

    def __init__(self, path: Path | str | None = None, lifecycle_for: LifecycleResolver | None = None) -> None:
        self.lock = threading.RLock()  # re-entrant: answers are built while the lock is held
        self.jobs: dict[tuple[str, str], Job] = {}
        self.files: dict[str, ResultFile] = {}
        self.uploads: dict[str, Upload] = {}
        self.log: list[dict[str, Any]] = []
        # Called with each new event once it is logged (not with those loaded from a state file): `reelforge
        # sandbox` prints them. Called with the lock held, from the server's thread: keep them quick.
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            if lifecycle_for is None:
                raise ValueError("a state file needs lifecycle_for, to rebuild the lifecycles of its jobs")
            self._db = _open(self.path)
            try:
                self._load(lifecycle_for)
            except BaseException:
                self.close()
                raise

    # --- changes (each one written through when there is a file) -----------------------------------------

    def add_job(self, job: Job) -> None:
        """Store a new job."""
        with self.lock:
            self._writable()  # before the dict changes, so a closed state stays as it was
            self.jobs[(job.vendor, job.job_id)] = job
            self._write_job(job)

    def save_job(self, job: Job) -> None:
        """Write a changed job through (started, canceled, new result tokens)."""
        with self.lock:
            self._write_job(job)

    def delete_job(self, key: tuple[str, str]) -> None:
        """Forget a job (vendor, job id); its result files stay, as a vendor's storage keeps them."""
        with self.lock:
            db = self._writable()
            del self.jobs[key]
            if db is not None:
                with db:
                    db.execute("DELETE FROM jobs WHERE vendor = ? AND job_id = ?", key)

    def add_file(self, token: str, result: ResultFile) -> None:
        """Store a result URL's token and when it expires."""
        with self.lock:
            db = self._writable()
            self.files[token] = result
            if db is not None:
                with db:
                    db.execute(
                        "INSERT OR REPLACE INTO files (token, expires_at) VALUES (?, ?)", (token, result.expires_at)
                    )

    def save_upload(self, key: str, upload: Upload) -> None:
        """Store an upload (token or asset id), or write a changed one through (its bytes arrived)."""
        with self.lock:
            db = self._writable()
            self.uploads[key] = upload
            if db is not None:
                with db:
                    db.execute(
                        "INSERT OR REPLACE INTO uploads (key, vendor, operation, name, content_type, created_at, data,"
                        " sha256, expires_at, source_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, *(getattr(upload, f.name) for f in fields(Upload))),
                    )

    def record(self, event: str, **details: Any) -> None:
        """Append an event (job_created, job_create_repeated, job_started, job_canceled, request_rejected,
        upload_reserved, upload_received, upload_registered, state_job_dropped, ...) to the log."""
        with self.lock:
            db = self._writable()
            entry = {"event": event, "at": time.time(), **details}
            self.log.append(entry)
            if db is not None:
                with db:
                    db.execute(
                        "INSERT INTO log (event, at, details) VALUES (?, ?, ?)",
                        (event, entry["at"], json.dumps(details, default=str)),
                    )
            for listener in list(self.listeners):
                try:
                    listener(entry)
                except Exception:
                    # A listener (the command's event printer, say, on a closed pipe) must never fail the request
                    # that made the event: a create that made its job would answer 500, and a client that retried
                    # would make a second one. It is dropped, and said so once.
                    self.listeners.remove(listener)
                    _logger.warning("sandbox event listener %r failed and was removed", listener, exc_info=True)

    @property
    def closed(self) -> bool:
        """True once a file-backed state is closed (never for an in-memory one)."""
        return self.path is not None and self._db is None

    def close(self) -> None:
        """Close the state file (no-op in memory, or when already closed); the in-memory view stays readable."""
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- the file ----------------------------------------------------------------------------------------

    def _writable(self) -> sqlite3.Connection | None:
        """The connection to write through (None in memory); a closed file-backed state refuses changes."""
        if self._db is None and self.path is not None:
            raise RuntimeError(f"the sandbox state file {self.path} is closed; changes would be lost")
        return self._db

    def _write_job(self, job: Job) -> None:
        db = self._writable()
        if db is None:
            return
        with db:
            db.execute(
                "INSERT OR REPLACE INTO jobs (vendor, job_id, operation_id, created_at, fail, result_count,"
                " started_at, canceled, result_tokens, result_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.vendor,
                    job.job_id,
                    job.lifecycle.create_operation_id,
                    job.created_at,
                    int(job.fail),
                    job.result_count,
                    job.started_at,
                    int(job.canceled),
                    json.dumps(job.result_tokens),
                    job.result_expires,
                ),
            )

    def _load(self, lifecycle_for: LifecycleResolver) -> None:
        assert self._db is not None
        for seq, event, at, details in self._db.execute("SELECT seq, event, at, details FROM log ORDER BY seq"):
            loaded = json.loads(details)
            if not isinstance(loaded, dict):
                raise StateFileError(f"{self.path}: log entry {seq} has details that are not a JSON object")
            self.log.append({"event": event, "at": at, **loaded})
        for token, expires_at in self._db.execute("SELECT token, expires_at FROM files"):
            self.files[token] = ResultFile(expires_at)
        columns = ", ".join(f.name for f in fields(Upload))
        for key, *values in self._db.execute(f"SELECT key, {columns} FROM uploads"):  # noqa: S608 (our own names)
            self.uploads[key] = Upload(*values)
        dropped: list[tuple[str, str, str]] = []
        rows = self._db.execute(
            "SELECT vendor, job_id, operation_id, created_at, fail, result_count, started_at, canceled,"
            " result_tokens, result_expires FROM jobs ORDER BY created_at"
        ).fetchall()
        for vendor, job_id, operation_id, created_at, fail, count, started_at, canceled, tokens, expires in rows:
            lifecycle = lifecycle_for(vendor, operation_id)
            if lifecycle is None:
                dropped.append((vendor, job_id, operation_id))
                continue
            self.jobs[(vendor, job_id)] = Job(
                vendor,
                job_id,
                lifecycle,
                created_at=created_at,
                fail=bool(fail),
                result_count=count,
                started_at=started_at,
                canceled=bool(canceled),
                result_tokens=[str(token) for token in json.loads(tokens)],
                result_expires=expires,
            )
        # The row stays in the file: installing the spec that has the operation again brings the job back.
        for vendor, job_id, operation_id in dropped:
            self.record(
                "state_job_dropped",
                vendor=vendor,
                job_id=job_id,
                operation=operation_id,
                reason="the installed specs have no such create operation",
            )


def _refuse(path: Path, problem: str) -> StateFileError:
    return StateFileError(
        f"cannot use {path} as the sandbox state file: {problem}; pass another path, or delete the file to start"
        " with an empty state"
    )


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) a state file and check it is one of ours, of this schema version; nothing is written to
    a file that is not."""
    if not path.parent.is_dir():
        raise StateFileError(
            f"cannot create the sandbox state file {path}: the folder {path.parent} does not exist; create it or"
            " pass a path in an existing folder"
        )
    if path.exists() and not path.is_file():
        raise _refuse(path, "it is not a regular file")
    try:
        db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, check_same_thread=False, isolation_level="DEFERRED")
    except sqlite3.Error as exc:
        raise _refuse(path, f"SQLite cannot open it ({exc})") from exc
    try:
        _check(path, db)
    except BaseException:
        db.close()
        raise
    return db


def _check(path: Path, db: sqlite3.Connection) -> None:
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise _in_use(path) from exc
        raise _refuse(path, f"it is not a reelforge sandbox state file ({exc})") from exc
    except sqlite3.DatabaseError as exc:  # "file is not a database": a text file, an image, ...
        raise _refuse(path, f"it is not a reelforge sandbox state file ({exc})") from exc
    if not tables:
        _create(path, db)
    else:
        if "meta" not in tables:
            raise _refuse(path, "it is an SQLite database, but not a reelforge sandbox state file (no meta table)")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION:
            raise _refuse(path, "it is an SQLite database, but not a reelforge sandbox state file")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise _refuse(
                path,
                f"it is a sandbox state file of schema version {meta.get('schema_version')}, and this reelforge"
                f" reads version {SCHEMA_VERSION}",
            )
    try:
        # One sandbox per file: the exclusive lock is taken by the first write below and held until close(), so a
        # second sandbox on the same file is refused instead of the two silently diverging. WAL with
        # synchronous=NORMAL: a commit is safe against a crash of the process; a power cut may lose the last few,
        # which is fine for a sandbox.
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        with db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)", (str(time.time()),))
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise _in_use(path) from exc
        raise


def _in_use(path: Path) -> StateFileError:
    return StateFileError(
        f"the sandbox state file {path} is in use by another sandbox (or program); stop that one or pass another path"
    )


def _create(path: Path, db: sqlite3.Connection) -> None:
    try:
        # One transaction: a file is either empty or a whole state file of this version.
        db.execute("BEGIN")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
        )
        db.commit()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise _in_use(path) from exc
        raise _refuse(path, f"SQLite cannot write it ({exc})") from exc
