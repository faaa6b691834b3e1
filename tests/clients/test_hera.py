"""reelforge_hera: create a video and read its status through the generated client (Hera's API as specs/hera/
and overlays/hera/ describe it)."""

from __future__ import annotations

import io

import httpx
import pytest

from tests.clients.conftest import Vendor, credential_headers, json_body, run_readme_example
from tests.support import hera_body

VIDEO_ID = "vid_8c1f"
DONE = {
    "video_id": VIDEO_ID,
    "status": "success",
    "outputs": [
        {
            "status": "success",
            "config": {"format": "mp4", "aspect_ratio": "16:9", "fps": "30", "resolution": "1080p"},
            "file_url": "https://cdn.hera.example/v.mp4",
            "error": None,
        }
    ],
}


@pytest.fixture
def vendor() -> Vendor:
    return Vendor(
        {
            ("POST", "/v1/videos"): httpx.Response(200, json={"video_id": VIDEO_ID, "project_url": "https://h/p"}),
            ("GET", f"/v1/videos/{VIDEO_ID}"): httpx.Response(200, json=DONE),
        }
    )


def test_create_and_status(vendor: Vendor) -> None:
    from reelforge_hera import Client
    from reelforge_hera.api.videos import create_video, get_video
    from reelforge_hera.models import HeraVideoStatus

    client = Client(api_key="hera-key", **vendor.client_args())
    created = create_video.sync(client=client, body=hera_body("a spinning wheel"))
    video = get_video.sync(created.video_id, client=client)

    create = vendor.only("POST", "/v1/videos")
    assert create.url.host == "api.hera.video"
    assert credential_headers(create) == {"x-api-key": "hera-key"}
    assert json_body(create) == {
        "prompt": "a spinning wheel",
        "outputs": [{"format": "mp4", "aspect_ratio": "16:9", "fps": "30", "resolution": "1080p"}],
    }
    poll = vendor.only("GET", f"/v1/videos/{VIDEO_ID}")
    assert credential_headers(poll) == {"x-api-key": "hera-key"}
    assert video.status is HeraVideoStatus.SUCCESS
    assert [o.file_url for o in video.outputs] == ["https://cdn.hera.example/v.mp4"]
    assert video.to_dict() == DONE


def test_unknown_video_is_a_typed_404(vendor: Vendor) -> None:
    from reelforge_hera import ApiError, Client
    from reelforge_hera.api.videos import get_video
    from reelforge_hera.models import HeraError

    vendor.routes[("GET", "/v1/videos/nope")] = httpx.Response(404, json={"error": "Video/job not found"})

    with pytest.raises(ApiError) as caught:
        get_video.sync("nope", client=Client(api_key="k", **vendor.client_args()))

    assert isinstance(caught.value.parsed, HeraError)
    assert caught.value.parsed.error == "Video/job not found"


def test_upload_is_multipart_with_a_file_field(vendor: Vendor) -> None:
    from reelforge_hera import Client
    from reelforge_hera.api.files import upload_file
    from reelforge_hera.models import HeraFileUpload
    from reelforge_hera.types import File

    vendor.routes[("POST", "/v1/files")] = httpx.Response(200, json={"url": "https://cdn.hera.example/logo.png"})
    body = HeraFileUpload(file=File(payload=io.BytesIO(b"\x89PNG"), file_name="logo.png"))

    uploaded = upload_file.sync(client=Client(api_key="k", **vendor.client_args()), body=body)

    request = vendor.only("POST", "/v1/files")
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="logo.png"' in request.content
    assert uploaded.url == "https://cdn.hera.example/logo.png"


def test_readme_example_runs(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_readme_example("hera", vendor, monkeypatch, "HERA_API_KEY") == f"{VIDEO_ID} success"
    assert credential_headers(vendor.requests[0]) == {"x-api-key": "readme-key"}
