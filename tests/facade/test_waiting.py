"""The poll schedule (a pure function) and the wait loop against the sandbox: deadlines, transient errors,
failures, unknown statuses, and an event loop that keeps running."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reelforge import (
    AsyncStudio,
    AuthenticationError,
    JobFailed,
    JobState,
    NotFound,
    Studio,
    VideoRequest,
    WaitTimeout,
)
from reelforge.catalog import spec_of
from reelforge.sandbox.server import Sandbox
from reelforge.specs import JobExtension
from reelforge.waiting import Observation, next_delay, predicted_remaining, simulate
from tests.facade.conftest import base_urls, events, keys, needs
from tests.support import VENDORS

TEN_MINUTES = 600.0


def _target(length: float) -> float:
    return max(1.0, 0.05 * length)


@pytest.mark.parametrize(
    ("reports", "progress", "eta", "most_calls"),
    [
        ("progress", lambda t: t / TEN_MINUTES, lambda t: None, 20),
        ("eta", lambda t: None, lambda t: TEN_MINUTES - t, 20),
        # A minute in the queue with nothing reported is polled blind (quick at first), then steered.
        ("progress after a queue", lambda t: None if t < 60 else (t - 60) / (TEN_MINUTES - 60), lambda t: None, 30),
    ],
)
def test_a_steered_ten_minute_job_is_seen_within_five_percent(reports, progress, eta, most_calls):
    run = simulate(TEN_MINUTES, progress=progress, eta=eta)
    assert run.detection_delay <= _target(TEN_MINUTES), reports
    assert run.calls <= most_calls, reports


@pytest.mark.parametrize("length", [1.0, 10.0, 60.0, 600.0, 3600.0])
def test_a_blind_wait_is_quick_at_first_and_never_late_by_more_than_thirty_seconds(length):
    run = simulate(length)
    assert run.detection_delay <= min(30.0, max(0.5, 0.45 * length))
    assert next_delay([]) <= 0.1  # the first status call comes at once


def test_the_schedule_backs_off_and_stays_bounded():
    delays = [next_delay([Observation(t)]) for t in (0, 1, 10, 100, 1000, 10_000)]
    assert delays == sorted(delays) and delays[0] >= 0.1 and delays[-1] == 30.0


def test_remaining_time_is_estimated_from_the_rate_of_progress():
    history = [Observation(0, None), Observation(10, 0.0), Observation(20, 0.25), Observation(30, 0.5)]
    assert predicted_remaining(history) == pytest.approx(20.0)
    assert predicted_remaining([Observation(5, 0.2, eta_seconds=42)]) == 42
    assert predicted_remaining([Observation(5)]) is None


@pytest.fixture(scope="module")
def slow() -> Iterator[Sandbox]:
    # A job takes 4 s / 5 = 0.8 s: long enough to time out a short wait and to tick through.
    with Sandbox(speed=5) as running:
        yield running


def test_a_failed_job_raises_job_failed_with_the_vendors_reason(sandbox: Sandbox) -> None:
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        for vendor in VENDORS:
            job = studio.submit(vendor, VideoRequest(prompt="A fox [fail] in snow", **needs(vendor)))
            with pytest.raises(JobFailed) as raised:
                studio.wait(job, timeout=30)
            failed = raised.value.job
            assert failed.state is JobState.failed and failed.id == job.id
            extension = JobExtension.of(spec_of(vendor).operation(job.operation))
            expected = [v for v in (extension.error_message.find(failed.raw) if extension.error_message else []) if v]
            if expected:  # the vendor's own words, where its spec says it gives them
                assert raised.value.reason and raised.value.reason in str(raised.value)
                assert failed.error == raised.value.reason
            else:
                assert raised.value.reason is None
            assert vendor in str(raised.value) and job.operation in str(raised.value)


def test_a_status_the_spec_does_not_list_is_unknown_and_kept_raw():
    def vendor(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"video_id": "v-1"})
        return httpx.Response(200, json={"video_id": "v-1", "status": "thinking-hard", "outputs": []})

    with Studio(keys=keys(), transport=httpx.MockTransport(vendor)) as studio:
        job = studio.job("hera", "v-1")
        assert job.state is JobState.unknown and job.vendor_status == "thinking-hard"
        assert job.raw["status"] == "thinking-hard" and not job.done
        with pytest.raises(WaitTimeout) as raised:
            studio.wait(job, timeout=0.3)
    assert raised.value.job.state is JobState.unknown


def test_an_unknown_job_is_not_found_at_once(sandbox: Sandbox) -> None:
    started = time.monotonic()
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio, pytest.raises(NotFound) as raised:
        studio.job("oxen", "no-such-generation")
    assert time.monotonic() - started < 5
    assert raised.value.status == 404 and raised.value.vendor == "oxen"
    assert type(raised.value.__cause__).__name__ == "ApiError"


def test_transient_errors_while_polling_are_retried(tmp_path):
    faults = tmp_path / "faults.json"
    rules = [
        {"fault": "503", "operation": "get_video", "times": 2},
        {"fault": "429 retry-after=0", "operation": "get_video", "times": 1},
        {"fault": "drop-before", "operation": "get_video", "times": 1},
    ]
    faults.write_text(json.dumps({"faults": rules}), encoding="utf-8")
    with Sandbox(speed=50, faults=faults) as sandbox, Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        done = studio.wait(studio.submit("hera", VideoRequest(prompt="A fox")), timeout=30)
        injected = events(sandbox, "fault_injected")
    assert done.state is JobState.succeeded
    assert len(injected) == 4


def test_a_short_deadline_times_out_and_a_new_studio_finishes_the_job(slow: Sandbox) -> None:
    with Studio(keys=keys(), base_urls=base_urls(slow)) as studio:
        job = studio.submit("magichour", VideoRequest(prompt="A fox"))
        started = time.monotonic()
        with pytest.raises(WaitTimeout) as raised:
            studio.wait(job, timeout=0.2)
        assert time.monotonic() - started < 1.0
    pending = raised.value.job
    assert pending.id == job.id and not pending.done and "studio.job(" in str(raised.value)
    with Studio(keys=keys(), base_urls=base_urls(slow)) as fresh:
        finished = fresh.wait(fresh.job(pending.vendor, pending.id), timeout=30)
    assert finished.state is JobState.succeeded and finished.result_urls


def test_an_async_wait_never_blocks_the_event_loop(slow: Sandbox, tmp_path: Path) -> None:
    gaps: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    async def run() -> None:
        stop = asyncio.Event()
        ticking = asyncio.create_task(ticker(stop))
        async with AsyncStudio(keys=keys(), base_urls=base_urls(slow)) as studio:
            paths = await studio.generate("hedra", VideoRequest(prompt="A fox"), tmp_path, timeout=30)
        stop.set()
        await ticking
        assert paths

    asyncio.run(run())
    assert len(gaps) > 20  # it ticked all along the 0.8 s job
    assert max(gaps) < 0.25  # generous for a loaded 2-core machine; a blocking sleep would be 0.1 s or more


@pytest.mark.parametrize(("status", "error"), [(401, AuthenticationError), (403, AuthenticationError), (404, NotFound)])
def test_a_permanent_error_while_polling_is_raised_at_once(status: int, error: type[Exception]) -> None:
    calls: list[str] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            return httpx.Response(200, json={"video_id": "v-1", "status": "in-progress", "outputs": []})
        return httpx.Response(status, json={"error": "no"})

    started = time.monotonic()
    with Studio(keys=keys(), transport=httpx.MockTransport(vendor)) as studio:
        job = studio.job("hera", "v-1")
        with pytest.raises(error) as raised:
            studio.wait(job, timeout=60)
    assert time.monotonic() - started < 5  # not retried until the deadline
    assert calls == ["GET", "GET"]
    assert getattr(raised.value, "status", None) == status


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    from datetime import UTC, datetime

    from reelforge.lifecycle import retry_after_seconds

    now = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Thu, 03 Dec 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Thu, 03 Dec 2026 11:59:00 GMT", now) == 0.0  # a date in the past: at once
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
