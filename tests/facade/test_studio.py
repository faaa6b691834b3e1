"""Every vendor through Studio and AsyncStudio against the sandbox: submit, wait, download a valid MP4; the key
goes only to the vendor's API."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import stat
from pathlib import Path

import pytest

from reelforge import AsyncStudio, Job, JobState, Studio, VideoRequest
from reelforge.sandbox.media import is_valid_mp4
from reelforge.sandbox.server import Sandbox
from tests.facade.conftest import KEY, Counting, base_urls, events, keys, needs
from tests.support import VENDORS

REQUEST = VideoRequest(prompt="A red fox running through snow")


def _request(vendor: str) -> VideoRequest:
    return dataclasses.replace(REQUEST, **needs(vendor))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_files(vendor: str, job: Job, paths: list[Path], folder: Path) -> None:
    assert len(paths) == len(job.result_urls) >= 1
    for number, path in enumerate(paths, start=1):
        assert path.parent == folder
        assert path.name == f"{vendor}-{job.id}-{number}.mp4"
        assert is_valid_mp4(path.read_bytes()), path
        # The mode any new file of the user's gets (the temporary file it was written to was private).
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()
    # Nothing half-written is left beside the results.
    assert sorted(folder.iterdir()) == sorted(paths)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_whole_job_with_studio(
    sandbox: Sandbox, vendor: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    since = len(sandbox.log)
    seen: list[Job] = []
    caplog.set_level(logging.DEBUG, logger="reelforge")
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        job = studio.submit(vendor, _request(vendor))
        assert job.vendor == vendor and job.id and job.state in (JobState.queued, JobState.running)
        done = studio.wait(job, timeout=30, on_progress=seen.append)
        paths = studio.download(done, tmp_path)
    assert done.state is JobState.succeeded and done.progress == 1.0
    assert seen and seen[-1].state is JobState.succeeded
    _check_files(vendor, done, paths, tmp_path)
    created = events(sandbox, "job_created", since)
    assert [(e["vendor"], e["job_id"]) for e in created] == [(vendor, job.id)]
    assert events(sandbox, "credential_sent_to_storage", since) == []
    # The key is nowhere a user could see it.
    for text in (repr(studio), repr(job), str(job), done.to_json(), caplog.text):
        assert KEY not in text


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_whole_job_with_async_studio(sandbox: Sandbox, vendor: str, tmp_path: Path) -> None:
    since = len(sandbox.log)

    async def run() -> tuple[Job, list[Path]]:
        async with AsyncStudio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
            job = await studio.submit(vendor, _request(vendor))
            done = await studio.wait(job, timeout=30)
            return done, await studio.download(done, tmp_path)

    done, paths = asyncio.run(run())
    assert done.state is JobState.succeeded
    _check_files(vendor, done, paths, tmp_path)
    assert len(events(sandbox, "job_created", since)) == 1
    assert events(sandbox, "credential_sent_to_storage", since) == []


def test_generate_does_it_all_and_the_start_call_is_made_where_the_spec_has_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from reelforge.catalog import spec_of
    from reelforge.specs import JobExtension

    since = len(sandbox.log)
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        made = {vendor: studio.generate(vendor, _request(vendor), tmp_path / vendor, timeout=30) for vendor in VENDORS}
    for paths in made.values():
        assert [is_valid_mp4(p.read_bytes()) for p in paths] == [True] * len(paths) and paths
    started = {e["vendor"] for e in events(sandbox, "job_started", since)}
    with_start = {v for v in VENDORS if any(e.start_operation for e in JobExtension.all_in(spec_of(v)))}
    assert started == with_start and with_start  # Argil's render today


def test_the_key_travels_only_to_the_api(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = Counting()
    with Studio(keys=keys(), base_urls=base_urls(sandbox), transport=transport) as studio:
        for vendor in VENDORS:
            studio.generate(vendor, _request(vendor), tmp_path, timeout=30)
    storage = [r for r in transport.sent if "/files/" in r.url.path]
    api = [r for r in transport.sent if "/files/" not in r.url.path]
    assert len(storage) == len(VENDORS) and api
    for request in storage:
        assert all(KEY not in value for value in request.headers.values())
    for request in api:
        assert any(KEY in value for value in request.headers.values())


def test_a_job_is_read_back_by_id_from_a_new_studio(sandbox: Sandbox) -> None:
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        job = studio.wait(studio.submit("hera", REQUEST), timeout=30)
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as other:
        again = other.job("hera", job.id)
    assert (again.vendor, again.id, again.operation, again.state) == ("hera", job.id, job.operation, JobState.succeeded)
    assert again.result_urls == job.result_urls


def test_job_json_round_trips_and_holds_no_key(sandbox: Sandbox) -> None:
    with Studio(keys=keys(), base_urls=base_urls(sandbox)) as studio:
        job = studio.wait(studio.submit("hedra", REQUEST), timeout=30)
    text = job.to_json()
    back = Job.from_json(text)
    assert back == job and back.raw == job.raw and back.to_json() == text
    assert KEY not in text
    with pytest.raises(ValueError, match="not a reelforge job"):
        Job.from_json('{"vendor": "hera"}')


def test_cancel_follows_the_spec(sandbox: Sandbox) -> None:
    from reelforge import UnsupportedOperation

    slow = Sandbox(speed=2)
    with slow, Studio(keys=keys(), base_urls=base_urls(slow)) as studio:
        canceled = studio.cancel(studio.submit("oxen", REQUEST))  # cancel_effect: canceled
        deleted = studio.cancel(studio.submit("magichour", REQUEST))  # cancel_effect: deleted
        hera = studio.submit("hera", REQUEST)
        with pytest.raises(UnsupportedOperation, match=r"hera.*no cancel"):
            studio.cancel(hera)
    assert canceled.state is JobState.canceled and canceled.vendor_status == "cancelled"
    assert deleted.state is JobState.canceled
    kinds = [(e["vendor"], e.get("deleted")) for e in slow.log if e["event"] == "job_canceled"]
    assert kinds == [("oxen", False), ("magichour", True)]


def test_file_names_never_leave_the_folder() -> None:
    from reelforge.downloads import extension_for

    assert extension_for("https://x/a/b/video.MOV?sig=1", None) == "mov"
    assert extension_for("https://x/a/b/result", "video/webm") == "webm"
    assert extension_for("https://x/a/b/result", None) == "mp4"
    assert extension_for("https://x/a/b/result", "application/octet-stream") == "mp4"
    assert re.fullmatch(r"[a-z0-9]+", extension_for("https://x/y.../", "video/mp4"))
