"""The sandbox's ASGI application: every operation of the five effective specs, on one Starlette app.

Each vendor lives under `/<vendor>` followed by the path of its production base URL (`/hera/v1`,
`/hedra/web-app/public`, `/magichour`, `/argil/v1`, `/oxen`), so a client changes only its base_url. The
routes are read from the effective spec each generated package ships (`reelforge_<vendor>.openapi_document()`),
and what a route does depends only on its role in the vendor's `x-reelforge-job` (docs/x-reelforge-job.md):

- create (the operation carrying x-reelforge-job): store a job, answer the documented 2xx body with the job id
  and the first status written in;
- start (`start_operation`, Argil's render): start the job's clock, answer like status;
- status (`status_operation`): the job's state at this moment (`JobLifecycle.state_at`), as a status body;
- cancel (`cancel_operation`): mark the job canceled when the vendor has a canceled status, else delete it;
  answer the documented success (an empty body when the spec documents none);
- upload (the operation carrying `x-reelforge-upload`, docs/x-reelforge-upload.md) and upload_file (a reserved
  asset's `upload_operation`): keep the file in memory, as the vendor's style says (multipart, reserve then
  upload, presigned PUT, by URL), and answer the documented body with the token, asset id or URLs written in;
- any other operation: the example instance of its first documented 2xx JSON body.

Every request first needs its credential (the operation's security scheme) and must validate against the
spec (openapi-core); otherwise the vendor's own error answer (`errors.py`). Result URLs point at
`/files/<token>.mp4` on this server and need no key, as do presigned upload URLs (`/uploads/<token>`) and
uploaded files served back (`/uploads/<token>/<filename>`). A job fails when any string its create body has
at `x-reelforge-job.prompt` contains the fail marker (lifecycle.should_fail).
"""

from __future__ import annotations

import copy
import json
import math
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final
from urllib.parse import urlsplit

from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequestBodyError,
    ParameterValidationError,
    SecurityValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reelforge.sandbox import MIN_SPEED
from reelforge.sandbox.bodies import (
    JSONPathStep,
    example_instance,
    find_at,
    is_valid_instance,
    parse_simple_path,
    set_at,
)
from reelforge.sandbox.errors import ErrorKind, Problem, error_answer
from reelforge.sandbox.faults import CONTROL_PREFIX, FaultMiddleware, FaultPlan
from reelforge.sandbox.files import files_endpoint
from reelforge.sandbox.lifecycle import JobLifecycle, JobState, _schema_at, should_fail
from reelforge.sandbox.state import Job, ResultFile, SandboxState, Upload
from reelforge.sandbox.uploads import multipart_file, safe_name, store, upload_get_endpoint, upload_put_endpoint
from reelforge.vendors import VENDORS, effective_spec

__all__ = [
    "LOG_PATH",
    "RESULT_URL_LIFETIME_SECONDS",
    "VENDORS",
    "VendorSpec",
    "build_app",
    "lifecycle_for",
    "prompts",
    "vendor_spec",
]

HTTP_METHODS: Final = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Where the log is served (outside every vendor's prefix; needs no key).
LOG_PATH: Final = CONTROL_PREFIX + "log"

# Bodies larger than this are validated in a worker thread: openapi-core parses a multipart upload at about
# 1.8 s per 30 MB, and on the event loop every other client would wait that long.
VALIDATE_IN_THREAD_BYTES: Final = 1 << 20

# How many valid bodiless requests each vendor remembers (see _Vendor.endpoint).
VALID_REQUESTS_KEPT: Final = 4096

# How long a result URL lives at speed 1, for vendors whose status body carries `result_expires_at`
# (vendor-facts.md, Magic Hour: download URLs expire 24 h after they are issued). Divided by the speed.
RESULT_URL_LIFETIME_SECONDS: Final = 24 * 3600.0


def prompts(lifecycle: JobLifecycle, body: Any) -> list[str]:
    """The prompt texts of a create body: every string at the lifecycle's `prompt` path."""
    return [value for value in find_at(body, str(lifecycle.job["prompt"])) if isinstance(value, str)]


# --- the specs ------------------------------------------------------------------------------------------


def _for_validator(node: Any, openapi_31: bool) -> Any:
    """openapi-core reads OpenAPI 3.1 binary parts by `contentMediaType`, not 3.0's `format: binary` (which
    the generator keeps); the validator's copy of the spec says it the 3.1 way."""
    if not openapi_31:
        return node
    if isinstance(node, list):
        return [_for_validator(item, openapi_31) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _for_validator(value, openapi_31) for key, value in node.items()}
    if out.get("format") == "binary" and out.get("type") == "string":
        del out["format"]
        out["contentMediaType"] = "application/octet-stream"
    return out


@dataclass(frozen=True)
class Operation:
    """One operation of a vendor's spec and its role: create, start, status, cancel, or other."""

    operation_id: str
    method: str
    path: str
    spec: Mapping[str, Any]
    role: str
    lifecycle: JobLifecycle | None
    upload: Mapping[str, Any] | None = None  # the x-reelforge-upload, for the upload and upload_file roles


@dataclass
class VendorSpec:
    """A vendor's effective spec, what the sandbox reads from it, and openapi-core over it."""

    vendor: str
    document: Mapping[str, Any]
    base_url: str
    operations: list[Operation]
    openapi: OpenAPI

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


@cache
def vendor_spec(vendor: str) -> VendorSpec:
    """Read the vendor's effective spec from its generated package and classify every operation (once per
    process: the spec, the classification and the openapi-core validator are never changed afterwards)."""
    document: Mapping[str, Any] = effective_spec(vendor)
    roles: dict[str, tuple[str, JobLifecycle | None]] = {}
    found: list[tuple[str, str, Mapping[str, Any]]] = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, Mapping):
                found.append((path, method, operation))
    for _, _, operation in found:
        job = operation.get("x-reelforge-job")
        if job is not None:
            lifecycle = JobLifecycle.from_spec(document, str(operation["operationId"]))
            roles[str(operation["operationId"])] = ("create", lifecycle)
            for key, role in (
                ("status_operation", "status"),
                ("start_operation", "start"),
                ("cancel_operation", "cancel"),
            ):
                if key in job:
                    roles[str(job[key])] = (role, lifecycle)
    uploads: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for _, _, operation in found:
        upload = operation.get("x-reelforge-upload")
        if isinstance(upload, Mapping):
            uploads[str(operation["operationId"])] = ("upload", upload)
            if upload.get("style") == "reserve":
                uploads[str(upload["upload_operation"])] = ("upload_file", upload)
    operations = []
    for path, method, operation in found:
        operation_id = str(operation.get("operationId", f"{method} {path}"))
        role, owner = roles.get(operation_id, ("other", None))
        upload_role = uploads.get(operation_id)
        if upload_role is not None:
            operations.append(Operation(operation_id, method, path, operation, upload_role[0], None, upload_role[1]))
        else:
            operations.append(Operation(operation_id, method, path, operation, role, owner))
    openapi_31 = str(document.get("openapi", "")).startswith("3.1")
    # The pipeline validated this document (openapi-spec-validator) before generating the package that ships it;
    # checking it again here was half of the sandbox's start-up. None is openapi-core's documented way to skip
    # it ("If you know you have a valid specification already"); its annotation leaves None out.
    no_check = Config(spec_validator_cls=None)  # type: ignore[arg-type]
    validator = OpenAPI.from_dict(_for_validator(copy.deepcopy(dict(document)), openapi_31), config=no_check)
    # The production server, as the generated client's DEFAULT_BASE_URL takes it (the spec's first server).
    production = str(document["servers"][0]["url"]).rstrip("/")
    return VendorSpec(vendor, document, production, operations, validator)


def lifecycle_for(vendor: str, operation_id: str) -> JobLifecycle | None:
    """The lifecycle of the jobs `operation_id` creates at `vendor`, or None when the installed specs have no
    such create operation (a SandboxState's resolver for the jobs of a state file)."""
    if vendor not in VENDORS:
        return None
    try:
        spec = vendor_spec(vendor)
    except ModuleNotFoundError:  # the vendor's client package is not installed
        return None
    for op in spec.operations:
        if op.role == "create" and op.operation_id == operation_id:
            return op.lifecycle
    return None


def _success(operation: Mapping[str, Any]) -> tuple[int, Any]:
    """The first documented 2xx status and its JSON schema (None when it documents no JSON body)."""
    for code in sorted(operation.get("responses", {})):
        if str(code).startswith("2") and str(code).isdigit():
            media = operation["responses"][code].get("content", {}).get("application/json")
            return int(code), (media or {}).get("schema")
    return 200, None


# --- requests and answers -------------------------------------------------------------------------------


class _ValidationRequest:
    """A Starlette request as openapi-core's Request protocol wants it, at the vendor's production URL."""

    def __init__(self, request: Request, body: bytes, origin: str, path: str) -> None:
        self.parameters = RequestParameters(query=request.query_params, header=request.headers, cookie=request.cookies)
        self.host_url = origin
        self.path = path
        self.method = request.method.lower()
        self.body = body or None
        self.content_type = request.headers.get("content-type", "application/octet-stream")


def _schema_errors(cause: BaseException | None) -> list[SchemaError]:
    if isinstance(cause, InvalidSchemaValue):
        return [e for e in cause.schema_errors if isinstance(e, SchemaError)]
    return []


def _problems(error: Exception) -> list[Problem]:
    """What openapi-core found wrong, as (loc, msg, type) items."""
    if isinstance(error, InvalidRequestBody):
        found = _schema_errors(error.__cause__)
        return [Problem(("body", *e.absolute_path), e.message, str(e.validator)) for e in found] or [
            Problem(("body",), str(error.__cause__ or error), "value_error")
        ]
    if isinstance(error, MissingRequestBodyError):
        return [Problem(("body",), "Field required", "missing")]
    if isinstance(error, ParameterValidationError):
        found = _schema_errors(error.__cause__)
        return [Problem((error.location, error.name), e.message, str(e.validator)) for e in found] or [
            Problem((error.location, error.name), str(error.__cause__ or error), "value_error")
        ]
    return [Problem((), str(error), "value_error")]


def _credential_ok(spec: VendorSpec, operation: Mapping[str, Any], request: Request) -> bool:
    """True when the request carries a non-empty credential for one of the operation's security requirements."""
    requirements = operation.get("security", spec.document.get("security")) or []
    if not requirements:
        return True
    schemes = spec.document.get("components", {}).get("securitySchemes", {})
    for requirement in requirements:
        if all(_has_credential(schemes.get(name, {}), request) for name in requirement):
            return True
    return False


def _credential_header(scheme: Mapping[str, Any]) -> str | None:
    """The header a security scheme's key travels in (lower-cased), or None for a scheme the sandbox does not
    check (a query key, a cookie, OAuth)."""
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return str(scheme["name"]).lower()
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return "authorization"
    return None


def _has_credential(scheme: Mapping[str, Any], request: Request) -> bool:
    header = _credential_header(scheme)
    value = request.headers.get(header, "") if header is not None else ""
    if header == "authorization":  # a bearer scheme: "Bearer <key>"
        kind, _, value = value.partition(" ")
        if kind.lower() != "bearer":
            return False
    return bool(value.strip())


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Handler = Callable[[Request], Awaitable[Response]]


class _Vendor:
    """The routes of one vendor, sharing the sandbox's state."""

    def __init__(self, spec: VendorSpec, state: SandboxState, speed: float) -> None:
        self.spec = spec
        self.state = state
        self.speed = speed
        # Bodiless requests that validated, most recent last (only the server's event loop touches it).
        self._valid_requests: OrderedDict[tuple[Any, ...], None] = OrderedDict()

    def _remember_valid(self, key: tuple[Any, ...]) -> None:
        self._valid_requests[key] = None
        if len(self._valid_requests) > VALID_REQUESTS_KEPT:
            self._valid_requests.popitem(last=False)

    def routes(self) -> list[Route]:
        return [
            Route(self.spec.prefix + op.path, self.endpoint(op), methods=[op.method.upper()], name=op.operation_id)
            for op in self.spec.operations
        ]

    def error(self, kind: ErrorKind, problems: Sequence[Problem] = (), **details: Any) -> Response:
        status, body = error_answer(self.spec.vendor, kind, problems)
        with self.state.lock:
            self.state.record("request_rejected", vendor=self.spec.vendor, status=status, reason=kind, **details)
        return JSONResponse(body, status_code=status)

    def endpoint(self, op: Operation) -> Handler:
        async def handle(request: Request) -> Response:
            raw = await request.body()
            if not _credential_ok(self.spec, op.spec, request):
                return self.error("unauthorized", operation=op.operation_id)
            path = self.spec.base_path + request.url.path[len(self.spec.prefix) :]
            # A request without a body is valid or not by its method, path, query and headers alone, and a
            # poller sends the same one again and again: remember the valid ones (validation is most of the
            # cost of a status call).
            seen = (request.method, path, request.url.query, tuple(request.headers.items())) if not raw else None
            try:
                if seen is None or seen not in self._valid_requests:
                    checked = _ValidationRequest(request, raw, self.spec.origin, path)
                    if len(raw) > VALIDATE_IN_THREAD_BYTES:  # an upload: seconds of parsing, off the event loop
                        await run_in_threadpool(self.spec.openapi.validate_request, checked)
                    else:
                        self.spec.openapi.validate_request(checked)
                    if seen is not None:
                        self._remember_valid(seen)
            except SecurityValidationError:
                return self.error("unauthorized", operation=op.operation_id)
            except OpenAPIError as exc:  # body, parameter and media-type errors alike
                return self.error("invalid", _problems(exc), operation=op.operation_id)
            # Validation parsed a JSON body the operation takes; one it does not take is ignored, as servers do.
            takes_json = "requestBody" in op.spec and "json" in request.headers.get("content-type", "")
            body: Any = json.loads(raw) if raw and takes_json else None
            if op.upload is not None:
                return self.upload(op, op.upload, request, body, raw)
            return self.answer(op, request, body)

        return handle

    def answer(self, op: Operation, request: Request, body: Any) -> Response:
        if op.role == "create":
            assert op.lifecycle is not None
            return self.create(op, op.lifecycle, request, body)
        if op.role in ("status", "start", "cancel"):
            assert op.lifecycle is not None
            job_id = str(request.path_params[str(op.lifecycle.job["job_id_parameter"])])
            with self.state.lock:
                job = self.state.jobs.get((self.spec.vendor, job_id))
                if job is None:
                    return self.error("not_found", operation=op.operation_id, job_id=job_id)
                if op.role == "start" and job.started_at is None:
                    job.started_at = time.time()
                    self.state.save_job(job)
                    self.state.record("job_started", vendor=self.spec.vendor, job_id=job_id)
                if op.role == "cancel":
                    return self.cancel(op, job)
                return JSONResponse(self.status_body(job, request), status_code=_success(op.spec)[0])
        return self.other(op)

    def create(self, op: Operation, lifecycle: JobLifecycle, request: Request, body: Any) -> Response:
        job_id = str(uuid.uuid4())
        idempotency = lifecycle.job.get("idempotency")
        if isinstance(idempotency, Mapping) and isinstance(body, Mapping):
            reserved = body.get(str(idempotency.get("request_field")))
            if isinstance(reserved, str) and reserved:
                job_id = reserved
        status_code, schema = _success(op.spec)
        with self.state.lock:
            key = (self.spec.vendor, job_id)
            job = self.state.jobs.get(key)
            if job is None:
                job = Job(
                    self.spec.vendor,
                    job_id,
                    lifecycle,
                    created_at=time.time(),
                    fail=any(should_fail(prompt) for prompt in prompts(lifecycle, body)),
                    result_count=_result_count(lifecycle, body),
                )
                self.state.add_job(job)
                self.state.record("job_created", vendor=self.spec.vendor, job_id=job_id, operation=op.operation_id)
            else:
                # The client reused a pre-reserved id (Hedra's generation_id). Whether the vendor deduplicates is
                # unconfirmed (vendor-facts.md), so the sandbox answers the same job but logs the repeat: a
                # test that counts creates sees a retried create.
                self.state.record("job_create_repeated", vendor=self.spec.vendor, job_id=job_id)
            if schema is not None and schema == lifecycle.status_schema:
                return JSONResponse(self.status_body(job, request), status_code=status_code)
        answer = example_instance(self.spec.document, schema) if schema is not None else {}
        set_at(answer, str(lifecycle.job["job_id"]), job_id)
        for status_path in _status_paths(self.spec.document, schema, lifecycle):
            set_at(answer, status_path, lifecycle.first_status)
        return JSONResponse(answer, status_code=status_code)

    def cancel(self, op: Operation, job: Job) -> Response:
        """The job's cancel call, as its x-reelforge-job cancel_effect says (called with the lock held)."""
        deleted = job.lifecycle.job.get("cancel_effect") == "deleted"
        if deleted:
            self.state.delete_job((job.vendor, job.job_id))
            self.state.record("job_canceled", vendor=job.vendor, job_id=job.job_id, deleted=True)
        elif self.state_now(job, time.time()).terminal:  # finished: nothing left to cancel, nothing changes
            self.state.record("job_cancel_ignored", vendor=job.vendor, job_id=job.job_id, reason="finished")
        else:
            job.canceled = True
            self.state.save_job(job)
            self.state.record("job_canceled", vendor=job.vendor, job_id=job.job_id, deleted=False)
        status_code, schema = _success(op.spec)
        if schema is None:
            return Response(status_code=status_code)
        if schema == job.lifecycle.status_schema:
            return JSONResponse(self.status_body(job, None), status_code=status_code)
        return JSONResponse(example_instance(self.spec.document, schema), status_code=status_code)

    def state_now(self, job: Job, now: float) -> JobState:
        """Where the job is at `now` (wall clock) on its timeline, or canceled."""
        lifecycle = job.lifecycle
        if job.canceled:
            return JobState(lifecycle.states["canceled"][0], "canceled", 0.0, 0.0, True)
        started = job.started_at is not None
        origin = job.started_at if lifecycle.needs_start and job.started_at is not None else job.created_at
        return lifecycle.state_at(now - origin, speed=self.speed, fail=job.fail, started=started)

    def status_body(self, job: Job, request: Request | None) -> dict[str, Any]:
        """The job's status body now (called with the lock held)."""
        lifecycle = job.lifecycle
        now = time.time()
        state = self.state_now(job, now)
        urls: list[str] = []
        expires: list[str] = []
        if state.reelforge_state == "succeeded":
            urls, expires = self.result_urls(job, request)
        message = (
            "The sandbox failed this job: its prompt contains [fail]." if state.reelforge_state == "failed" else None
        )
        return lifecycle.status_body(state, job.job_id, urls, message, expires, result_count=job.result_count)

    def result_urls(self, job: Job, request: Request | None) -> tuple[list[str], list[str]]:
        """The job's result URLs and their expiry times; expired ones are replaced by fresh ones, as a new
        status call does at Magic Hour (vendor-facts.md)."""
        expiring = "result_expires_at" in job.lifecycle.job
        wall = time.time()
        if not job.result_tokens or (job.result_expires is not None and job.result_expires <= wall):
            job.result_expires = wall + RESULT_URL_LIFETIME_SECONDS / self.speed if expiring else None
            job.result_tokens = [secrets.token_urlsafe(16) for _ in range(job.result_count)]
            for token in job.result_tokens:
                self.state.add_file(token, ResultFile(job.result_expires))
            self.state.save_job(job)
        base = str(request.base_url).rstrip("/") if request is not None else ""
        urls = [f"{base}/files/{token}.mp4" for token in job.result_tokens]
        expires = [_iso(job.result_expires)] * len(urls) if job.result_expires is not None else []
        return urls, expires

    # --- uploads ----------------------------------------------------------------------------------------

    def upload(self, op: Operation, upload: Mapping[str, Any], request: Request, body: Any, raw: bytes) -> Response:
        """An upload operation, as its x-reelforge-upload style says (docs/x-reelforge-upload.md)."""
        base = str(request.base_url).rstrip("/")
        content_type = request.headers.get("content-type", "")
        style = str(upload["style"])
        now = time.time()
        if op.role == "upload_file":  # the second step of a reserved asset: its bytes
            asset_id = str(request.path_params[str(upload["asset_id_parameter"])])
            sent = multipart_file(content_type, raw, str(upload["field"]))
            with self.state.lock:
                reserved = self.state.uploads.get(asset_id)
                if reserved is None or reserved.vendor != self.spec.vendor:
                    return self.error("not_found", operation=op.operation_id, asset_id=asset_id)
                if sent is None:
                    return self.error("invalid", [_missing_file(upload)], operation=op.operation_id)
                _, media_type, data = sent  # the asset keeps the name it was created with
                store(self.state, asset_id, reserved, data, media_type, op.operation_id)
            return self.documented(op, {})
        if style == "multipart":
            sent = multipart_file(content_type, raw, str(upload["field"]))
            if sent is None:
                return self.error("invalid", [_missing_file(upload)], operation=op.operation_id)
            name, media_type, data = sent
            token = secrets.token_urlsafe(16)
            with self.state.lock:
                entry = Upload(self.spec.vendor, op.operation_id, safe_name(name), media_type, now)
                store(self.state, token, entry, data)
            return self.documented(op, {str(upload["url"]): f"{base}/uploads/{token}/{entry.name}"})
        if style == "presigned_put":
            return self.presigned(op, upload, body, base, now)
        # reserve and by_url: an asset with an id now; its bytes come later (reserve) or never (by_url).
        asset_id = str(uuid.uuid4())
        name = str(body.get("name", "")) if isinstance(body, Mapping) else ""
        source = body.get(str(upload["url_field"])) if style == "by_url" and isinstance(body, Mapping) else None
        with self.state.lock:
            entry = Upload(self.spec.vendor, op.operation_id, name, "", now, source_url=source)
            self.state.save_upload(asset_id, entry)
            event = "upload_registered" if style == "by_url" else "upload_reserved"
            self.state.record(event, vendor=self.spec.vendor, operation=op.operation_id, key=asset_id, url=source)
        ids = {str(upload["asset_id"]): asset_id} if "asset_id" in upload else {}
        return self.documented(op, ids, echo=body)

    def presigned(self, op: Operation, upload: Mapping[str, Any], body: Any, base: str, now: float) -> Response:
        """Upload URLs for each requested file, in request order; each takes one PUT of the bytes until it
        expires (the result URLs' lifetime, divided by the speed)."""
        extensions = [str(e) for e in find_at(body, str(upload["extension"]))] if "extension" in upload else [""]
        expires_at = now + RESULT_URL_LIFETIME_SECONDS / self.speed
        urls: list[str] = []
        paths: list[str] = []
        with self.state.lock:
            for extension in extensions:
                token = secrets.token_urlsafe(16)
                suffix = f".{extension}" if extension else ""
                name = f"{token}{suffix}"
                entry = Upload(self.spec.vendor, op.operation_id, name, "", now, expires_at=expires_at)
                self.state.save_upload(token, entry)
                self.state.record("upload_reserved", vendor=self.spec.vendor, operation=op.operation_id, key=token)
                urls.append(f"{base}/uploads/{token}")
                paths.append(str(upload.get("file_path_prefix", "")) + name)
        values: dict[str, list[str]] = {str(upload["upload_url"]): urls, str(upload["file_path"]): paths}
        if "expires_at" in upload:
            values[str(upload["expires_at"])] = [_iso(expires_at)] * len(urls)
        return self.documented(op, {}, lists=values)

    def documented(
        self,
        op: Operation,
        values: Mapping[str, str],
        echo: Any = None,
        lists: Mapping[str, list[str]] | None = None,
    ) -> Response:
        """The operation's documented 2xx answer: its example instance, with the request's fields of the same
        names echoed where that stays valid, and `values` (JSONPath -> value) and `lists` (a path with one
        [*] -> one value per item) written in."""
        status_code, schema = _success(op.spec)
        if schema is None:
            return Response(status_code=status_code)
        answer = example_instance(self.spec.document, schema)
        if isinstance(echo, Mapping) and isinstance(answer, dict):
            echoed = {**answer, **{k: v for k, v in echo.items() if k in _properties(self.spec.document, schema)}}
            if is_valid_instance(self.spec.document, schema, echoed):
                answer = echoed
        for path, items in (lists or {}).items():
            _set_items(self.spec.document, schema, answer, path, items)
        for path, value in values.items():
            set_at(answer, path, value)
        return JSONResponse(answer, status_code=status_code)

    def other(self, op: Operation) -> Response:
        status_code, schema = _success(op.spec)
        if schema is None:
            return Response(status_code=status_code)
        return JSONResponse(example_instance(self.spec.document, schema), status_code=status_code)


def _missing_file(upload: Mapping[str, Any]) -> Problem:
    return Problem(("body", str(upload["field"])), "Field required: send the file as this multipart field", "missing")


def _properties(document: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
    target = _schema_at(document, schema, "$")
    return target.get("properties", {}) if isinstance(target, Mapping) else {}


def _render(steps: Sequence[JSONPathStep]) -> str:
    return "$" + "".join(
        f"['{s.name}']" if s.name is not None else "[*]" if s.wildcard else f"[{s.index}]" for s in steps
    )


def _set_items(document: Mapping[str, Any], schema: Any, answer: Any, path: str, values: list[str]) -> None:
    """Write `values` at a path with one [*], one per item, sizing the array to fit (items start as the
    example instance of the item schema)."""
    steps = parse_simple_path(path)
    cut = next(i for i, step in enumerate(steps) if step.wildcard)
    array_path, rest = _render(steps[:cut]), _render(steps[cut + 1 :])[1:]
    arrays = find_at(answer, array_path)
    if not arrays or not isinstance(arrays[0], list) or len(arrays[0]) != len(values):
        item_schema = _schema_at(document, schema, array_path + "[*]")
        set_at(answer, array_path, [example_instance(document, item_schema) for _ in values])
    for index, value in enumerate(values):
        set_at(answer, f"{array_path}[{index}]{rest}", value)


def _result_count(lifecycle: JobLifecycle, body: Any) -> int:
    """How many result URLs a job has: one, or, when the URLs sit in an array named like an array of the
    create body (Hera's `outputs`), one per item of that array."""
    steps = parse_simple_path(str(lifecycle.job["result_urls"]))
    for position, step in enumerate(steps):
        if step.wildcard and position > 0 and steps[position - 1].name is not None and isinstance(body, Mapping):
            items = body.get(steps[position - 1].name)
            if isinstance(items, list) and items:
                return len(items)
    return 1


def _status_paths(document: Mapping[str, Any], schema: Any, lifecycle: JobLifecycle) -> Iterable[str]:
    """Where the create answer shows the job's status: the status path, or the status field beside the job id
    (Oxen's generations[0].status), when the create schema has one that takes the first status."""
    status_name = parse_simple_path(str(lifecycle.job["status"]))[-1].name
    candidates = [str(lifecycle.job["status"])]
    id_path = str(lifecycle.job["job_id"])
    if status_name is not None and "." in id_path:
        candidates.append(id_path.rsplit(".", 1)[0] + "." + status_name)
    for path in dict.fromkeys(candidates):
        target = _schema_at(document, schema, path)
        if isinstance(target, Mapping) and (
            lifecycle.first_status in target.get("enum", ())
            or (target.get("type") == "string" and "enum" not in target)
        ):
            yield path


def _log_endpoint(state: SandboxState) -> Handler:
    """GET /_sandbox/log[?since=N]: the sandbox's log as a JSON array (from event N on), so that tests in another
    process, or another language, can read what the server did as `Sandbox.log` lets Python tests in-process."""

    async def serve(request: Request) -> Response:
        since = request.query_params.get("since", "0")
        if not since.isdigit():
            return Response(f"since must be a whole number of events, not {since!r}\n", 400, media_type="text/plain")
        with state.lock:
            text = json.dumps(state.log[int(since) :], default=str)
        return Response(text, media_type="application/json")

    return serve


def _credential_headers(vendors: Sequence[str]) -> frozenset[str]:
    """Every header a vendor's key travels in, from the specs' security schemes (lower-cased)."""
    schemes = [
        scheme
        for vendor in vendors
        for scheme in vendor_spec(vendor).document.get("components", {}).get("securitySchemes", {}).values()
    ]
    return frozenset(header for header in map(_credential_header, schemes) if header is not None)


def _storage(handler: Handler, state: SandboxState, credential_headers: frozenset[str]) -> Handler:
    """A storage path (result files, uploads). It needs no vendor key, and a key sent to it would go to a host
    that is not the vendor's API (result URLs live on storage hosts; DESIGN.md, "Secrets stay secret"): the log
    says so, naming the headers, never their values, so a client's tests can assert its keys stay home."""

    async def guarded(request: Request) -> Response:
        sent = sorted(name for name in credential_headers if request.headers.get(name, "").strip())
        if sent:
            state.record("credential_sent_to_storage", method=request.method, path=request.url.path, headers=sent)
        return await handler(request)

    return guarded


def build_app(
    vendors: Sequence[str] = VENDORS,
    speed: float = 1.0,
    state: SandboxState | None = None,
    faults: FaultPlan | None = None,
) -> FaultMiddleware:
    """One app serving every vendor in `vendors` under `/<vendor>` + its base URL's path.

    `speed` scales every duration (job phases, result and upload URL lifetimes). The app's state (jobs, result
    files, uploads, log) is `app.state.sandbox`, a SandboxState; pass `state` to share one. The Starlette app is
    wrapped in the fault injector (faults.py), which obeys the `X-Reelforge-Fault` header always and `faults`
    if given.
    """
    if not MIN_SPEED <= speed < math.inf:
        raise ValueError(f"speed must be a number from {MIN_SPEED} up, not {speed!r}")
    shared = state if state is not None else SandboxState()
    keys = _credential_headers(vendors)
    routes = [
        Route(
            "/files/{token}.mp4", _storage(files_endpoint(shared), shared, keys), methods=["GET"], name="result_file"
        ),
        Route(
            "/uploads/{token}", _storage(upload_put_endpoint(shared), shared, keys), methods=["PUT"], name="upload_put"
        ),
        Route(
            "/uploads/{token}/{filename}",
            _storage(upload_get_endpoint(shared), shared, keys),
            methods=["GET"],
            name="upload",
        ),
    ]
    routes.append(Route(LOG_PATH, _log_endpoint(shared), methods=["GET"], name="sandbox_log"))
    for vendor in vendors:
        routes.extend(_Vendor(vendor_spec(vendor), shared, speed).routes())
    if faults is not None:
        faults.check_operations({v: [op.operation_id for op in vendor_spec(v).operations] for v in vendors})
    app = Starlette(routes=routes)
    app.state.sandbox = shared
    return FaultMiddleware(app, shared, faults)
