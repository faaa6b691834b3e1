"""The `reelforge_sandbox` fixture as another project sees it: pytest run in a subprocess on a test file of its own."""

from __future__ import annotations

from pathlib import Path

from tests.support import run_module

USER_TESTS = """
import httpx
import pytest
import reelforge_hera
from reelforge_hera.api.videos import create_video
from reelforge_hera.models import CreateVideoInput

BODY = {"prompt": "a kite", "outputs": [{"format": "mp4", "aspect_ratio": "16:9", "fps": "30", "resolution": "720p"}]}


def test_default(reelforge_sandbox):
    assert reelforge_sandbox.speed == 50
    client = reelforge_hera.Client(base_url=reelforge_sandbox.base_url("hera"), api_key="any")
    create_video.sync(client=client, body=CreateVideoInput.from_dict(BODY))
    assert [e["event"] for e in reelforge_sandbox.log] == ["job_created"]


@pytest.mark.reelforge_sandbox(speed=2, vendors=["hera"])
def test_marker(reelforge_sandbox):
    assert reelforge_sandbox.speed == 2
    assert httpx.get(reelforge_sandbox.url + "/argil/v1/avatars").status_code == 404


@pytest.mark.reelforge_sandbox(sped=2)
def test_misspelled(reelforge_sandbox):
    pass
"""


def test_the_fixture_in_another_project(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS, encoding="utf-8")
    done = run_module("pytest", "-q", "-p", "no:cacheprovider", "test_user.py", cwd=tmp_path)
    assert "2 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "takes keyword arguments ['faults', 'speed', 'state_file', 'vendors'], not ['sped']" in done.stdout
