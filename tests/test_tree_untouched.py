"""A test run leaves the working tree as it found it: no __pycache__, .ruff_cache, .pytest_cache or .hypothesis.

The repository's files (those git knows of, and new ones it does not ignore) are copied into a scratch git
repository; there the pipeline and a few tests run under the environment every nox session sets
(tests/support.py: hermetic_env). Afterwards `git status --ignored` must list nothing: an ignored cache counts,
since .gitignore only hides the mess.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO, hermetic_env, run_module

# Small but telling: it imports the generator (the registry), src/ (reelforge.specs) and the installed clients,
# and hypothesis runs (the conformance checks), so every cache this guards against would be written.
PYTEST_RUN = ("tests/clients/test_packaging.py", "tests/conformance/test_hera.py", "-k", "get_video", "-q")
# The pipeline's own outputs: what `generate` changes in them is drift (the drift check's business), not mess.
PIPELINE_OUTPUTS = ("generated", "tests/conformance")


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=reelforge tests", "-c", "user.email=tests@reelforge.invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed in {cwd}:\n{done.stderr}"
    return done.stdout


def _copy_of_the_repository(target: Path) -> Path:
    """The working tree's files as git lists them (tracked and new, ignored ones left out), in a fresh repository
    with one commit."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    for relative in filter(None, listed):
        source = REPO / relative
        if source.is_file():  # a file deleted but not yet staged is listed too
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    _git("init", "-q", cwd=target)
    _git("add", "-A", cwd=target)
    _git("commit", "-q", "--no-gpg-sign", "-m", "the working tree", cwd=target)
    return target


@pytest.mark.slow
def test_generate_and_a_test_run_leave_the_tree_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the protection hermetic_env gives counts: whatever the calling shell or an outer run set is dropped.
    for name in {*hermetic_env(tmp_path), "PYTHONDONTWRITEBYTECODE"}:
        monkeypatch.delenv(name, raising=False)
    copy = _copy_of_the_repository(tmp_path / "repo")
    env = hermetic_env(tmp_path / "cache")

    # --force, as the nox session does: the engine and ruff run even when every vendor is up to date.
    generated = run_module("generator", "generate", "--force", cwd=copy, env=env, timeout=900)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    _git("add", "--", *PIPELINE_OUTPUTS, cwd=copy)
    _git("commit", "-q", "--no-gpg-sign", "--allow-empty", "-m", "what generate made", cwd=copy)

    tested = run_module("pytest", *PYTEST_RUN, cwd=copy, env=env, timeout=600)
    assert tested.returncode == 0, tested.stdout + tested.stderr

    left = _git("status", "--porcelain", "--ignored", "--untracked-files=all", cwd=copy)
    assert left == "", f"the run wrote into the working tree:\n{left}"
