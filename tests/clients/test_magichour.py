"""reelforge_magichour: create an animation, read and delete its project (Magic Hour's API as
specs/magichour/ and overlays/magichour/ describe it)."""

from __future__ import annotations

import httpx
import pytest

from tests.clients.conftest import Vendor, credential_headers, json_body, run_readme_example
from tests.support import magichour_body

PROJECT_ID = "cm3x9project"
COMPLETE = {
    "id": PROJECT_ID,
    "name": None,
    "status": "complete",
    "type": "ANIMATION",
    "created_at": "2026-11-22T10:00:00.000Z",
    "width": 512,
    "height": 960,
    "enabled": True,
    "start_seconds": 0,
    "end_seconds": 15,
    "credits_charged": 450,
    "fps": 12,
    "error": None,
    "downloads": [{"url": "https://videos.magichour.example/a.mp4", "expires_at": "2026-11-23T10:00:00.000Z"}],
}


@pytest.fixture
def vendor() -> Vendor:
    return Vendor(
        {
            ("POST", "/v1/animation"): httpx.Response(200, json={"id": PROJECT_ID, "credits_charged": 450}),
            ("GET", f"/v1/video-projects/{PROJECT_ID}"): httpx.Response(200, json=COMPLETE),
            ("DELETE", f"/v1/video-projects/{PROJECT_ID}"): httpx.Response(204),
        }
    )


def test_create_status_and_delete(vendor: Vendor) -> None:
    from reelforge_magichour import Client
    from reelforge_magichour.api.videos import create_animation, delete_video_project, get_video_project
    from reelforge_magichour.models import MagicHourVideoStatus

    client = Client(api_key="mhk_live_test", **vendor.client_args())
    created = create_animation.sync(client=client, body=magichour_body("Cyberpunk city"))
    project = get_video_project.sync(created.id, client=client)
    delete_video_project.sync(created.id, client=client)

    create = vendor.only("POST", "/v1/animation")
    assert create.url.host == "api.magichour.ai"
    assert credential_headers(create) == {"authorization": "Bearer mhk_live_test"}
    # No "name" placeholder ("Animation - dateTime") is sent when the caller gives none.
    assert json_body(create) == {
        "fps": 12,
        "end_seconds": 15,
        "height": 960,
        "width": 512,
        "style": {
            "art_style": "Painterly Illustration",
            "camera_effect": "Simple Zoom In",
            "prompt_type": "custom",
            "prompt": "Cyberpunk city",
            "transition_speed": 5,
        },
        "assets": {"audio_source": "none"},
    }
    assert created.credits_charged == 450  # parses without the undefined estimated_frame_cost
    assert credential_headers(vendor.only("GET", f"/v1/video-projects/{PROJECT_ID}")) == {
        "authorization": "Bearer mhk_live_test"
    }
    assert project.status is MagicHourVideoStatus.COMPLETE
    assert [d.url for d in project.downloads] == ["https://videos.magichour.example/a.mp4"]
    assert project.to_dict() == COMPLETE
    assert vendor.only("DELETE", f"/v1/video-projects/{PROJECT_ID}").content == b""


def test_errors_share_one_typed_body(vendor: Vendor) -> None:
    from reelforge_magichour import ApiError, Client
    from reelforge_magichour.api.videos import get_video_project
    from reelforge_magichour.models import MagicHourError

    vendor.routes[("GET", "/v1/video-projects/gone")] = httpx.Response(404, json={"message": "Not Found"})
    vendor.routes[("GET", "/v1/video-projects/busy")] = httpx.Response(429, json={"message": "Slow down"})
    client = Client(api_key="k", **vendor.client_args())

    for project_id, status, message in (("gone", 404, "Not Found"), ("busy", 429, "Slow down")):
        with pytest.raises(ApiError) as caught:
            get_video_project.sync(project_id, client=client)
        assert caught.value.status_code == status
        assert isinstance(caught.value.parsed, MagicHourError)
        assert caught.value.parsed.message == message


def test_readme_example_runs(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_readme_example("magichour", vendor, monkeypatch, "MAGIC_HOUR_API_KEY") == f"{PROJECT_ID} complete"
    assert credential_headers(vendor.requests[0]) == {"authorization": "Bearer readme-key"}
