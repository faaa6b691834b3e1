"""The result files: one committed MP4 served at `/files/<token>.mp4`, with no vendor key, as storage does.

Answers carry Content-Length and an ETag, honour If-None-Match (304) and single byte ranges (206, or 416 for
one that starts past the end; several ranges or another unit get the whole file, as RFC 9110 allows); an
expired URL answers 403 and an unknown one 404.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Final, Literal

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


_RANGE: Final = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def parse_range(header: str, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """What a Range header asks of a `size`-byte file (RFC 9110 section 14): the inclusive (first, last) byte of
    a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; "unsatisfiable" when it starts past the end (or asks
    for the last 0 bytes); None when it is to be ignored (another unit, several ranges, not valid), which
    means the whole file."""
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        if last_text == "":
            return None
        length = int(last_text)
        return (max(size - length, 0), size - 1) if length > 0 and size > 0 else "unsatisfiable"
    first = int(first_text)
    if last_text and int(last_text) < first:  # not a valid range at all
        return None
    if first >= size:
        return "unsatisfiable"
    last = int(last_text) if last_text else size - 1
    return first, min(last, size - 1)


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match value names this ETag: `*`, or any tag of its list, compared weakly."""
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


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
        # RFC 9110 section 13.2.2: If-None-Match is evaluated before Range.
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and _matches(if_none_match, _ETAG):
            return Response(status_code=304, headers=headers)
        range_header = request.headers.get("range")
        if range_header is not None and request.headers.get("if-range", _ETAG) == _ETAG:
            selected = parse_range(range_header, len(data))
            if selected == "unsatisfiable":
                headers["Content-Range"] = f"bytes */{len(data)}"
                return Response(status_code=416, headers=headers)
            if selected is not None:
                first, last = selected
                headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
                part = data[first : last + 1]
                return Response(part, status_code=206, headers=headers, media_type=RESULT_CONTENT_TYPE)
        return Response(data, headers=headers, media_type=RESULT_CONTENT_TYPE)

    return serve
