"""Typed readers of reelforge's own OpenAPI extensions, as the effective spec carries them.

Each extension has a contract in docs/ and a JSON Schema in generator/schemas/, and the pipeline checks both
before any code is generated; these readers turn the checked data into typed values (JSONPaths parsed, states
as tuples) for the sandbox, the tests and the facade. They still refuse a missing key with a SpecError, since
a spec can reach them without the pipeline (a hand-made document in a test, an older package).

- `x-reelforge-job` (docs/x-reelforge-job.md) on each create operation: `JobExtension`;
- `x-reelforge-errors` (docs/x-reelforge-errors.md) at the root: `ErrorsExtension`, with `fill_template`;
- `x-reelforge-upload` (docs/x-reelforge-upload.md) on each upload operation: `UploadExtension`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from reelforge.specs._document import Operation, Spec, SpecError
from reelforge.specs._jsonpath import JSONPath, JSONPathError

__all__ = [
    "ERRORS_EXTENSION",
    "ERROR_KINDS",
    "JOB_EXTENSION",
    "KIND_STATUSES",
    "REELFORGE_STATES",
    "TERMINAL_STATES",
    "UPLOAD_EXTENSION",
    "ErrorKind",
    "ErrorsExtension",
    "Idempotency",
    "JobExtension",
    "Progress",
    "UploadExtension",
    "fill_template",
]

JOB_EXTENSION: Final = "x-reelforge-job"
ERRORS_EXTENSION: Final = "x-reelforge-errors"
UPLOAD_EXTENSION: Final = "x-reelforge-upload"

REELFORGE_STATES: Final = ("queued", "running", "succeeded", "failed", "canceled")
TERMINAL_STATES: Final = frozenset({"succeeded", "failed", "canceled"})

ErrorKind = Literal["invalid", "unauthorized", "not_found", "rate_limited", "server_error"]
ERROR_KINDS: Final[tuple[ErrorKind, ...]] = ("invalid", "unauthorized", "not_found", "rate_limited", "server_error")
# The statuses each kind is answered with (docs/x-reelforge-errors.md); an invalid request's is the vendor's own.
KIND_STATUSES: Final[Mapping[str, tuple[int, ...]]] = {
    "unauthorized": (401,),
    "not_found": (404,),
    "rate_limited": (429,),
    "server_error": (500, 502, 503),
}


@dataclass(frozen=True, slots=True)
class _At:
    """A place in a spec: its label for messages, and the JSON pointer a SpecError carries."""

    label: str
    pointer: str

    def __str__(self) -> str:
        return f"{self.label}: {self.pointer}"

    def __truediv__(self, key: str) -> _At:
        return _At(self.label, f"{self.pointer}/{key}")


def _required(data: Mapping[str, Any], key: str, where: _At) -> Any:
    if key not in data:
        raise SpecError(f"{where}: {key} is missing", where.pointer)
    return data[key]


def _path(data: Mapping[str, Any], key: str, where: _At, *, required: bool = True) -> JSONPath | None:
    if key not in data:
        if required:
            raise SpecError(f"{where}: {key} is missing", where.pointer)
        return None
    try:
        return JSONPath.parse(data[key])
    except JSONPathError as exc:
        raise SpecError(f"{where / key}: {exc}", (where / key).pointer) from exc


def _required_path(data: Mapping[str, Any], key: str, where: _At) -> JSONPath:
    found = _path(data, key, where)
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a status body reports progress, and the value that means done (1 or 100)."""

    path: JSONPath
    scale: float


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A request field the client sets to a key of its choosing, so that a repeated create is the same job;
    `confirmed` says whether the vendor documents that it deduplicates on it."""

    request_field: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class JobExtension:
    """The x-reelforge-job of one create operation: how the job it makes is followed to its end."""

    create_operation: str
    status_operation: str
    job_id_parameter: str
    job_id: JSONPath  # in the create answer
    status: JSONPath  # in the status answer, and the rest below too
    states: Mapping[str, tuple[str, ...]]  # reelforge state -> the vendor's values, every state present
    prompt: JSONPath  # in the create request body
    result_urls: JSONPath
    result_expires_at: JSONPath | None
    progress: Progress | None
    eta_seconds: JSONPath | None
    error_message: JSONPath | None
    start_operation: str | None
    cancel_operation: str | None
    cancel_effect: Literal["canceled", "deleted"] | None
    idempotency: Idempotency | None
    notes: str

    @classmethod
    def of(cls, operation: Operation) -> JobExtension:
        """The extension of a create operation; SpecError when it has none."""
        data = operation.extension(JOB_EXTENSION)
        where = _At(operation.spec.label, f"{operation.pointer}/{JOB_EXTENSION}")
        if not isinstance(data, Mapping):
            raise SpecError(f"{operation.spec.label}: {operation.operation_id} has no {JOB_EXTENSION}", where.pointer)
        states_data = _required(data, "states", where)
        if not isinstance(states_data, Mapping):
            raise SpecError(
                f"{where / 'states'}: not an object of reelforge state -> vendor values", (where / "states").pointer
            )
        states = {state: tuple(str(v) for v in states_data.get(state, ())) for state in REELFORGE_STATES}
        progress = data.get("progress")
        idempotency = data.get("idempotency")
        return cls(
            create_operation=operation.operation_id,
            status_operation=str(_required(data, "status_operation", where)),
            job_id_parameter=str(_required(data, "job_id_parameter", where)),
            job_id=_required_path(data, "job_id", where),
            status=_required_path(data, "status", where),
            states=states,
            prompt=_required_path(data, "prompt", where),
            result_urls=_required_path(data, "result_urls", where),
            result_expires_at=_path(data, "result_expires_at", where, required=False),
            progress=(
                Progress(_required_path(progress, "path", where / "progress"), float(progress.get("scale", 1)))
                if isinstance(progress, Mapping)
                else None
            ),
            eta_seconds=_path(data, "eta_seconds", where, required=False),
            error_message=_path(data, "error_message", where, required=False),
            start_operation=data.get("start_operation"),
            cancel_operation=data.get("cancel_operation"),
            cancel_effect=data.get("cancel_effect"),
            idempotency=(
                Idempotency(
                    str(_required(idempotency, "request_field", where / "idempotency")),
                    bool(idempotency.get("confirmed", False)),
                )
                if isinstance(idempotency, Mapping)
                else None
            ),
            notes=str(data.get("notes", "")),
        )

    @classmethod
    def all_in(cls, spec: Spec) -> list[JobExtension]:
        """The extension of every create operation of `spec`, in document order."""
        return [cls.of(op) for op in spec.operations() if op.extension(JOB_EXTENSION) is not None]

    def state_of(self, vendor_status: str) -> str | None:
        """The reelforge state a vendor status value means (None for a value the spec does not list)."""
        for state, values in self.states.items():
            if vendor_status in values:
                return state
        return None

    @property
    def status_values(self) -> tuple[str, ...]:
        """Every vendor status value, in the order of REELFORGE_STATES."""
        return tuple(value for state in REELFORGE_STATES for value in self.states[state])

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations of the lifecycle beside the create one: status, then start and cancel where present."""
        return tuple(op for op in (self.status_operation, self.start_operation, self.cancel_operation) if op)


def fill_template(template: Any, *, message: str, code: str | None, status: int, problems: list[Any]) -> Any:
    """An error body from a template (docs/x-reelforge-errors.md): a string that is exactly "{status}" becomes the
    status (a number), exactly "{problems}" the problem list; "{message}", "{code}" (empty when the vendor has no
    codes) and "{status}" are replaced inside other strings."""
    if isinstance(template, Mapping):
        return {
            key: fill_template(value, message=message, code=code, status=status, problems=problems)
            for key, value in template.items()
        }
    if isinstance(template, list):
        return [
            fill_template(value, message=message, code=code, status=status, problems=problems) for value in template
        ]
    if template == "{status}":
        return status
    if template == "{problems}":
        return problems
    if isinstance(template, str):
        return template.replace("{message}", message).replace("{code}", code or "").replace("{status}", str(status))
    return template


@dataclass(frozen=True, slots=True)
class ErrorsExtension:
    """The root x-reelforge-errors: how the vendor says no."""

    validation_status: int
    message: JSONPath  # the readable message of an error body
    body: Mapping[str, Any]
    validation_body: Mapping[str, Any] | None
    validation_message: JSONPath | None
    codes: Mapping[str, str]
    messages: Mapping[str, str]

    @classmethod
    def of(cls, spec: Spec) -> ErrorsExtension:
        data = spec.document.get(ERRORS_EXTENSION)
        where = _At(spec.label, f"/{ERRORS_EXTENSION}")
        if not isinstance(data, Mapping):
            raise SpecError(
                f"{spec.label}: the spec has no {ERRORS_EXTENSION} (docs/x-reelforge-errors.md)", "/" + ERRORS_EXTENSION
            )
        return cls(
            validation_status=int(_required(data, "validation_status", where)),
            message=_required_path(data, "message", where),
            body=_required(data, "body", where),
            validation_body=data.get("validation_body"),
            validation_message=_path(data, "validation_message", where, required=False),
            codes=data.get("codes") or {},
            messages=data.get("messages") or {},
        )

    def template(self, kind: str) -> Mapping[str, Any]:
        """The body template of an error kind: the validation body for an invalid request where there is one."""
        return self.validation_body if kind == "invalid" and self.validation_body is not None else self.body

    def message_path(self, kind: str) -> JSONPath:
        """Where the readable message of an error of this kind is."""
        if kind == "invalid" and self.validation_body is not None and self.validation_message is not None:
            return self.validation_message
        return self.message

    def status_of(self, kind: str) -> int:
        """The usual status of an error kind (a server error's is 500)."""
        return self.validation_status if kind == "invalid" else KIND_STATUSES[kind][0]

    def fill(self, kind: str, *, message: str, status: int, problems: list[Any]) -> Any:
        """The body the vendor answers an error of this kind with."""
        return fill_template(
            self.template(kind), message=message, code=self.codes.get(kind), status=status, problems=problems
        )

    def read_message(self, body: Any) -> str | None:
        """The readable message of an error body the vendor sent, where the spec says it is (None if absent):
        the validation message (problems joined by "; "), else the plain one."""
        for path in (self.validation_message, self.message):
            if path is None:
                continue
            found = [value for value in path.find(body) if isinstance(value, str) and value]
            if found:
                return "; ".join(found)
        return None


# The keys each upload style needs (generator/schemas/x-reelforge-upload.schema.json says the same).
_UPLOAD_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "multipart": ("field", "url"),
    "reserve": ("asset_id", "upload_operation", "asset_id_parameter", "field"),
    "presigned_put": ("upload_url", "file_path"),
    "by_url": ("url_field",),
}


@dataclass(frozen=True, slots=True)
class UploadExtension:
    """The x-reelforge-upload of an upload operation: how the vendor takes an input file (one of four styles)."""

    operation: str
    style: Literal["multipart", "reserve", "presigned_put", "by_url"]
    field: str | None  # multipart, reserve: the multipart field that carries the file
    url: JSONPath | None  # multipart: the uploaded file's URL in the answer
    asset_id: JSONPath | None  # reserve, by_url: the asset's id in the answer
    upload_operation: str | None  # reserve: the call that takes the bytes
    asset_id_parameter: str | None  # reserve: its path parameter
    upload_url: JSONPath | None  # presigned_put: where to PUT the bytes
    file_path: JSONPath | None  # presigned_put: what to name the file by in later calls
    expires_at: JSONPath | None
    extension: JSONPath | None  # presigned_put: where the request says the file's extension
    file_path_prefix: str | None
    url_field: str | None  # by_url: the request field that takes the file's URL
    notes: str

    @classmethod
    def of(cls, operation: Operation) -> UploadExtension:
        data = operation.extension(UPLOAD_EXTENSION)
        where = _At(operation.spec.label, f"{operation.pointer}/{UPLOAD_EXTENSION}")
        if not isinstance(data, Mapping):
            raise SpecError(
                f"{operation.spec.label}: {operation.operation_id} has no {UPLOAD_EXTENSION}", where.pointer
            )
        style = _required(data, "style", where)
        if style not in _UPLOAD_REQUIRED:
            raise SpecError(
                f"{where / 'style'}: unknown upload style {style!r} (docs/x-reelforge-upload.md)",
                (where / "style").pointer,
            )
        missing = [key for key in _UPLOAD_REQUIRED[style] if key not in data]
        if missing:
            raise SpecError(
                f"{where}: a {style} upload needs {', '.join(missing)} (docs/x-reelforge-upload.md)", where.pointer
            )
        return cls(
            operation=operation.operation_id,
            style=style,
            field=data.get("field"),
            url=_path(data, "url", where, required=False),
            asset_id=_path(data, "asset_id", where, required=False),
            upload_operation=data.get("upload_operation"),
            asset_id_parameter=data.get("asset_id_parameter"),
            upload_url=_path(data, "upload_url", where, required=False),
            file_path=_path(data, "file_path", where, required=False),
            expires_at=_path(data, "expires_at", where, required=False),
            extension=_path(data, "extension", where, required=False),
            file_path_prefix=data.get("file_path_prefix"),
            url_field=data.get("url_field"),
            notes=str(data.get("notes", "")),
        )

    @classmethod
    def all_in(cls, spec: Spec) -> list[UploadExtension]:
        return [cls.of(op) for op in spec.operations() if op.extension(UPLOAD_EXTENSION) is not None]
