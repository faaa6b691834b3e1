"""Uploaded input files: reading a multipart file part, and the storage side of an upload.

`PUT /uploads/<token>` takes the raw bytes of a presigned upload URL (Magic Hour's style: no vendor key, and
an expiry like the result URLs'); `GET /uploads/<token>/<filename>` serves a stored file back (the URL Hera's
upload answers with). Like storage, an expired URL answers 403 and an unknown one 404, in plain text: these are
not the vendor's API, so its error shape does not apply.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from reelforge.sandbox.state import SandboxState, Upload

__all__ = [
    "EXPIRED_STATUS",
    "MultipartFile",
    "multipart_file",
    "safe_name",
    "store",
    "upload_get_endpoint",
    "upload_put_endpoint",
]

# As files.py: storage answers an expired presigned URL with 403 Forbidden.
EXPIRED_STATUS: Final = 403

Handler = Callable[[Request], Awaitable[Response]]
MultipartFile = tuple[str, str, bytes]  # (file name, content type, bytes)


def multipart_file(content_type: str, raw: bytes, field: str) -> MultipartFile | None:
    """The file sent in the multipart/form-data field `field` (None when the body is no such form or lacks it).

    werkzeug's parser is used because openapi-core already brings werkzeug; Starlette's form() would need
    python-multipart as one more dependency.
    """
    mimetype, options = parse_options_header(content_type)
    if mimetype != "multipart/form-data" or "boundary" not in options:
        return None
    try:
        _, _, files = FormDataParser().parse(io.BytesIO(raw), mimetype, len(raw), options)
    except ValueError:
        return None
    try:
        part = files.get(field)
        if part is None:
            return None
        return part.filename or field, part.mimetype or "application/octet-stream", part.read()
    finally:
        for storages in files.listvalues():  # werkzeug spools parts to temporary files
            for storage in storages:
                storage.close()


def safe_name(name: str) -> str:
    """A file name that is one URL path segment as it is: its last part, other characters as "_"."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in base).lstrip(".")
    return cleaned or "file"


def store(
    state: SandboxState,
    key: str,
    upload: Upload,
    data: bytes,
    content_type: str | None = None,
    operation: str | None = None,
) -> None:
    """Keep the bytes of an upload and log `upload_received` with the operation that sent them (by default the
    one that made the upload; call it with the lock held)."""
    upload.data = data
    upload.sha256 = hashlib.sha256(data).hexdigest()
    if content_type:
        upload.content_type = content_type
    state.save_upload(key, upload)
    state.record(
        "upload_received",
        vendor=upload.vendor,
        operation=operation or upload.operation,
        key=key,
        size=len(data),
        sha256=upload.sha256,
    )


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain")


def upload_put_endpoint(state: SandboxState) -> Handler:
    """PUT /uploads/{token}: the bytes for a presigned upload URL; no vendor key, as at storage."""

    async def put(request: Request) -> Response:
        token = str(request.path_params["token"])
        data = await request.body()
        with state.lock:
            upload = state.uploads.get(token)
            if upload is None or upload.expires_at is None:
                return _text("no such upload URL", 404)
            if upload.expires_at <= time.time():
                return _text("this upload URL has expired", EXPIRED_STATUS)
            store(state, token, upload, data, request.headers.get("content-type"))
        return Response(status_code=200)

    return put


def upload_get_endpoint(state: SandboxState) -> Handler:
    """GET /uploads/{token}/{filename}: a stored upload's bytes, with its content type."""

    async def get(request: Request) -> Response:
        token = str(request.path_params["token"])
        with state.lock:
            upload = state.uploads.get(token)
            data = upload.data if upload is not None else None
            media_type = upload.content_type if upload is not None else ""
        if data is None or upload is None or upload.name != request.path_params["filename"]:
            return _text("no such uploaded file", 404)
        return Response(data, media_type=media_type or "application/octet-stream")

    return get
