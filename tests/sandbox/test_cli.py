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


def _reelforge(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reelforge", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_demo_makes_one_video_per_vendor(tmp_path: Path) -> None:
    done = _reelforge("demo", "--out", "out", "--speed", "50", cwd=tmp_path)
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
        done = _reelforge("demo", "--sandbox", sandbox.url, "--vendor", "argil", "--out", "videos", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        created = [e for e in sandbox.log if e["event"] == "job_created"]
    assert [e["vendor"] for e in created] == ["argil"]
    (video,) = (tmp_path / "videos").iterdir()
    assert video.name == f"argil-{created[0]['job_id']}.mp4"


def test_demo_reports_a_sandbox_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = _reelforge("demo", "--sandbox", f"http://127.0.0.1:{port}", "--vendor", "hera", cwd=tmp_path)
    assert done.returncode == 1
    assert "hera: ConnectError" in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_sandbox_command_serves_then_stops_cleanly(tmp_path: Path) -> None:
    sandbox = SandboxProcess(["--speed", "50", "--vendor", "oxen"]).start()
    try:
        run = run_job("oxen", sandbox.base_url("oxen"), tmp_path)
        assert is_valid_mp4(run.file.read_bytes())
    finally:
        sandbox.stop()
    assert sandbox.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sandbox", "--speed", "0"], "argument --speed: '0' must be a positive number"),
        (["sandbox", "--speed", "fast"], "argument --speed: 'fast' is not a number"),
        (["sandbox", "--port", "70000"], "argument --port: '70000' is not a TCP port"),
        (["sandbox", "--faults", "no-such-file.yaml"], "argument --faults: no-such-file.yaml: no such file"),
        (["sandbox", "--vendor", "acme"], "argument --vendor: invalid choice: 'acme'"),
        (["demo", "--speed", "-1"], "argument --speed: '-1' must be a positive number"),
    ],
)
def test_bad_arguments_are_named(args: list[str], message: str, tmp_path: Path) -> None:
    done = _reelforge(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_taken_port_is_named(tmp_path: Path) -> None:
    with Sandbox() as taken:
        done = _reelforge("sandbox", "--port", str(taken.port), cwd=tmp_path)
    assert done.returncode == 2
    assert f"127.0.0.1:{taken.port}" in done.stderr
    assert "in use" in done.stderr


def test_a_missing_extra_is_named(tmp_path: Path) -> None:
    # As if `reelforge` were installed without its sandbox extra: importing uvicorn fails.
    code = "import sys; sys.modules['uvicorn'] = None; from reelforge.cli import main; sys.exit(main(['sandbox']))"
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "pip install 'reelforge[sandbox]'" in done.stderr
    assert "uvicorn" in done.stderr
