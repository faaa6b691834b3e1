"""reelforge_oxen: enqueue a generation and poll it through the generated client (Oxen's API as specs/oxen/
and overlays/oxen/ describe it)."""

from __future__ import annotations

import httpx
import pytest

from tests.clients.conftest import Vendor, credential_headers, json_body, run_readme_example
from tests.support import oxen_body

GENERATION_ID = "gen_01HXYZ"
SUCCEEDED = {
    "generation_id": GENERATION_ID,
    "model_name": "wan-2.2-t2v-fast",
    "prompt": "an ox in a field",
    "media_type": "video",
    "status": "succeeded",
    "result_url": "https://hub.oxen.example/r.mp4",
    "error_message": None,
    "enqueued_at": "2026-11-22T10:00:00Z",
    "started_at": "2026-11-22T10:00:05Z",
    "completed_at": "2026-11-22T10:02:00Z",
}


@pytest.fixture
def vendor() -> Vendor:
    return Vendor(
        {
            ("POST", "/api/ai/queue"): httpx.Response(
                200, json={"generations": [{"generation_id": GENERATION_ID, "status": "queued"}]}
            ),
            ("GET", f"/api/ai/queue/{GENERATION_ID}"): httpx.Response(200, json=SUCCEEDED),
            ("DELETE", f"/api/ai/queue/{GENERATION_ID}"): httpx.Response(200),
        }
    )


def test_enqueue_poll_and_cancel(vendor: Vendor) -> None:
    from reelforge_oxen import Client
    from reelforge_oxen.api.queue import cancel_generation, enqueue_generation, get_generation
    from reelforge_oxen.models import OxenGenerationStatus

    client = Client(api_key="oxen-key", **vendor.client_args())
    queued = enqueue_generation.sync(client=client, body=oxen_body("an ox in a field"))
    generation = get_generation.sync(queued.generations[0].generation_id, client=client)
    cancel_generation.sync(GENERATION_ID, client=client)

    enqueue = vendor.only("POST", "/api/ai/queue")
    assert enqueue.url.host == "hub.oxen.ai"  # production, not the seed's staging host
    assert credential_headers(enqueue) == {"authorization": "Bearer oxen-key"}
    assert json_body(enqueue) == {"model": "wan-2.2-t2v-fast", "prompt": "an ox in a field", "num_generations": 1}
    poll = vendor.only("GET", f"/api/ai/queue/{GENERATION_ID}")
    assert credential_headers(poll) == {"authorization": "Bearer oxen-key"}
    assert generation.status is OxenGenerationStatus.SUCCEEDED
    assert generation.to_dict() == SUCCEEDED
    assert vendor.only("DELETE", f"/api/ai/queue/{GENERATION_ID}").content == b""


def test_not_found_envelope_is_typed(vendor: Vendor) -> None:
    from reelforge_oxen import ApiError, Client
    from reelforge_oxen.api.queue import get_generation
    from reelforge_oxen.models import OxenError

    envelope = {
        "error": {"type": "resource_not_found", "title": "Generation not found"},
        "status": "error",
        "status_message": "resource_not_found",
    }
    vendor.routes[("GET", "/api/ai/queue/missing")] = httpx.Response(404, json=envelope)

    with pytest.raises(ApiError) as caught:
        get_generation.sync("missing", client=Client(api_key="k", **vendor.client_args()))

    assert isinstance(caught.value.parsed, OxenError)
    assert caught.value.parsed.to_dict() == envelope


def test_synchronous_generate_waits_long_enough() -> None:
    from reelforge_oxen import Client

    # Oxen documents that its synchronous generate call can hold the connection for up to 15 minutes, so the
    # client's read timeout (timeout_seconds in generator/vendors.py) must outlast that.
    read_timeout = Client().timeout.read
    assert read_timeout is not None
    assert read_timeout >= 15 * 60


def test_readme_example_runs(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_readme_example("oxen", vendor, monkeypatch, "OXEN_API_KEY") == f"{GENERATION_ID} succeeded"
