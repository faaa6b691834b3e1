"""The result file the sandbox serves, and a reader for the top-level boxes of an MP4 (ISO/IEC 14496-12).

The asset is a real H.264 MP4 (64x36, 10 fps, 2 s, no audio), made once and committed. ffmpeg is not a
run-time dependency; this is the exact command that made `assets/result.mp4` (ffmpeg 5.1):

    ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=64x36:rate=10:duration=2" \
        -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -profile:v baseline \
        -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact -an \
        src/reelforge/sandbox/assets/result.mp4
"""

from __future__ import annotations

import struct
from functools import cache
from importlib import resources

__all__ = ["RESULT_CONTENT_TYPE", "Mp4Error", "is_valid_mp4", "mp4_boxes", "result_video"]

RESULT_CONTENT_TYPE = "video/mp4"

_ASSET = "result.mp4"


class Mp4Error(ValueError):
    """The bytes are not a well-formed sequence of ISO base media file format boxes."""


@cache
def result_video() -> bytes:
    """The bytes of the committed result video (read once, then cached)."""
    return resources.files("reelforge.sandbox").joinpath("assets", _ASSET).read_bytes()


def mp4_boxes(data: bytes) -> list[tuple[str, int]]:
    """The top-level boxes of `data` as (four-character type, size in bytes), in file order.

    A box header is a 32-bit big-endian size and a four-character type; size 1 means a 64-bit size
    (`largesize`) follows the type, and size 0 means the box runs to the end of the file. Raises Mp4Error
    when a header is cut short, a size is smaller than its own header, or a box runs past the end.
    """
    boxes: list[tuple[str, int]] = []
    offset = 0
    end = len(data)
    while offset < end:
        if end - offset < 8:
            raise Mp4Error(f"a box header at byte {offset} is cut short ({end - offset} bytes left)")
        size, raw_type = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if end - offset < 16:
                raise Mp4Error(f"the 64-bit size of the box at byte {offset} is cut short")
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            raise Mp4Error(f"the box at byte {offset} claims {size} bytes, less than its {header}-byte header")
        if offset + size > end:
            raise Mp4Error(f"the box at byte {offset} claims {size} bytes but only {end - offset} remain")
        try:
            box_type = raw_type.decode("ascii")
        except UnicodeDecodeError as exc:
            raise Mp4Error(f"the box at byte {offset} has a type that is not ASCII: {raw_type!r}") from exc
        if not box_type.isprintable():
            raise Mp4Error(f"the box at byte {offset} has a type that is not printable: {raw_type!r}")
        boxes.append((box_type, size))
        offset += size
    return boxes


def is_valid_mp4(data: bytes) -> bool:
    """True when `data` is a whole MP4: ftyp first, a moov and an mdat box, and box sizes that add up to its length."""
    try:
        boxes = mp4_boxes(data)
    except Mp4Error:
        return False
    types = [box_type for box_type, _ in boxes]
    return (
        bool(types)
        and types[0] == "ftyp"
        and "moov" in types
        and "mdat" in types
        and sum(size for _, size in boxes) == len(data)
    )
