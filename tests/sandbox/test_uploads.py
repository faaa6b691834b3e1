"""Uploads through the generated clients, each vendor's way (x-reelforge-upload): the bytes round-trip, every
answer conforms to the spec, and the errors come in the vendor's shape."""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from typing import Any

import httpx
import pytest

from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import CREDENTIAL_HEADERS, Recorder, assert_conforms, client_for, error_schema_errors

# Not a real image: the sandbox stores bytes, it does not read them. The NUL and high bytes catch any text
# decoding on the way.
DATA = b"\x89PNG\r\n\x1a\n\x00reelforge upload \xff\xfe" * 64
DIGEST = hashlib.sha256(DATA).hexdigest()


def _received(sandbox: Sandbox, key: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.log if e["event"] == "upload_received" and e["key"] == key]


def test_hera_multipart_upload_is_served_back(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_hera.api.files import upload_file
    from reelforge_hera.models import HeraFileUpload
    from reelforge_hera.types import File

    client = client_for("hera", sandbox, recorder)
    body = HeraFileUpload(file=File(payload=io.BytesIO(DATA), file_name="face shot.png", mime_type="image/png"))
    answer = upload_file.sync(client=client, body=body)

    assert answer.url.startswith(sandbox.url + "/uploads/")
    assert answer.url.endswith("/face_shot.png")
    token = answer.url.split("/")[-2]
    [event] = _received(sandbox, token)
    assert (event["vendor"], event["operation"], event["size"], event["sha256"]) == (
        "hera",
        "upload_file",
        len(DATA),
        DIGEST,
    )
    download = httpx.get(answer.url)  # no key: a public file URL
    assert download.status_code == 200
    assert download.content == DATA
    assert download.headers["content-type"] == "image/png"
    assert httpx.get(answer.url.rsplit("/", 1)[0] + "/other.png").status_code == 404
    assert_conforms("hera", sandbox, recorder.exchanges)


def test_a_large_upload_is_validated_off_the_event_loop_and_kept_whole(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_hera.api.files import upload_file
    from reelforge_hera.models import HeraFileUpload
    from reelforge_hera.types import File

    from reelforge.sandbox.validation import VALIDATE_IN_THREAD_BYTES

    large = DATA * (VALIDATE_IN_THREAD_BYTES // len(DATA) + 2)
    client = client_for("hera", sandbox, recorder)
    body = HeraFileUpload(file=File(payload=io.BytesIO(large), file_name="long.mp4", mime_type="video/mp4"))
    answer = upload_file.sync(client=client, body=body)
    assert httpx.get(answer.url).content == large
    missing = httpx.post(
        sandbox.base_url("hera") + "/files", headers=CREDENTIAL_HEADERS["hera"], files={"other": ("x", large)}
    )
    assert missing.status_code == 400  # validation in the worker thread still refuses, in Hera's shape
    assert "error" in missing.json()


@pytest.mark.parametrize(("vendor", "path"), [("hera", "/files"), ("hedra", "/assets/{id}/upload")])
def test_missing_file_is_invalid_in_the_vendor_shape(vendor: str, path: str, sandbox: Sandbox) -> None:
    url = sandbox.base_url(vendor) + path
    if vendor == "hedra":
        asset = httpx.post(
            sandbox.base_url("hedra") + "/assets",
            json={"name": "a.png", "type": "image"},
            headers=CREDENTIAL_HEADERS["hedra"],
        )
        assert asset.status_code == 200, asset.text
        url = url.replace("{id}", asset.json()["id"])
    # The file travels in the wrong field.
    answer = httpx.post(url, files={"upload": ("a.png", DATA, "image/png")}, headers=CREDENTIAL_HEADERS[vendor])
    expected = 422 if vendor == "hedra" else 400
    assert answer.status_code == expected, answer.text
    body = answer.json()
    assert "file" in answer.text
    assert error_schema_errors(vendor, "post", path, expected, body) == []
    assert not [e for e in sandbox.log if e["event"] == "upload_received"]


def test_hedra_asset_reserved_then_uploaded(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_hedra.api.assets import create_asset, upload_asset
    from reelforge_hedra.models import AssetType, CreateAssetRequest, UploadAssetRequest
    from reelforge_hedra.types import File

    client = client_for("hedra", sandbox, recorder)
    asset = create_asset.sync(client=client, body=CreateAssetRequest(name="face.png", type_=AssetType.IMAGE))
    assert (asset.name, asset.type_) == ("face.png", AssetType.IMAGE)  # the answer echoes the request
    assert [e["key"] for e in sandbox.log if e["event"] == "upload_reserved"] == [str(asset.id)]
    assert _received(sandbox, str(asset.id)) == []

    upload = UploadAssetRequest(file=File(payload=io.BytesIO(DATA), file_name="face.png", mime_type="image/png"))
    upload_asset.sync(asset.id, client=client, body=upload)
    [event] = _received(sandbox, str(asset.id))
    assert (event["vendor"], event["operation"], event["size"], event["sha256"]) == (
        "hedra",
        "upload_asset",
        len(DATA),
        DIGEST,
    )
    assert_conforms("hedra", sandbox, recorder.exchanges)


def test_hedra_unknown_asset_is_404_in_the_vendor_shape(sandbox: Sandbox, recorder: Recorder) -> None:
    import reelforge_hedra
    from reelforge_hedra.api.assets import upload_asset
    from reelforge_hedra.models import UploadAssetRequest
    from reelforge_hedra.types import File

    client = client_for("hedra", sandbox, recorder)
    upload = UploadAssetRequest(file=File(payload=io.BytesIO(DATA), file_name="face.png", mime_type="image/png"))
    unknown = uuid.uuid4()
    with pytest.raises(reelforge_hedra.ApiError) as raised:
        upload_asset.sync(unknown, client=client, body=upload)
    assert raised.value.status_code == 404
    body = httpx.Response(404, content=raised.value.content).json()
    assert body["type"] == "NOT_FOUND"
    assert error_schema_errors("hedra", "post", "/assets/{id}/upload", 404, body) == []
    assert [e["asset_id"] for e in sandbox.log if e["event"] == "request_rejected"] == [str(unknown)]
    assert_conforms("hedra", sandbox, recorder.exchanges)


def _upload_urls(sandbox: Sandbox, recorder: Recorder) -> Any:
    from reelforge_magichour.api.files import create_upload_urls
    from reelforge_magichour.models import CreateUploadUrlsRequest, FileToUpload, UploadFileType

    client = client_for("magichour", sandbox, recorder)
    items = [
        FileToUpload(type_=UploadFileType.IMAGE, extension="png"),
        FileToUpload(type_=UploadFileType.AUDIO, extension="mp3"),
    ]
    return create_upload_urls.sync(client=client, body=CreateUploadUrlsRequest(items=items))


def test_magic_hour_presigned_put(sandbox: Sandbox, recorder: Recorder) -> None:
    answer = _upload_urls(sandbox, recorder)
    assert [item.file_path.rsplit(".", 1)[-1] for item in answer.items] == ["png", "mp3"]  # request order
    assert all(item.file_path.startswith("api-assets/") for item in answer.items)
    assert all(item.upload_url.startswith(sandbox.url + "/uploads/") for item in answer.items)
    assert len({item.upload_url for item in answer.items}) == 2

    first = answer.items[0]
    stored = httpx.put(first.upload_url, content=DATA, headers={"content-type": "image/png"})  # no vendor key
    assert stored.status_code == 200, stored.text
    token = first.upload_url.rsplit("/", 1)[-1]
    assert first.file_path == f"api-assets/{token}.png"
    [event] = _received(sandbox, token)
    assert (event["vendor"], event["size"], event["sha256"]) == ("magichour", len(DATA), DIGEST)
    assert httpx.put(sandbox.url + "/uploads/no-such-token", content=DATA).status_code == 404
    assert_conforms("magichour", sandbox, recorder.exchanges)


def test_magic_hour_upload_url_expires() -> None:
    # 24 h at this speed is about 0.43 s.
    with Sandbox(speed=200_000, vendors=["magichour"]) as sandbox, Recorder() as recorder:
        answer = _upload_urls(sandbox, recorder)
        time.sleep(0.6)
        expired = httpx.put(answer.items[0].upload_url, content=DATA)
        assert expired.status_code == 403  # as storage answers an expired presigned URL
        assert "expired" in expired.text
        assert not [e for e in sandbox.log if e["event"] == "upload_received"]
        assert_conforms("magichour", sandbox, recorder.exchanges)


def test_argil_asset_by_url(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_argil.api.assets import create_asset
    from reelforge_argil.models import ArgilAssetType, CreateAssetRequest

    client = client_for("argil", sandbox, recorder)
    source = "https://example.com/media/intro.mp4"
    body = CreateAssetRequest(name="intro", type_=ArgilAssetType.VIDEO, url=source)
    asset = create_asset.sync(client=client, body=body)
    assert (asset.name, asset.url) == ("intro", source)
    [event] = [e for e in sandbox.log if e["event"] == "upload_registered"]
    assert (event["key"], event["url"], event["operation"]) == (str(asset.id), source, "create_asset")
    assert not [e for e in sandbox.log if e["event"] == "upload_received"]  # nothing fetched: no network
    assert_conforms("argil", sandbox, recorder.exchanges)


@pytest.mark.parametrize(("vendor", "path"), [("hera", "/files"), ("magichour", "/v1/files/upload-urls")])
def test_upload_needs_the_key(vendor: str, path: str, sandbox: Sandbox) -> None:
    answer = httpx.post(sandbox.base_url(vendor) + path, files={"file": ("a.png", DATA, "image/png")})
    assert answer.status_code == 401
    assert error_schema_errors(vendor, "post", path, 401, answer.json()) == []
