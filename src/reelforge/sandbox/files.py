"""The result files: one committed MP4 served at `/files/<token>.mp4`, with no vendor key, as storage does.

Answers carry Content-Length and an ETag and honour single byte ranges (206, or 416 for one that cannot be
met); an expired URL answers 403 and an unknown one 404.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from reelforge.sandbox.media import RESULT_CONTENT_TYPE, result_video
from reelforge.sandbox.state import SandboxState

__all__ = ["EXPIRED_STATUS", "files_endpoint", "parse_range"]

# An expired result URL answers 403: the vendors' result URLs are presigned storage URLs, and storage (S3,
# CloudFront, GCS) answers an expired signature with 403 Forbidden, so a client that copes with the real thing
# copes with the sandbox. An unknown token answers 404.
EXPIRED_STATUS: Final = 403

Handler = Callable[[Request], Awaitable[Response]]

_ETAG: Final = '"' + hashlib.sha256(result_video()).hexdigest()[:32] + '"'


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; None when
    the header is not one satisfiable range."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first_text == "":
            length = int(last_text)
            if length <= 0:
                return None
            return max(size - length, 0), size - 1
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first < 0 or first >= size or last < first:
        return None
    return first, min(last, size - 1)


def files_endpoint(state: SandboxState) -> Handler:
    async def serve(request: Request) -> Response:
        token = str(request.path_params["token"])
        with state.lock:
            entry = state.files.get(token)
        if entry is None:
            return Response("no such result file\n", status_code=404, media_type="text/plain")
        if entry.expires_at is not None and entry.expires_at <= time.time():
            return Response("this result URL has expired\n", status_code=EXPIRED_STATUS, media_type="text/plain")
        data = result_video()
        headers = {"ETag": _ETAG, "Accept-Ranges": "bytes"}
        range_header = request.headers.get("range")
        if range_header is not None and request.headers.get("if-range", _ETAG) == _ETAG:
            selected = parse_range(range_header, len(data))
            if selected is None:
                headers["Content-Range"] = f"bytes */{len(data)}"
                return Response(status_code=416, headers=headers)
            first, last = selected
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            return Response(data[first : last + 1], status_code=206, headers=headers, media_type=RESULT_CONTENT_TYPE)
        if request.headers.get("if-none-match") == _ETAG:
            return Response(status_code=304, headers=headers)
        return Response(data, headers=headers, media_type=RESULT_CONTENT_TYPE)

    return serve
