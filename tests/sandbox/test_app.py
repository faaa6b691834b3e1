"""The sandbox over loopback, driven through the generated clients (raw HTTP only for files and bad requests)."""

from __future__ import annotations

import importlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from reelforge.sandbox.errors import vendor_errors
from reelforge.sandbox.media import is_valid_mp4, result_video
from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import (
    API_KEY,
    CREDENTIAL_HEADERS,
    DRIVERS,
    Recorder,
    assert_conforms,
    client_for,
    error_schema_errors,
    poll,
    status_value,
)
from tests.sandbox._specs import VENDORS, create_operations, document, job_of, operations, terminal_statuses
from tests.support import argil_body, hedra_body, hera_body


def _created(sandbox: Sandbox, job_id: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.log if e["event"] == "job_created" and e["job_id"] == job_id]


# Slower than the default (a job lasts about 0.4 s), so that a poller on a loaded machine still sees it running.
@pytest.mark.reelforge_sandbox(speed=10)
@pytest.mark.parametrize("vendor", VENDORS)
def test_whole_job_through_the_generated_client(vendor: str, sandbox: Sandbox, recorder: Recorder) -> None:
    driver = DRIVERS[vendor]()
    client = client_for(vendor, sandbox, recorder)
    job_id = driver.create(client, "a lighthouse at dusk")
    if driver.start is not None:
        driver.start(client, job_id)
    model, seen = poll(driver, client, job_id, terminal_statuses(vendor))

    states = job_of(vendor)["states"]
    assert seen[-1] == states["succeeded"][0], seen
    assert len(seen) >= 2, f"the poller never saw the job running: {seen}"
    url = driver.result_url(model)
    assert url.startswith(sandbox.url + "/files/")
    download = httpx.get(url)  # no vendor key needed
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert int(download.headers["content-length"]) == len(download.content)
    assert is_valid_mp4(download.content)
    assert len(_created(sandbox, job_id)) == 1
    assert_conforms(vendor, sandbox, recorder.exchanges)


@pytest.mark.parametrize("vendor", VENDORS)
def test_fail_marker_ends_in_the_failed_status(vendor: str, sandbox: Sandbox, recorder: Recorder) -> None:
    driver = DRIVERS[vendor]()
    client = client_for(vendor, sandbox, recorder)
    job_id = driver.create(client, "please [FAIL] now")
    if driver.start is not None:
        driver.start(client, job_id)
    _, seen = poll(driver, client, job_id, terminal_statuses(vendor))
    assert seen[-1] == job_of(vendor)["states"]["failed"][0], seen
    assert_conforms(vendor, sandbox, recorder.exchanges)


def test_argil_waits_in_idle_until_render(sandbox: Sandbox, recorder: Recorder) -> None:
    driver = DRIVERS["argil"]()
    client = client_for("argil", sandbox, recorder)
    job_id = driver.create(client, "hello")
    time.sleep(0.2)  # more than a whole job at this speed
    assert status_value(driver.status(client, job_id)) == "IDLE"
    assert not [e for e in sandbox.log if e["event"] == "job_started"]
    assert driver.start is not None
    driver.start(client, job_id)
    _, seen = poll(driver, client, job_id, terminal_statuses("argil"))
    assert seen[-1] == "DONE"
    assert [e["job_id"] for e in sandbox.log if e["event"] == "job_started"] == [job_id]
    assert_conforms("argil", sandbox, recorder.exchanges)


@pytest.mark.parametrize("vendor", VENDORS)
def test_job_created_carries_the_create_body_and_never_the_key(
    vendor: str, sandbox: Sandbox, recorder: Recorder
) -> None:
    job_id = DRIVERS[vendor]().create(client_for(vendor, sandbox, recorder), "a lighthouse at dusk")
    [(create, _)] = recorder.exchanges
    [created] = _created(sandbox, job_id)
    assert created["body"] == json.loads(create.content)
    assert "a lighthouse at dusk" in json.dumps(created["body"])
    # The key went out in a header; no event carries a header, so the key is nowhere in the log.
    assert any(API_KEY in value for value in create.headers.values())
    assert API_KEY not in json.dumps(sandbox.log)


def test_job_started_carries_the_start_body_where_there_is_one(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_argil.api.videos import render_video
    from reelforge_argil.models import RenderVideoRequest

    driver = DRIVERS["argil"]()
    client = client_for("argil", sandbox, recorder)
    with_body, without_body = driver.create(client, "one"), driver.create(client, "two")
    callback = "https://example.com/hooks/argil"
    render_video.sync(uuid.UUID(with_body), client=client, body=RenderVideoRequest(callback_url=callback))
    render_video.sync(uuid.UUID(without_body), client=client)
    started = {e["job_id"]: e for e in sandbox.log if e["event"] == "job_started"}
    assert started[with_body]["body"] == {"callbackUrl": callback}
    assert "body" not in started[without_body]
    assert API_KEY not in json.dumps(sandbox.log)


def _create_path(vendor: str) -> tuple[str, str]:
    create_id = create_operations(vendor)[0]
    return next((path, method) for path, method, op in operations(vendor) if op.get("operationId") == create_id)


@pytest.mark.parametrize("vendor", VENDORS)
def test_missing_key(vendor: str, sandbox: Sandbox, recorder: Recorder) -> None:
    module = importlib.import_module(f"reelforge_{vendor}")
    client = client_for(vendor, sandbox, recorder, api_key=None)
    with pytest.raises(module.MissingCredentialsError):
        DRIVERS[vendor]().create(client, "hello")
    assert recorder.exchanges == []  # nothing was sent

    path, method = _create_path(vendor)
    for headers in ({}, {name: "" for name in CREDENTIAL_HEADERS[vendor]}):
        answer = httpx.request(method, sandbox.base_url(vendor) + path, json={}, headers=headers)
        assert answer.status_code == 401, answer.text
        assert error_schema_errors(vendor, method, path, 401, answer.json()) == []
    assert not [e for e in sandbox.log if e["event"] == "job_created"]


# Each vendor's error body for a request whose body has a wrong type (the spec's x-reelforge-errors; errors.py).
_SHAPES: dict[str, Callable[[Any], bool]] = {
    "hera": lambda body: isinstance(body["error"], str),
    "hedra": lambda body: body["detail"] and all({"loc", "msg", "type"} <= set(item) for item in body["detail"]),
    "magichour": lambda body: set(body) == {"message"},
    "argil": lambda body: body["code"] == 400 and isinstance(body["message"], str),
    "oxen": lambda body: (
        body["error"]["type"] == "invalid_request"
        and body["status"] == "error"
        and body["status_message"] == "invalid_request"
    ),
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_invalid_body(vendor: str, sandbox: Sandbox) -> None:
    path, method = _create_path(vendor)
    answer = httpx.request(
        method, sandbox.base_url(vendor) + path, json={"prompt": 12345}, headers=CREDENTIAL_HEADERS[vendor]
    )
    assert answer.status_code == vendor_errors(vendor).validation_status == (422 if vendor == "hedra" else 400)
    body = answer.json()
    assert _SHAPES[vendor](body), body
    assert error_schema_errors(vendor, method, path, answer.status_code, body) == []
    assert [e["event"] for e in sandbox.log] == ["request_rejected"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_unknown_job_is_404_in_the_vendor_shape(vendor: str, sandbox: Sandbox) -> None:
    status_id = job_of(vendor)["status_operation"]
    path, method = next((p, m) for p, m, op in operations(vendor) if op.get("operationId") == status_id)
    parameter = job_of(vendor)["job_id_parameter"]
    url = sandbox.base_url(vendor) + path.replace("{" + parameter + "}", "0b6a3a52-0000-4000-8000-000000000000")
    answer = httpx.request(method, url, headers=CREDENTIAL_HEADERS[vendor])
    assert answer.status_code == 404
    assert error_schema_errors(vendor, method, path, 404, answer.json()) == []


# Slow jobs (about 0.8 s): the cancel must reach a job that is still running, even on a loaded machine (a
# finished job is left as it is; test_cancel_after_the_end).
@pytest.mark.reelforge_sandbox(speed=5)
@pytest.mark.parametrize("vendor", ["magichour", "argil", "oxen"])
def test_cancel(vendor: str, sandbox: Sandbox, recorder: Recorder) -> None:
    job = job_of(vendor)
    cancel_id = job["cancel_operation"]
    path, method = next((p, m) for p, m, op in operations(vendor) if op.get("operationId") == cancel_id)
    driver = DRIVERS[vendor]()
    client = client_for(vendor, sandbox, recorder)
    job_id = driver.create(client, "hello")
    url = sandbox.base_url(vendor) + path.replace("{" + job["job_id_parameter"] + "}", job_id)
    answer = httpx.request(method, url, headers=CREDENTIAL_HEADERS[vendor])
    expected = next(code for code in sorted(document(vendor)["paths"][path][method]["responses"]) if code[0] == "2")
    assert answer.status_code == int(expected)
    assert answer.content == b""
    if job["cancel_effect"] == "canceled":
        assert status_value(driver.status(client, job_id)) == job["states"]["canceled"][0]
    else:  # deleted (Magic Hour's project is removed, though its status enum has a canceled value)
        with pytest.raises(importlib.import_module(f"reelforge_{vendor}").ApiError) as raised:
            driver.status(client, job_id)
        assert raised.value.status_code == 404
    assert [e["job_id"] for e in sandbox.log if e["event"] == "job_canceled"] == [job_id]


@pytest.mark.parametrize("vendor", ["magichour", "argil", "oxen"])
def test_cancel_after_the_end(vendor: str, sandbox: Sandbox, recorder: Recorder) -> None:
    # A finished job: a canceling call leaves it as it is (its result too); a deleting call removes it.
    job = job_of(vendor)
    path, method = next((p, m) for p, m, op in operations(vendor) if op.get("operationId") == job["cancel_operation"])
    driver = DRIVERS[vendor]()
    client = client_for(vendor, sandbox, recorder)
    job_id = driver.create(client, "hello")
    if driver.start is not None:
        driver.start(client, job_id)
    finished, _ = poll(driver, client, job_id, terminal_statuses(vendor))
    url = sandbox.base_url(vendor) + path.replace("{" + job["job_id_parameter"] + "}", job_id)
    assert httpx.request(method, url, headers=CREDENTIAL_HEADERS[vendor]).status_code < 300
    if job["cancel_effect"] == "canceled":
        after = driver.status(client, job_id)
        assert status_value(after) == job["states"]["succeeded"][0]
        assert driver.result_url(after) == driver.result_url(finished)
        assert [e["event"] for e in sandbox.log if e.get("job_id") == job_id][-1] == "job_cancel_ignored"
    else:
        with pytest.raises(importlib.import_module(f"reelforge_{vendor}").ApiError) as raised:
            driver.status(client, job_id)
        assert raised.value.status_code == 404
        assert [e["deleted"] for e in sandbox.log if e["event"] == "job_canceled"] == [True]
    assert_conforms(vendor, sandbox, recorder.exchanges)


def _result_url(sandbox: Sandbox) -> str:
    driver = DRIVERS["oxen"]()
    with Recorder() as recorder:
        client = client_for("oxen", sandbox, recorder)
        job_id = driver.create(client, "hello")
        model, _ = poll(driver, client, job_id, terminal_statuses("oxen"))
        return driver.result_url(model)


def test_range_requests(sandbox: Sandbox) -> None:
    url = _result_url(sandbox)
    data = result_video()
    whole = httpx.get(url)
    etag = whole.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert whole.headers["accept-ranges"] == "bytes"

    part = httpx.get(url, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.content == data[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{len(data)}"
    assert part.headers["content-length"] == "90"
    assert part.headers["etag"] == etag

    tail = httpx.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == data[-16:]
    rest = httpx.get(url, headers={"Range": f"bytes={len(data) - 5}-"})
    assert rest.status_code == 206 and rest.content == data[-5:]

    beyond = httpx.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"

    assert httpx.get(sandbox.url + "/files/no-such-token.mp4").status_code == 404

    # RFC 9110: If-None-Match (weakly, in a list, or *) wins over Range; a Range to be ignored gets the file.
    for value in (etag, "W/" + etag, f'"other", {etag}', "*"):
        unchanged = httpx.get(url, headers={"If-None-Match": value, "Range": "bytes=0-9"})
        assert unchanged.status_code == 304 and unchanged.content == b"", value
    assert httpx.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    for ignored in ("bytes=0-1,5-6", "items=0-1", "bytes=5-3", "bytes=1_0-20", "bytes=-"):
        answer = httpx.get(url, headers={"Range": ignored})
        assert (answer.status_code, answer.content) == (200, data), ignored
    assert httpx.get(url, headers={"Range": "bytes=-0"}).status_code == 416
    stale = httpx.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert (stale.status_code, stale.content) == (200, data)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_key_sent_to_storage_is_logged_by_header_name_only(vendor: str, sandbox: Sandbox) -> None:
    url = _result_url(sandbox)
    assert httpx.get(url).status_code == 200
    upload = httpx.put(sandbox.url + "/uploads/no-such-token", content=b"x")
    assert upload.status_code == 404
    assert not [e for e in sandbox.log if e["event"] == "credential_sent_to_storage"]

    leaked = httpx.get(url, headers=CREDENTIAL_HEADERS[vendor])
    assert leaked.status_code == 200  # served all the same: the sandbox reports, it does not refuse
    httpx.put(sandbox.url + "/uploads/no-such-token", content=b"x", headers=CREDENTIAL_HEADERS[vendor])
    events = [e for e in sandbox.log if e["event"] == "credential_sent_to_storage"]
    names = sorted(name.lower() for name in CREDENTIAL_HEADERS[vendor])
    assert [(e["method"], e["path"], e["headers"]) for e in events] == [
        ("GET", urlsplit(url).path, names),
        ("PUT", "/uploads/no-such-token", names),
    ]
    assert API_KEY not in json.dumps(sandbox.log)


def test_magic_hour_result_urls_expire() -> None:
    # 24 h at this speed is about 0.43 s, and a whole job is done at once.
    with Sandbox(speed=200_000, vendors=["magichour"]) as sandbox, Recorder() as recorder:
        driver = DRIVERS["magichour"]()
        client = client_for("magichour", sandbox, recorder)
        job_id = driver.create(client, "hello")
        project, _ = poll(driver, client, job_id, terminal_statuses("magichour"))
        url = driver.result_url(project)
        expires = project.downloads[0].expires_at
        assert httpx.get(url).status_code == 200
        time.sleep(0.6)
        assert httpx.get(url).status_code == 403  # as storage answers an expired presigned URL
        fresh = driver.status(client, job_id)
        assert driver.result_url(fresh) != url
        assert fresh.downloads[0].expires_at > expires
        assert httpx.get(driver.result_url(fresh)).status_code == 200
        assert_conforms("magichour", sandbox, recorder.exchanges)


def test_other_operations_answer_their_documented_example(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_argil.api.avatars import list_avatars
    from reelforge_hedra.api.models import list_models

    assert list_avatars.sync(client=client_for("argil", sandbox, recorder)) is not None
    assert_conforms("argil", sandbox, recorder.exchanges)
    recorder.exchanges.clear()
    assert list_models.sync(client=client_for("hedra", sandbox, recorder)) is not None
    assert_conforms("hedra", sandbox, recorder.exchanges)


def test_starts_serving_and_stops_leaving_no_thread() -> None:
    # How fast it starts is measured by benchmarks/bench_sandbox.py (README), not asserted here.
    before = threading.active_count()
    with Sandbox(speed=50) as sandbox:
        assert httpx.get(sandbox.url + "/files/none.mp4").status_code == 404
        assert threading.active_count() == before + 1
    assert threading.active_count() == before


def test_a_restarted_port_0_sandbox_takes_any_free_port_again() -> None:
    sandbox = Sandbox(speed=50)
    with sandbox:
        first = sandbox.port
    with socket.socket() as squatter:  # the first run's port, taken meanwhile
        squatter.bind(("127.0.0.1", first))
        squatter.listen()
        with sandbox:
            assert sandbox.port not in (0, first)
            assert httpx.get(sandbox.url + "/_sandbox/log").status_code == 200


@pytest.mark.reelforge_sandbox(speed=10)  # the job lasts about 0.4 s: the first status call finds it running
def test_hera_has_one_result_per_requested_output(sandbox: Sandbox, recorder: Recorder) -> None:
    from reelforge_hera.api.videos import create_video

    client = client_for("hera", sandbox, recorder)
    body = hera_body("two cuts", aspect_ratios=("16:9", "9:16"))
    job_id = create_video.sync(client=client, body=body).video_id
    running = DRIVERS["hera"]().status(client, job_id)
    assert status_value(running) == "in-progress"
    assert [status_value(output) for output in running.outputs] == ["in-progress", "in-progress"]
    video, _ = poll(DRIVERS["hera"](), client, job_id, terminal_statuses("hera"))
    urls = [output.file_url for output in video.outputs]
    assert len(urls) == 2 and len(set(urls)) == 2
    assert all(is_valid_mp4(httpx.get(url).content) for url in urls)
    assert_conforms("hera", sandbox, recorder.exchanges)


def test_hedra_reserved_generation_id(sandbox: Sandbox, recorder: Recorder) -> None:
    import uuid

    from reelforge_hedra.api.generations import create_generation

    client = client_for("hedra", sandbox, recorder)
    reserved = uuid.uuid4()
    body = hedra_body("hi", generation_id=reserved)
    first = create_generation.sync(client=client, body=body)
    second = create_generation.sync(client=client, body=body)
    assert first.id == second.id == reserved
    assert len(_created(sandbox, str(reserved))) == 1
    # Deduplication is unconfirmed at Hedra, so the repeat is visible in the log.
    assert [e["job_id"] for e in sandbox.log if e["event"] == "job_create_repeated"] == [str(reserved)]
    assert_conforms("hedra", sandbox, recorder.exchanges)


def test_fail_marker_in_any_prompt_of_the_create_body(sandbox: Sandbox, recorder: Recorder) -> None:
    # Argil's prompt is $.moments[*].transcript (x-reelforge-job.prompt): the marker in the second moment counts.
    from reelforge_argil.api.videos import create_video

    driver = DRIVERS["argil"]()
    client = client_for("argil", sandbox, recorder)
    job_id = str(create_video.sync(client=client, body=argil_body("hello", "[fail]", name="two")).id)
    assert driver.start is not None
    driver.start(client, job_id)
    _, seen = poll(driver, client, job_id, terminal_statuses("argil"))
    assert seen[-1] == "FAILED", seen
    assert_conforms("argil", sandbox, recorder.exchanges)


def test_the_log_is_served_for_other_processes(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.url) as raw:
        assert raw.get("/hera/v1/videos/unknown", headers=CREDENTIAL_HEADERS["hera"]).status_code == 404
        assert raw.get("/argil/v1/videos").status_code == 401
        served = raw.get("/_sandbox/log").json()
        later = raw.get("/_sandbox/log", params={"since": "1"}).json()
        refused = raw.get("/_sandbox/log", params={"since": "soon"})
    assert served == sandbox.log
    assert [(e["event"], e["status"]) for e in served] == [("request_rejected", 404), ("request_rejected", 401)]
    assert later == served[1:]
    assert refused.status_code == 400
    assert "since must be a whole number" in refused.text
