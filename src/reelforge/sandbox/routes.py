"""Routes: the sandbox's ASGI application, every operation of the served vendors' effective specs on one
Starlette app.

Each vendor is mounted under `/<vendor>` followed by the path of its production base URL (catalog.py), and each
of its operations answers by its role there. Every vendor request goes the same way: its credential first
(credentials.py: the vendor's 401 without one), then validation against the spec (validation.py: the vendor's
own error answer for an invalid request, errors.py), then the job calls (jobs.py), the upload calls
(uploads.py), or, for any other operation, the example instance of its documented success body (answers.py).

Besides the vendors: result files at `/files/<token>.mp4` (files.py), presigned upload URLs at
`/uploads/<token>` and uploaded files served back at `/uploads/<token>/<filename>` (uploads.py), all without a
vendor key, as storage is; and the sandbox's log at `/_sandbox/log`. The whole app is wrapped in the fault
injector (faults.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reelforge.registry import VENDORS
from reelforge.sandbox import MIN_SPEED
from reelforge.sandbox.answers import Answers
from reelforge.sandbox.catalog import ServedOperation, ServedVendor, served_vendor
from reelforge.sandbox.credentials import credential_headers, credential_ok, guard_storage
from reelforge.sandbox.faults import CONTROL_PREFIX, FaultMiddleware, FaultPlan
from reelforge.sandbox.files import files_endpoint
from reelforge.sandbox.jobs import Jobs
from reelforge.sandbox.state import SandboxState
from reelforge.sandbox.uploads import Uploads, upload_get_endpoint, upload_put_endpoint
from reelforge.sandbox.validation import RequestValidator

__all__ = ["LOG_PATH", "build_app"]

# Where the log is served (outside every vendor's prefix; needs no key).
LOG_PATH: Final = CONTROL_PREFIX + "log"

Handler = Callable[[Request], Awaitable[Response]]


class _VendorRoutes:
    """The routes of one vendor, sharing the sandbox's state."""

    def __init__(self, vendor: ServedVendor, state: SandboxState, speed: float) -> None:
        self.vendor = vendor
        self.answers = Answers(vendor, state)
        self.validator = RequestValidator(vendor.vendor, vendor.origin)
        self.jobs = Jobs(self.answers, state, speed)
        self.uploads = Uploads(self.answers, state, speed)

    def routes(self) -> list[Route]:
        prefix = self.vendor.prefix
        return [
            Route(prefix + op.path, self.endpoint(op), methods=[op.method.upper()], name=op.operation_id)
            for op in self.vendor.operations
        ]

    def endpoint(self, op: ServedOperation) -> Handler:
        takes_body = op.operation.request_body is not None

        async def handle(request: Request) -> Response:
            raw = await request.body()
            if not credential_ok(op.operation, request):
                return self.answers.error("unauthorized", operation=op.operation_id)
            path = self.vendor.base_path + request.url.path[len(self.vendor.prefix) :]
            rejection = await self.validator.check(request, raw, path)
            if rejection is not None:
                return self.answers.error(rejection.kind, rejection.problems, operation=op.operation_id)
            # Validation parsed a JSON body the operation takes; one it does not take is ignored, as servers do.
            takes_json = takes_body and "json" in request.headers.get("content-type", "")
            body: Any = json.loads(raw) if raw and takes_json else None
            return self.answer(op, request, body, raw)

        return handle

    def answer(self, op: ServedOperation, request: Request, body: Any, raw: bytes) -> Response:
        if op.upload is not None:
            return self.uploads.answer(op, op.upload, request, body, raw)
        if op.lifecycle is not None and op.role == "create":
            return self.jobs.create(op, op.lifecycle, request, body)
        if op.lifecycle is not None:  # status, start, cancel
            return self.jobs.follow(op, op.lifecycle, request, body)
        return self.answers.documented(op)


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
    served = [served_vendor(vendor) for vendor in vendors]
    keys = credential_headers(vendor.spec for vendor in served)
    routes = [
        Route(
            "/files/{token}.mp4",
            guard_storage(files_endpoint(shared), shared, keys),
            methods=["GET"],
            name="result_file",
        ),
        Route(
            "/uploads/{token}",
            guard_storage(upload_put_endpoint(shared), shared, keys),
            methods=["PUT"],
            name="upload_put",
        ),
        Route(
            "/uploads/{token}/{filename}",
            guard_storage(upload_get_endpoint(shared), shared, keys),
            methods=["GET"],
            name="upload",
        ),
        Route(LOG_PATH, _log_endpoint(shared), methods=["GET"], name="sandbox_log"),
    ]
    for vendor in served:
        routes.extend(_VendorRoutes(vendor, shared, speed).routes())
    if faults is not None:
        faults.check_operations({v.vendor: [op.operation_id for op in v.operations] for v in served})
    app = Starlette(routes=routes)
    app.state.sandbox = shared
    return FaultMiddleware(app, shared, faults)
