"""The sandbox's --state file: real SQLite files in tmp_path, jobs driven through the generated clients, and a
second sandbox (another port) started on the same file after the first one stopped."""

from __future__ import annotations

import importlib
import io
import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from reelforge.sandbox.media import is_valid_mp4
from reelforge.sandbox.server import Sandbox
from reelforge.sandbox.state import SCHEMA_VERSION, SandboxState, StateFileError
from tests.sandbox._drive import CREDENTIAL_HEADERS, DRIVERS, Recorder, assert_conforms, client_for, poll, status_value
from tests.sandbox._specs import VENDORS, job_of, operations, terminal_statuses

# A whole job takes 0.8 s: long enough that it is still under way when the first sandbox stops, even on a busy machine.
SLOW = 5.0
FAST = 50.0


def _open_files_under(folder: Path) -> list[str]:
    """What this process has open under `folder`, read from /proc/self/fd."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the fd of the listing itself, closed by now
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def _cancel(sandbox: Sandbox, vendor: str, job_id: str) -> None:
    job = job_of(vendor)
    path, method = next((p, m) for p, m, op in operations(vendor) if op.get("operationId") == job["cancel_operation"])
    url = sandbox.base_url(vendor) + path.replace("{" + job["job_id_parameter"] + "}", job_id)
    assert httpx.request(method, url, headers=CREDENTIAL_HEADERS[vendor]).is_success


def test_jobs_continue_after_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    jobs: dict[str, str] = {}
    with Sandbox(speed=SLOW, state_file=state_file) as first, Recorder() as recorder:
        for vendor in VENDORS:
            driver = DRIVERS[vendor]()
            client = client_for(vendor, first, recorder)
            jobs[vendor] = driver.create(client, "a lighthouse at dusk")
            if driver.start is not None:
                driver.start(client, jobs[vendor])
            assert status_value(driver.status(client, jobs[vendor])) not in terminal_statuses(vendor)
        idle = DRIVERS["argil"]().create(client_for("argil", first, recorder), "waits for its render call")
        first_port = first.port
    assert state_file.is_file()

    with Sandbox(speed=SLOW, state_file=state_file) as second, Recorder() as recorder:
        assert second.port != first_port
        for vendor, job_id in jobs.items():
            driver = DRIVERS[vendor]()
            with Recorder() as own:  # one vendor's exchanges, to validate against its spec
                model, seen = poll(driver, client_for(vendor, second, own), job_id, terminal_statuses(vendor))
                assert_conforms(vendor, second, own.exchanges)
            assert seen[-1] == job_of(vendor)["states"]["succeeded"][0], (vendor, seen)
            url = driver.result_url(model)
            assert url.startswith(second.url + "/files/")
            assert is_valid_mp4(httpx.get(url).content)

        # Argil's job that was never rendered still waits in its first status, and renders now.
        argil = DRIVERS["argil"]()
        client = client_for("argil", second, recorder)
        assert status_value(argil.status(client, idle)) == job_of("argil")["states"]["queued"][0]
        assert argil.start is not None
        argil.start(client, idle)
        _, seen = poll(argil, client, idle, terminal_statuses("argil"))
        assert seen[-1] == job_of("argil")["states"]["succeeded"][0]
        assert_conforms("argil", second, recorder.exchanges)

        created = [e["job_id"] for e in second.log if e["event"] == "job_created"]
        assert created == [*jobs.values(), idle]  # the first sandbox's events, in order, with their details
        assert all(e["vendor"] and e["operation"] for e in second.log if e["event"] == "job_created")
        assert [e["job_id"] for e in second.log if e["event"] == "job_started"] == [jobs["argil"], idle]

        # An id neither sandbox made is still unknown.
        with pytest.raises(importlib.import_module("reelforge_oxen").ApiError) as raised:
            DRIVERS["oxen"]().status(client_for("oxen", second, recorder), "no-such-generation")
        assert raised.value.status_code == 404


def test_job_age_counts_from_its_stored_creation_time(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    driver = DRIVERS["oxen"]()
    with Sandbox(speed=FAST, state_file=state_file) as first, Recorder() as recorder:
        job_id = driver.create(client_for("oxen", first, recorder), "hello")
        created_at = next(e["at"] for e in first.log if e["event"] == "job_created")
    # At this speed the whole job takes 0.08 s of its life; a sandbox that restarted its clock would show queued.
    time.sleep(max(created_at + 0.3 - time.time(), 0.0))
    with Sandbox(speed=FAST, state_file=state_file) as second, Recorder() as recorder:
        model = driver.status(client_for("oxen", second, recorder), job_id)
        assert status_value(model) == job_of("oxen")["states"]["succeeded"][0]


def test_result_urls_survive_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    driver = DRIVERS["hera"]()
    with Sandbox(speed=FAST, state_file=state_file) as first, Recorder() as recorder:
        client = client_for("hera", first, recorder)
        job_id = driver.create(client, "hello")
        model, _ = poll(driver, client, job_id, terminal_statuses("hera"))
        token_path = urlsplit(driver.result_url(model)).path
    with Sandbox(speed=FAST, state_file=state_file) as second, Recorder() as recorder:
        download = httpx.get(second.url + token_path)  # the URL handed out before, on the new port
        assert download.status_code == 200 and is_valid_mp4(download.content)
        again = driver.status(client_for("hera", second, recorder), job_id)
        assert urlsplit(driver.result_url(again)).path == token_path  # the same token, not a new one
        assert httpx.get(second.url + "/files/no-such-token.mp4").status_code == 404


def test_canceled_jobs_stay_canceled(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    ids: dict[str, str] = {}
    with Sandbox(speed=SLOW, state_file=state_file) as first, Recorder() as recorder:
        for vendor in ("magichour", "oxen", "argil"):  # Oxen cancels; Magic Hour and Argil delete (cancel_effect)
            ids[vendor] = DRIVERS[vendor]().create(client_for(vendor, first, recorder), "hello")
            _cancel(first, vendor, ids[vendor])
    time.sleep(4.0 / SLOW)  # long enough that an uncanceled job would have succeeded
    with Sandbox(speed=SLOW, state_file=state_file) as second, Recorder() as recorder:
        model = DRIVERS["oxen"]().status(client_for("oxen", second, recorder), ids["oxen"])
        assert status_value(model) == job_of("oxen")["states"]["canceled"][0]
        for vendor in ("magichour", "argil"):
            with pytest.raises(importlib.import_module(f"reelforge_{vendor}").ApiError) as raised:
                DRIVERS[vendor]().status(client_for(vendor, second, recorder), ids[vendor])
            assert raised.value.status_code == 404
        canceled = [(e["job_id"], e["deleted"]) for e in second.log if e["event"] == "job_canceled"]
        assert canceled == [(ids["magichour"], True), (ids["oxen"], False), (ids["argil"], True)]


def test_a_job_whose_operation_is_gone_is_dropped_with_a_log_entry(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    with Sandbox(speed=FAST, state_file=state_file) as first, Recorder() as recorder:
        gone = DRIVERS["hera"]().create(client_for("hera", first, recorder), "made by an older spec")
        kept = DRIVERS["oxen"]().create(client_for("oxen", first, recorder), "still here")
    with sqlite3.connect(state_file) as db:  # as if the installed spec had renamed Hera's create operation
        db.execute("UPDATE jobs SET operation_id = 'create_video_v0' WHERE job_id = ?", (gone,))
    db.close()
    with Sandbox(speed=FAST, state_file=state_file) as second, Recorder() as recorder:
        dropped = [e for e in second.log if e["event"] == "state_job_dropped"]
        assert [(e["vendor"], e["job_id"], e["operation"]) for e in dropped] == [("hera", gone, "create_video_v0")]
        with pytest.raises(importlib.import_module("reelforge_hera").ApiError) as raised:
            DRIVERS["hera"]().status(client_for("hera", second, recorder), gone)
        assert raised.value.status_code == 404
        assert DRIVERS["oxen"]().status(client_for("oxen", second, recorder), kept) is not None


def test_no_state_file_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative default path would land here
    driver = DRIVERS["oxen"]()
    with Sandbox(speed=FAST) as sandbox, Recorder() as recorder:
        client = client_for("oxen", sandbox, recorder)
        job_id = driver.create(client, "hello")
        poll(driver, client, job_id, terminal_statuses("oxen"))
        assert sandbox.state.path is None
    assert list(tmp_path.iterdir()) == []


def test_the_file_is_closed_after_stop(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    with Sandbox(speed=FAST, state_file=state_file) as first, Recorder() as recorder:
        job_id = DRIVERS["oxen"]().create(client_for("oxen", first, recorder), "hello")
        assert _open_files_under(tmp_path)  # the check below can see an open state file
    assert _open_files_under(tmp_path) == []
    assert first.state.closed
    with pytest.raises(RuntimeError, match="closed; changes would be lost"):
        first.state.record("job_created", vendor="oxen", job_id="late")
    assert [e["job_id"] for e in first.log] == [job_id]  # still readable, and unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]  # the WAL is checkpointed away on close

    moved = state_file.rename(tmp_path / "moved.db")
    with Sandbox(speed=FAST, state_file=moved) as second, Recorder() as recorder:
        assert DRIVERS["oxen"]().status(client_for("oxen", second, recorder), job_id) is not None
    moved.unlink()
    assert list(tmp_path.iterdir()) == []
    # The same Sandbox object starts again on the (now new, empty) file.
    with second:
        assert second.log == []
    assert _open_files_under(tmp_path) == []


def test_a_file_in_use_by_a_running_sandbox_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    with Sandbox(speed=FAST, state_file=state_file):
        with pytest.raises(StateFileError, match="in use by another sandbox") as raised:
            Sandbox(speed=FAST, state_file=state_file).start()
        assert str(state_file) in str(raised.value)
    with Sandbox(speed=FAST, state_file=state_file):
        pass
    assert _open_files_under(tmp_path) == []


def _text_file(path: Path) -> None:
    path.write_text("notes: not a database\n")


def _other_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    db.close()


def _other_version(path: Path) -> None:
    SandboxState(path, lifecycle_for=lambda vendor, operation: None).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text_file, "not a reelforge sandbox state file"),
        (_other_database, "an SQLite database, but not a reelforge sandbox state file"),
        (_other_version, f"schema version {SCHEMA_VERSION + 1}, and this reelforge reads version {SCHEMA_VERSION}"),
        (Path.mkdir, "not a regular file"),
    ],
    ids=["text-file", "other-database", "other-version", "folder"],
)
def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path, make: Any, message: str) -> None:
    state_file = tmp_path / "state.db"
    make(state_file)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(StateFileError, match=message) as raised:
        Sandbox(state_file=state_file).start()
    assert str(state_file) in str(raised.value)
    assert "pass another path, or delete the file" in str(raised.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before  # left as it was
    assert _open_files_under(tmp_path) == []


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "no-such-folder" / "state.db"
    with pytest.raises(StateFileError, match="does not exist") as raised:
        Sandbox(state_file=state_file).start()
    assert str(state_file) in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_state_file_needs_a_lifecycle_resolver(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lifecycle_for"):
        SandboxState(tmp_path / "state.db")
    assert list(tmp_path.iterdir()) == []


def test_uploads_survive_a_restart(tmp_path: Path) -> None:
    from reelforge_hera.api.files import upload_file
    from reelforge_hera.models import HeraFileUpload
    from reelforge_hera.types import File

    state_file = tmp_path / "state.db"
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    with Sandbox(speed=50, state_file=state_file) as first, Recorder() as recorder:
        client = client_for("hera", first, recorder)
        body = HeraFileUpload(file=File(payload=io.BytesIO(data), file_name="logo.png", mime_type="image/png"))
        path = urlsplit(upload_file.sync(client=client, body=body).url).path
    with Sandbox(speed=50, state_file=state_file) as second:
        served = httpx.get(second.url + path)
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["content-type"] == "image/png"
        assert [e["event"] for e in second.log if e["event"].startswith("upload")] == ["upload_received"]


def test_a_failing_listener_never_fails_the_request(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    # As the command's event printer on a closed pipe: the create must still answer its job, once.
    def broken(entry: dict[str, Any]) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    sandbox.state.listeners.append(broken)
    with Recorder() as recorder:
        client = client_for("oxen", sandbox, recorder)
        job_id = DRIVERS["oxen"]().create(client, "a lighthouse")
    assert [e["job_id"] for e in sandbox.log if e["event"] == "job_created"] == [job_id]
    assert broken not in sandbox.state.listeners
    assert "sandbox event listener" in caplog.text and "failed and was removed" in caplog.text
