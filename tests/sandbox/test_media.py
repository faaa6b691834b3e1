from __future__ import annotations

import struct

import pytest

from reelforge.sandbox.media import RESULT_CONTENT_TYPE, Mp4Error, is_valid_mp4, mp4_boxes, result_video


def _box(box_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + box_type + payload


def test_the_asset_is_a_small_whole_h264_mp4() -> None:
    data = result_video()
    boxes = mp4_boxes(data)
    types = [box_type for box_type, _ in boxes]
    assert types[0] == "ftyp"
    assert {"moov", "mdat"} <= set(types)
    assert sum(size for _, size in boxes) == len(data)
    assert is_valid_mp4(data)
    assert 500 < len(data) < 20_000
    assert b"avc1" in data  # the sample entry of H.264 video
    assert RESULT_CONTENT_TYPE == "video/mp4"


def test_the_asset_is_read_once() -> None:
    assert result_video() is result_video()


def test_no_proper_prefix_of_the_asset_is_valid() -> None:
    data = result_video()
    assert not any(is_valid_mp4(data[:end]) for end in range(len(data)))


def test_truncated_bytes_raise() -> None:
    data = result_video()
    with pytest.raises(Mp4Error, match="claims"):
        mp4_boxes(data[:-1])
    with pytest.raises(Mp4Error, match="cut short"):
        mp4_boxes(data[:5])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (struct.pack(">I", 4) + b"ftyp", "less than its 8-byte header"),
        (struct.pack(">I", 1) + b"ftyp" + struct.pack(">Q", 8), "less than its 16-byte header"),
        (struct.pack(">I", 1) + b"ftyp" + b"\0\0", "64-bit size"),
        (struct.pack(">I", 8) + b"\xff\xfe\x00\x01", "not ASCII"),
        (struct.pack(">I", 8) + b"ft\x00p", "not printable"),
        (struct.pack(">I", 0xFFFFFFF0) + b"ftyp", "only 8 remain"),
    ],
)
def test_garbled_headers_raise(data: bytes, message: str) -> None:
    with pytest.raises(Mp4Error, match=message):
        mp4_boxes(data)
    assert not is_valid_mp4(data)


def test_sizes_64_bit_and_to_end_of_file() -> None:
    ftyp = _box(b"ftyp", b"isom\0\0\2\0isom")
    moov_payload = b"m" * 20
    moov = struct.pack(">I", 1) + b"moov" + struct.pack(">Q", 16 + len(moov_payload)) + moov_payload
    mdat = struct.pack(">I", 0) + b"mdat" + b"\x00" * 33
    data = ftyp + moov + mdat
    assert mp4_boxes(data) == [("ftyp", len(ftyp)), ("moov", len(moov)), ("mdat", len(mdat))]
    assert is_valid_mp4(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        _box(b"ftyp", b"isom") + _box(b"mdat", b"xx"),  # no moov
        _box(b"ftyp", b"isom") + _box(b"moov", b"xx"),  # no mdat
        _box(b"moov", b"xx") + _box(b"ftyp", b"isom") + _box(b"mdat", b"xx"),  # ftyp not first
        b"garbage that is not an mp4 at all",
    ],
)
def test_files_that_are_not_whole_mp4s_are_rejected(data: bytes) -> None:
    assert not is_valid_mp4(data)


def test_a_corrupted_box_size_in_the_asset_is_rejected() -> None:
    data = bytearray(result_video())
    first_size = struct.unpack_from(">I", data, 0)[0]
    struct.pack_into(">I", data, first_size, 0x7FFFFFFF)  # the second box claims far more than remains
    assert not is_valid_mp4(bytes(data))
