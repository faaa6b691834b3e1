"""Uploads: the upload operations of each vendor, and the storage URLs that complete them.

An upload operation (the one carrying `x-reelforge-upload`, docs/x-reelforge-upload.md) and a reserved asset's
`upload_operation` keep the file in memory as the vendor's style says (multipart; reserve, then upload the
bytes; presigned PUT; by URL), and answer the documented body with the URL, asset id or upload URLs written in.

`PUT /uploads/<token>` takes the raw bytes of a presigned upload URL (Magic Hour's style: no vendor key, and
an expiry like the result URLs'); `GET /uploads/<token>/<filename>` serves a stored file back (the URL Hera's
upload answers with). Like storage, an expired URL answers 403 and an unknown one 404, in plain text: these are
not the vendor's API, so its error shape does not apply.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from reelforge.sandbox import RESULT_URL_LIFETIME_SECONDS
from reelforge.sandbox.answers import Answers, iso_time
from reelforge.sandbox.catalog import ServedOperation
from reelforge.sandbox.errors import Problem
from reelforge.sandbox.state import SandboxState, Upload
from reelforge.specs import JSONPath, UploadExtension

__all__ = [
    "EXPIRED_STATUS",
    "MultipartFile",
    "Uploads",
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


def _missing_file(upload: UploadExtension) -> Problem:
    return Problem(("body", str(upload.field)), "Field required: send the file as this multipart field", "missing")


class Uploads:
    """The upload operations of one vendor, on the sandbox's shared state, at its speed."""

    def __init__(self, answers: Answers, state: SandboxState, speed: float) -> None:
        self.answers = answers
        self.vendor = answers.vendor.vendor
        self.state = state
        self.speed = speed

    def answer(self, op: ServedOperation, upload: UploadExtension, request: Request, body: Any, raw: bytes) -> Response:
        """An upload operation, as its x-reelforge-upload style says."""
        base = str(request.base_url).rstrip("/")
        content_type = request.headers.get("content-type", "")
        now = time.time()
        if op.role == "upload_file":  # the second step of a reserved asset: its bytes
            asset_id = str(request.path_params[str(upload.asset_id_parameter)])
            sent = multipart_file(content_type, raw, str(upload.field))
            with self.state.lock:
                reserved = self.state.uploads.get(asset_id)
                if reserved is None or reserved.vendor != self.vendor:
                    return self.answers.error("not_found", operation=op.operation_id, asset_id=asset_id)
                if sent is None:
                    return self.answers.error("invalid", [_missing_file(upload)], operation=op.operation_id)
                _, media_type, data = sent  # the asset keeps the name it was created with
                store(self.state, asset_id, reserved, data, media_type, op.operation_id)
            return self.answers.documented(op)
        if upload.style == "multipart":
            sent = multipart_file(content_type, raw, str(upload.field))
            if sent is None:
                return self.answers.error("invalid", [_missing_file(upload)], operation=op.operation_id)
            name, media_type, data = sent
            token = secrets.token_urlsafe(16)
            with self.state.lock:
                entry = Upload(self.vendor, op.operation_id, safe_name(name), media_type, now)
                store(self.state, token, entry, data)
            url = {upload.url: f"{base}/uploads/{token}/{entry.name}"} if upload.url is not None else {}
            return self.answers.documented(op, url)
        if upload.style == "presigned_put":
            return self.presigned(op, upload, body, base, now)
        # reserve and by_url: an asset with an id now; its bytes come later (reserve) or never (by_url).
        asset_id = str(uuid.uuid4())
        name = str(body.get("name", "")) if isinstance(body, Mapping) else ""
        by_url = upload.style == "by_url" and isinstance(body, Mapping) and upload.url_field is not None
        source = body.get(upload.url_field) if by_url else None
        with self.state.lock:
            entry = Upload(self.vendor, op.operation_id, name, "", now, source_url=source)
            self.state.save_upload(asset_id, entry)
            event = "upload_registered" if upload.style == "by_url" else "upload_reserved"
            self.state.record(event, vendor=self.vendor, operation=op.operation_id, key=asset_id, url=source)
        ids = {upload.asset_id: asset_id} if upload.asset_id is not None else {}
        return self.answers.documented(op, ids, echo=body)

    def presigned(self, op: ServedOperation, upload: UploadExtension, body: Any, base: str, now: float) -> Response:
        """Upload URLs for each requested file, in request order; each takes one PUT of the bytes until it
        expires (the result URLs' lifetime, divided by the speed)."""
        extensions = [str(e) for e in upload.extension.find(body)] if upload.extension is not None else [""]
        expires_at = now + RESULT_URL_LIFETIME_SECONDS / self.speed
        urls: list[str] = []
        paths: list[str] = []
        with self.state.lock:
            for extension in extensions:
                token = secrets.token_urlsafe(16)
                suffix = f".{extension}" if extension else ""
                name = f"{token}{suffix}"
                entry = Upload(self.vendor, op.operation_id, name, "", now, expires_at=expires_at)
                self.state.save_upload(token, entry)
                self.state.record("upload_reserved", vendor=self.vendor, operation=op.operation_id, key=token)
                urls.append(f"{base}/uploads/{token}")
                paths.append((upload.file_path_prefix or "") + name)
        values: dict[JSONPath, list[str]] = {}
        if upload.upload_url is not None:
            values[upload.upload_url] = urls
        if upload.file_path is not None:
            values[upload.file_path] = paths
        if upload.expires_at is not None:
            values[upload.expires_at] = [iso_time(expires_at)] * len(urls)
        return self.answers.documented(op, lists=values)
