"""The conformance suite catches real mistakes: each test copies reelforge_hera, breaks it one way, and runs
the emitted Hera suite against the broken copy in a real subprocess; the suite must fail, and fail where the
mistake is. A control run on an unbroken copy must pass, so the failures come from the mutations alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import reelforge_hera

from tests.support import REPO

PACKAGE = Path(reelforge_hera.__file__).resolve().parent


def _run_suite_against_copy(tmp_path: Path, edit: tuple[str, str, str] | None, selection: str) -> str:
    copy = tmp_path / "site" / "reelforge_hera"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if edit is not None:
        relative, old, new = edit
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"the mutation no longer applies to {relative}: regenerate this test's anchors"
        path.write_text(text.replace(old, new), encoding="utf-8")
    # The copy comes first on the import path, ahead of the installed package.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy.parent), str(REPO)])}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/conformance/test_hera.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            selection,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (
        f"{copy}"
        in subprocess.run(
            [sys.executable, "-c", "import reelforge_hera; print(reelforge_hera.__file__)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    ), "the subprocess did not import the copy"
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def test_control_an_unbroken_copy_passes(tmp_path: Path) -> None:
    output = _run_suite_against_copy(tmp_path, None, "create_video or get_video")
    assert output.startswith("exit 0"), output


@pytest.mark.parametrize(
    ("edit", "selection", "failing"),
    [
        pytest.param(
            ("models/hera_video.py", '                "status": status,\n', ""),
            "get_video",
            "test_response_is_read_as_documented[get_video-200-sync]",
            id="a-field-dropped-from-to_dict",
        ),
        pytest.param(
            ("client.py", '"ApiKeyAuth": ("x-api-key", "")', '"ApiKeyAuth": ("x-api-token", "")'),
            "request_conforms and create_video",
            "test_request_conforms[create_video-sync]",
            id="the-wrong-auth-header",
        ),
        pytest.param(
            ("api/videos/get_video.py", '"url": "/videos/{video_id}".format(', '"url": "/video/{video_id}".format('),
            "request_conforms and get_video",
            "test_request_conforms[get_video-sync]",
            id="the-operation-path-renamed",
        ),
        pytest.param(
            ("models/create_video_input.py", '                "outputs": outputs,\n', ""),
            "request_conforms and create_video",
            "test_request_conforms[create_video-async]",
            id="a-required-field-left-out",
        ),
    ],
)
def test_conformance_suite_catches(tmp_path: Path, edit: tuple[str, str, str], selection: str, failing: str) -> None:
    output = _run_suite_against_copy(tmp_path, edit, selection)
    assert output.startswith("exit 1"), output
    assert f"FAILED tests/conformance/test_hera.py::{failing}" in output, output
