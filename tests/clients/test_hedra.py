"""reelforge_hedra: create and poll a generation through the generated client (Hedra's v2 API as specs/hedra/
and overlays/hedra/ describe it)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.clients.conftest import Vendor, credential_headers, json_body, run_readme_example
from tests.support import hedra_body

GENERATION_ID = "0b8f2d7e-3c41-4a9b-9d6e-5f1a2b3c4d5e"
ASSET_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
STATUS_PATH = f"/web-app/public/generations/{GENERATION_ID}/status"
CREATED = {
    "id": GENERATION_ID,
    "asset_id": ASSET_ID,
    "created_at": "2026-11-22T10:00:00Z",
    "status": "queued",
    "progress": 0,
    "generated_video_inputs": {"text_prompt": "a lighthouse at dusk"},
    "eta_sec": 40,
}
COMPLETE = {
    "id": GENERATION_ID,
    "asset_id": ASSET_ID,
    "type": "video",
    "status": "complete",
    "progress": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "download_url": "https://cdn.hedra.example/out.mp4",
    "error": None,
    "error_message": None,
}


@pytest.fixture
def vendor() -> Vendor:
    return Vendor(
        {
            ("POST", "/web-app/public/generations"): httpx.Response(200, json=CREATED),
            ("GET", STATUS_PATH): httpx.Response(200, json=COMPLETE),
        }
    )


def test_create_and_status(vendor: Vendor) -> None:
    from reelforge_hedra import Client
    from reelforge_hedra.api.generations import create_generation, get_generation_status
    from reelforge_hedra.models import HedraGenerationStatus

    client = Client(api_key="hedra-key", **vendor.client_args())
    created = create_generation.sync(client=client, body=hedra_body("a lighthouse at dusk"))
    status = get_generation_status.sync(created.id, client=client)

    create = vendor.only("POST", "/web-app/public/generations")
    assert create.url.host == "api.hedra.com"
    assert credential_headers(create) == {"x-api-key": "hedra-key"}
    assert json_body(create) == {"generated_video_inputs": {"text_prompt": "a lighthouse at dusk"}}
    assert created.id == uuid.UUID(GENERATION_ID)
    assert created.eta_sec == 40

    poll = vendor.only("GET", STATUS_PATH)
    assert credential_headers(poll) == {"x-api-key": "hedra-key"}
    assert poll.content == b""
    assert status.status is HedraGenerationStatus.COMPLETE
    assert status.download_url == "https://cdn.hedra.example/out.mp4"
    assert status.to_dict() == COMPLETE


def test_validation_error_is_typed(vendor: Vendor) -> None:
    from reelforge_hedra import ApiError, Client
    from reelforge_hedra.api.generations import create_generation
    from reelforge_hedra.models import HedraValidationError

    detail = {"detail": [{"loc": ["body", "batch_size"], "msg": "must be <= 8", "type": "value_error"}]}
    vendor.routes[("POST", "/web-app/public/generations")] = httpx.Response(422, json=detail)
    client = Client(api_key="hedra-key", **vendor.client_args())

    with pytest.raises(ApiError) as caught:
        create_generation.sync(client=client, body=hedra_body("x"))

    assert caught.value.status_code == 422
    assert isinstance(caught.value.parsed, HedraValidationError)
    assert caught.value.parsed.to_dict() == detail


def test_readme_example_runs(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = run_readme_example("hedra", vendor, monkeypatch, "HEDRA_API_KEY")

    assert printed == f"{GENERATION_ID} complete"
    assert credential_headers(vendor.requests[0]) == {"x-api-key": "readme-key"}
    assert [r.method for r in vendor.requests] == ["POST", "GET"]
