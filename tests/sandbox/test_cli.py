"""The `reelforge` command as users run it: a real subprocess of the installed package, real files and ports."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reelforge.sandbox.demo import run_job
from reelforge.sandbox.media import is_valid_mp4, result_video
from reelforge.sandbox.server import Sandbox, SandboxProcess
from tests.sandbox._specs import VENDORS
from tests.support import run_python, run_reelforge


def test_demo_makes_one_video_per_vendor(tmp_path: Path) -> None:
    done = run_reelforge("demo", "--out", "out", "--speed", "50", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    made = sorted((tmp_path / "out").iterdir())
    assert [path.name.split("-", 1)[0] for path in made] == sorted(VENDORS)
    for path in made:
        assert is_valid_mp4(path.read_bytes()), path
        # The printed table names each file and its size.
        line = next(line for line in done.stdout.splitlines() if str(Path("out") / path.name) in line)
        assert line.split()[0] == path.name.split("-", 1)[0]
        assert line.endswith(f"{len(result_video()):,}")
    header = next(line for line in done.stdout.splitlines() if line.startswith("vendor"))
    assert header.split() == ["vendor", "job", "id", "status", "seconds", "file", "bytes"]


def test_demo_against_a_running_sandbox(tmp_path: Path) -> None:
    with Sandbox(speed=50) as sandbox:
        done = run_reelforge("demo", "--sandbox", sandbox.url, "--vendor", "argil", "--out", "videos", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        created = [e for e in sandbox.log if e["event"] == "job_created"]
    assert [e["vendor"] for e in created] == ["argil"]
    (video,) = (tmp_path / "videos").iterdir()
    assert video.name == f"argil-{created[0]['job_id']}-1.mp4"  # the facade's names: vendor, job id, result number


def test_demo_reports_a_sandbox_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_reelforge("demo", "--sandbox", f"http://127.0.0.1:{port}", "--vendor", "hera", cwd=tmp_path)
    assert done.returncode == 1
    assert "hera: VendorError: hera create_video: no answer from the vendor (ConnectError" in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_sandbox_command_serves_then_stops_cleanly(tmp_path: Path) -> None:
    sandbox = SandboxProcess(["--speed", "50", "--vendor", "oxen"]).start()
    try:
        run = run_job("oxen", sandbox.base_url("oxen"), tmp_path)
        assert is_valid_mp4(run.file.read_bytes())
        # The child's log, read over HTTP: the job was created exactly once.
        created = [e for e in sandbox.log if e["event"] == "job_created"]
        assert [(e["vendor"], e["job_id"]) for e in created] == [("oxen", run.job_id)]
    finally:
        sandbox.stop()
    assert sandbox.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sandbox", "--speed", "0"], "argument --speed: '0' must be a number from 0.001 up"),
        (["sandbox", "--speed", "1e-7"], "argument --speed: '1e-7' must be a number from 0.001 up"),
        (["sandbox", "--speed", "fast"], "argument --speed: 'fast' is not a number"),
        (["sandbox", "--port", "70000"], "argument --port: '70000' is not a TCP port"),
        (["sandbox", "--faults", "no-such-file.yaml"], "argument --faults: no-such-file.yaml: no such file"),
        (["sandbox", "--vendor", "acme"], "argument --vendor: invalid choice: 'acme'"),
        (["sandbox", "--faults", "."], "argument --faults: .: is a folder, not a file"),
        (["demo", "--speed", "-1"], "argument --speed: '-1' must be a number from 0.001 up"),
    ],
)
def test_bad_arguments_are_named(args: list[str], message: str, tmp_path: Path) -> None:
    done = run_reelforge(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_taken_port_is_named(tmp_path: Path) -> None:
    with Sandbox() as taken:
        done = run_reelforge("sandbox", "--port", str(taken.port), cwd=tmp_path)
    assert done.returncode == 2
    assert f"127.0.0.1:{taken.port}" in done.stderr
    assert "in use" in done.stderr


def test_an_unknown_host_is_named(tmp_path: Path) -> None:
    done = run_reelforge("sandbox", "--host", "no-such-host.invalid", "--port", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("reelforge sandbox: cannot listen on no-such-host.invalid:0: unknown host")


def test_a_failed_start_leaves_no_state_file(tmp_path: Path) -> None:
    with Sandbox() as taken:
        done = run_reelforge("sandbox", "--port", str(taken.port), "--state", "state.db", cwd=tmp_path)
    assert done.returncode == 2 and "in use" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_start_up_stops_cleanly(tmp_path: Path) -> None:
    import signal
    import time

    command = [sys.executable, "-m", "reelforge", "sandbox", "--port", "0"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Past the interpreter's own start (whose Ctrl-C is Python's), within the sandbox's (imports, specs: 0.6-0.9
    # s); on a faster machine the signal comes while serving, which must stop it cleanly too.
    time.sleep(0.4)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_a_missing_extra_is_named(tmp_path: Path) -> None:
    # As if `reelforge` were installed without its sandbox extra: importing uvicorn fails.
    code = "import sys; sys.modules['uvicorn'] = None; from reelforge.cli import main; sys.exit(main(['sandbox']))"
    done = run_python("-c", code, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "pip install 'reelforge[sandbox]'" in done.stderr
    assert "uvicorn" in done.stderr


def test_sandbox_command_injects_the_faults_of_a_file(tmp_path: Path) -> None:
    import httpx
    import reelforge_hera
    from reelforge_hera.api.videos import create_video
    from reelforge_hera.models import CreateVideoInput

    rules = tmp_path / "faults.yaml"
    rules.write_text('faults:\n  - {fault: "429 retry-after=7", vendor: hera, operation: create_video}\n')
    body = CreateVideoInput.from_dict(
        {"prompt": "x", "outputs": [{"format": "mp4", "aspect_ratio": "16:9", "fps": "30", "resolution": "720p"}]}
    )
    with (
        SandboxProcess(["--faults", str(rules), "--vendor", "hera"]) as sandbox,
        reelforge_hera.Client(base_url=sandbox.base_url("hera"), api_key="k") as client,
    ):
        with pytest.raises(reelforge_hera.ApiError) as refused:
            create_video.sync(client=client, body=body)
        assert refused.value.status_code == 429
        assert refused.value.headers["retry-after"] == "7"
        assert create_video.sync(client=client, body=body).video_id  # `times` defaults to 1
        assert httpx.get(sandbox.url + "/files/none.mp4").status_code == 404


def test_sandbox_command_keeps_jobs_in_a_state_file(tmp_path: Path) -> None:
    import httpx
    import reelforge_magichour
    from reelforge_magichour.api.videos import get_video_project

    state = tmp_path / "sandbox.db"
    with SandboxProcess(["--state", str(state), "--speed", "50", "--vendor", "magichour"]) as first:
        run = run_job("magichour", first.base_url("magichour"), tmp_path / "first")
    # A new process on the same file (and another port) still knows the job and serves its result.
    with (
        SandboxProcess(["--state", str(state), "--speed", "50", "--vendor", "magichour"]) as second,
        reelforge_magichour.Client(base_url=second.base_url("magichour"), api_key="k") as client,
    ):
        project = get_video_project.sync(run.job_id, client=client)
        assert project.status.value == "complete"
        download = httpx.get(project.downloads[0].url)
    assert download.status_code == 200
    assert is_valid_mp4(download.content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("faults:\n  - {fault: 418}\n", "faults[0].fault"),
        ("faults: [", "faults.yaml"),
    ],
)
def test_a_bad_fault_file_is_named(content: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "faults.yaml").write_text(content)
    done = run_reelforge("sandbox", "--port", "0", "--faults", "faults.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.startswith("reelforge sandbox: ")


def test_a_bad_state_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database, just notes\n")
    done = run_reelforge("sandbox", "--port", "0", "--state", "notes.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot use notes.txt as the sandbox state file" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "not a database, just notes\n"


def test_sandbox_command_prints_what_it_does(tmp_path: Path) -> None:
    import httpx

    command = [sys.executable, "-m", "reelforge", "sandbox", "--port", "0", "--vendor", "argil"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[3]
        assert httpx.get(url + "/argil/v1/videos").status_code == 401  # no key
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    (line,) = [line for line in out.splitlines() if "request_rejected" in line]
    assert line.split()[1:4] == ["request_rejected", "argil", "status=401"]
