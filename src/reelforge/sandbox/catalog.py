"""What the sandbox serves of each vendor: its effective spec, where it is mounted, and each operation's role.

A vendor is mounted at `/<vendor>` followed by the path of its production base URL (the spec's first server, as
the generated client's DEFAULT_BASE_URL takes it), so a client changes only its base_url. An operation's role
comes only from reelforge's extensions (docs/x-reelforge-job.md, docs/x-reelforge-upload.md):

- `create`: the operation carrying x-reelforge-job; `status`, `start` and `cancel`: its `status_operation`,
  `start_operation` and `cancel_operation`;
- `upload`: an operation carrying x-reelforge-upload; `upload_file`: a reserved asset's `upload_operation`;
- `other`: every other operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal
from urllib.parse import urlsplit

from reelforge.registry import VENDORS, vendor_spec
from reelforge.sandbox.lifecycle import JobLifecycle
from reelforge.specs import JOB_EXTENSION, Operation, Spec, UploadExtension

__all__ = ["Role", "ServedOperation", "ServedVendor", "lifecycle_for", "served_vendor"]

Role = Literal["create", "start", "status", "cancel", "upload", "upload_file", "other"]


@dataclass(frozen=True)
class ServedOperation:
    """One operation of a vendor's spec and its role; the job lifecycle for the job roles, the upload extension
    for the upload roles."""

    operation: Operation
    role: Role
    lifecycle: JobLifecycle | None = None
    upload: UploadExtension | None = None

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def method(self) -> str:
        return self.operation.method

    @property
    def path(self) -> str:
        return self.operation.path


@dataclass(frozen=True)
class ServedVendor:
    """A vendor's effective spec, where the sandbox mounts it, and the role of each of its operations."""

    vendor: str
    spec: Spec
    base_url: str  # the production server
    operations: tuple[ServedOperation, ...]

    @property
    def base_path(self) -> str:
        """The path of the production base URL ("/v1", or "" for a bare host)."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def prefix(self) -> str:
        """Where the vendor is served on the sandbox: `/<vendor>` + the base URL's path."""
        return f"/{self.vendor}{self.base_path}"


def _roles(spec: Spec) -> dict[str, tuple[Role, JobLifecycle | None, UploadExtension | None]]:
    """operationId -> (role, lifecycle, upload) for every operation an extension gives a role."""
    roles: dict[str, tuple[Role, JobLifecycle | None, UploadExtension | None]] = {}
    for operation in spec.operations():
        if operation.extension(JOB_EXTENSION) is None:
            continue
        lifecycle = JobLifecycle.from_spec(spec, operation.operation_id)
        job = lifecycle.job
        roles[operation.operation_id] = ("create", lifecycle, None)
        lifecycle_roles: tuple[tuple[str | None, Role], ...] = (
            (job.status_operation, "status"),
            (job.start_operation, "start"),
            (job.cancel_operation, "cancel"),
        )
        for operation_id, role in lifecycle_roles:
            if operation_id is not None:
                roles[operation_id] = (role, lifecycle, None)
    # An upload role wins over a job role (no spec gives one operation both).
    for upload in UploadExtension.all_in(spec):
        roles[upload.operation] = ("upload", None, upload)
        if upload.style == "reserve" and upload.upload_operation is not None:
            roles[upload.upload_operation] = ("upload_file", None, upload)
    return roles


@cache
def served_vendor(vendor: str) -> ServedVendor:
    """What the sandbox serves of `vendor`, read once per process from the spec its generated package ships
    (never changed afterwards). ModuleNotFoundError when the package is not installed."""
    spec = vendor_spec(vendor)
    roles = _roles(spec)
    operations = tuple(
        ServedOperation(operation, *roles.get(operation.operation_id, ("other", None, None)))
        for operation in spec.operations()
    )
    production = str(spec.document["servers"][0]["url"]).rstrip("/")
    return ServedVendor(vendor, spec, production, operations)


def lifecycle_for(vendor: str, operation_id: str) -> JobLifecycle | None:
    """The lifecycle of the jobs `operation_id` creates at `vendor`, or None when the installed specs have no
    such create operation (a SandboxState's resolver for the jobs of a state file)."""
    if vendor not in VENDORS:
        return None
    try:
        served = served_vendor(vendor)
    except ModuleNotFoundError:  # the vendor's client package is not installed
        return None
    for op in served.operations:
        if op.role == "create" and op.operation_id == operation_id:
            return op.lifecycle
    return None
