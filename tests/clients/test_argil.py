"""reelforge_argil: create a video, start it with render, and poll it (Argil's API as specs/argil/
and overlays/argil/ describe it)."""

from __future__ import annotations

import httpx
import pytest

from tests.clients.conftest import Vendor, credential_headers, json_body, run_readme_example
from tests.support import ARGIL_AVATAR, argil_body

VIDEO_ID = "9b2f4c6e-1d3a-4b5c-8e7f-0a1b2c3d4e5f"


def _video(status: str, **extra: object) -> dict[str, object]:
    return {"id": VIDEO_ID, "name": "hello", "status": status, "createdAt": "2026-11-22T10:00:00Z", **extra}


@pytest.fixture
def vendor() -> Vendor:
    return Vendor(
        {
            ("POST", "/v1/videos"): httpx.Response(201, json=_video("IDLE")),
            ("POST", f"/v1/videos/{VIDEO_ID}/render"): httpx.Response(200, json=_video("GENERATING_AUDIO")),
            ("GET", f"/v1/videos/{VIDEO_ID}"): httpx.Response(
                200,
                json=_video(
                    "DONE",
                    videoUrl="https://cdn.argil.example/v.mp4",
                    moments=[{"avatarId": ARGIL_AVATAR, "transcript": "hi", "zoom": {"level": 1}}],
                ),
            ),
        }
    )


def test_create_render_and_status(vendor: Vendor) -> None:
    from reelforge_argil import Client
    from reelforge_argil.api.videos import create_video, get_video, render_video
    from reelforge_argil.models import ArgilVideoStatus

    client = Client(api_key="argil-key", **vendor.client_args())
    created = create_video.sync(client=client, body=argil_body("hi", name="hello"))
    started = render_video.sync(created.id, client=client)
    video = get_video.sync(created.id, client=client)

    create = vendor.only("POST", "/v1/videos")
    assert create.url.host == "api.argil.ai"
    assert credential_headers(create) == {"x-api-key": "argil-key"}
    assert json_body(create) == {"name": "hello", "moments": [{"avatarId": ARGIL_AVATAR, "transcript": "hi"}]}
    assert created.status is ArgilVideoStatus.IDLE  # waits for render

    render = vendor.only("POST", f"/v1/videos/{VIDEO_ID}/render")
    assert credential_headers(render) == {"x-api-key": "argil-key"}
    assert render.content == b""  # the optional callback body is not sent unless given
    assert started.status is ArgilVideoStatus.GENERATING_AUDIO

    assert video.status is ArgilVideoStatus.DONE
    assert video.video_url == "https://cdn.argil.example/v.mp4"
    # An answer's zoom is kept whatever its shape (the docs example shows {"level": 1}).
    assert video.to_dict()["moments"][0]["zoom"] == {"level": 1}


def test_render_with_callback(vendor: Vendor) -> None:
    import uuid

    from reelforge_argil import Client
    from reelforge_argil.api.videos import render_video
    from reelforge_argil.models import RenderVideoRequest

    client = Client(api_key="argil-key", **vendor.client_args())
    render_video.sync(
        uuid.UUID(VIDEO_ID), client=client, body=RenderVideoRequest(callback_url="https://example.com/hook")
    )

    assert json_body(vendor.only("POST", f"/v1/videos/{VIDEO_ID}/render")) == {
        "callbackUrl": "https://example.com/hook"
    }


def test_unknown_video_is_a_typed_404(vendor: Vendor) -> None:
    import uuid

    from reelforge_argil import ApiError, Client
    from reelforge_argil.api.videos import get_video
    from reelforge_argil.models import ArgilError

    missing = uuid.UUID(int=0)
    vendor.routes[("GET", f"/v1/videos/{missing}")] = httpx.Response(404, json={"code": 404, "message": "Not found"})

    with pytest.raises(ApiError) as caught:
        get_video.sync(missing, client=Client(api_key="k", **vendor.client_args()))

    assert isinstance(caught.value.parsed, ArgilError)
    assert (caught.value.parsed.code, caught.value.parsed.message) == (404, "Not found")


def test_readme_example_runs(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_readme_example("argil", vendor, monkeypatch, "ARGIL_API_KEY") == f"{VIDEO_ID} DONE"
    assert [(r.method, r.url.path) for r in vendor.requests] == [
        ("POST", "/v1/videos"),
        ("POST", f"/v1/videos/{VIDEO_ID}/render"),
        ("GET", f"/v1/videos/{VIDEO_ID}"),
    ]
