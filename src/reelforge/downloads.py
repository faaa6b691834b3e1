"""Result downloads: streamed in fixed chunks to a temporary file beside the target, renamed when complete.

A result URL lives on a storage host, not the vendor's API, so it is fetched with a plain httpx client that has
no key (the vendor's key never leaves for storage). A partial file is never left under the final name: the
bytes go to `.<name>.<random>.part` in the destination folder, which is renamed over the target only once the
whole body has arrived (and removed when anything fails). The async loop writes each chunk from a thread.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Final
from urllib.parse import urlsplit

from reelforge.errors import DownloadError

if TYPE_CHECKING:
    import httpx

    from reelforge.transport import Fetch

__all__ = ["CHUNK_SIZE", "DEFAULT_EXTENSION", "extension_for", "guess_type", "stream_to", "stream_to_async"]

CHUNK_SIZE: Final = 256 * 1024
DEFAULT_EXTENSION: Final = "mp4"
_EXTENSION: Final = re.compile(r"[A-Za-z0-9]{1,5}")
# mimetypes spells a few video types in ways nobody uses for file names.
_PREFERRED: Final = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "image/jpeg": "jpg"}


def guess_type(path: Path) -> str:
    """The media type of a local file, from its name (application/octet-stream when unknown)."""
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def extension_for(url: str, content_type: str | None) -> str:
    """A result file's extension: the URL path's, else the Content-Type's, else mp4."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.removeprefix(".")
    if _EXTENSION.fullmatch(suffix):
        return suffix.lower()
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in _PREFERRED:
        return _PREFERRED[media_type]
    guessed = mimetypes.guess_extension(media_type) if media_type else None
    if guessed and media_type != "application/octet-stream":
        return guessed.removeprefix(".")
    return DEFAULT_EXTENSION


def _failure(fetch: Fetch, message: str) -> DownloadError:
    return DownloadError(message, vendor=fetch.vendor, operation=fetch.operation, url=fetch.url)


def _check(fetch: Fetch, response: httpx.Response) -> Path:
    if response.status_code != 200:
        raise _failure(fetch, f"downloading {fetch.url} answered {response.status_code}")
    return fetch.folder / f"{fetch.stem}.{extension_for(fetch.url, response.headers.get('content-type'))}"


def _open_partial(target: Path) -> tuple[IO[bytes], Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    return os.fdopen(handle, "wb"), Path(name)


def _umask() -> int:
    """The process's umask: read where the system shows it (Linux), since setting it to read it back races with
    any thread creating a file meanwhile; set and restored elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp makes the partial file private (0600); a finished video gets the mode any new file of the user's gets.
_FILE_MODE = 0o666 & ~_umask()


def _finish(out: IO[bytes], partial: Path, target: Path) -> Path:
    out.close()
    partial.chmod(_FILE_MODE)
    partial.replace(target)
    return target


def _discard(out: IO[bytes], partial: Path) -> None:
    out.close()
    partial.unlink(missing_ok=True)


def stream_to(client: httpx.Client, fetch: Fetch) -> Path:
    """Download `fetch.url` with `client` (blocking); the finished file's path."""
    import httpx

    try:
        with client.stream("GET", fetch.url) as response:
            target = _check(fetch, response)
            out, partial = _open_partial(target)
            try:
                for chunk in response.iter_bytes(CHUNK_SIZE):
                    out.write(chunk)
            except BaseException:
                _discard(out, partial)
                raise
            return _finish(out, partial, target)
    except httpx.HTTPError as exc:
        raise _failure(fetch, f"downloading {fetch.url} failed: {type(exc).__name__}: {exc}") from exc


async def stream_to_async(client: httpx.AsyncClient, fetch: Fetch) -> Path:
    """Download `fetch.url` with `client`; every file operation runs in a thread, so the loop never blocks."""
    import httpx

    try:
        async with client.stream("GET", fetch.url) as response:
            target = _check(fetch, response)
            out, partial = await asyncio.to_thread(_open_partial, target)
            try:
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    await asyncio.to_thread(out.write, chunk)
            except BaseException:
                await asyncio.to_thread(_discard, out, partial)
                raise
            return await asyncio.to_thread(_finish, out, partial, target)
    except httpx.HTTPError as exc:
        raise _failure(fetch, f"downloading {fetch.url} failed: {type(exc).__name__}: {exc}") from exc
