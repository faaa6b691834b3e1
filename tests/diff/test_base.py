"""`python -m generator diff --base REF` on a temporary git repository: commit generated/ once, change the
effective spec and the package in the working tree, and diff; both the spec and the Python API are reported."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.diff.documents import load_openapi
from tests.diff.conftest import CASES, run_cli
from tests.support import REPO

HERA_CASE = CASES / "hera-duration-maximum-raised"
HERA = "/components/schemas/CreateVideoInput/properties/duration_seconds"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _write_spec(root: Path, vendor: str, source: Path) -> None:
    target = root / "generated" / vendor / "openapi.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(load_openapi(source), indent=2), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """generated/hera (spec and package, as committed) and nothing else, committed once."""
    root = tmp_path / "repo"
    _write_spec(root, "hera", HERA_CASE / "old.yaml")
    shutil.copytree(REPO / "generated" / "hera" / "reelforge_hera", root / "generated" / "hera" / "reelforge_hera")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def _diff(root: Path, *args: str) -> tuple[int, list[dict[str, str]]]:
    result = run_cli("diff", "--base", "HEAD", "--root", str(root), "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _summary(changes: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(c["vendor"], c["id"], c["level"], c["location"]) for c in changes]


def test_nothing_changed_reports_nothing(repo: Path) -> None:
    assert _diff(repo) == (0, [])


def test_spec_and_python_api_changes_since_the_ref(repo: Path) -> None:
    _write_spec(repo, "hera", HERA_CASE / "new.yaml")
    model = repo / "generated" / "hera" / "reelforge_hera" / "models" / "create_video_output.py"
    text = model.read_text(encoding="utf-8")
    assert "    project_url: str | Unset = UNSET\n" in text
    model.write_text(text.replace("    project_url: str | Unset = UNSET\n", ""), encoding="utf-8")
    code, changes = _diff(repo, "--fail-on", "ERR")
    assert code == 1
    assert _summary(changes) == [
        ("hera", "python-api-field-removed", "ERR", "reelforge_hera.models.CreateVideoOutput.project_url"),
        ("hera", "request-property-description-changed", "INFO", f"{HERA}/description"),
        ("hera", "request-property-max-increased", "INFO", f"{HERA}/maximum"),
    ]


def test_a_vendor_new_since_the_ref_reports_its_operations_and_package(repo: Path) -> None:
    _write_spec(repo, "argil", CASES / "argil-audio-limit-in-prose" / "old.yaml")
    shutil.copytree(REPO / "generated" / "argil" / "reelforge_argil", repo / "generated" / "argil" / "reelforge_argil")
    _, changes = _diff(repo)
    assert _summary(changes) == [
        ("argil", "endpoint-added", "INFO", "/paths/~1videos/post"),
        ("argil", "python-api-package-added", "INFO", "reelforge_argil"),
    ]


def test_a_vendor_gone_since_the_ref_is_breaking(repo: Path) -> None:
    shutil.rmtree(repo / "generated" / "hera")
    _, changes = _diff(repo)
    assert _summary(changes) == [
        ("hera", "api-path-removed-without-deprecation", "ERR", "/paths/~1videos/post"),
        ("hera", "python-api-package-removed", "ERR", "reelforge_hera"),
    ]


def test_the_working_tree_is_left_alone(repo: Path) -> None:
    _write_spec(repo, "hera", HERA_CASE / "new.yaml")
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    _diff(repo)
    after = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    assert after == before


def test_markdown_names_the_ref_and_every_vendor(repo: Path) -> None:
    _write_spec(repo, "hera", HERA_CASE / "new.yaml")
    result = run_cli("diff", "--base", "HEAD", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("## API changes: `HEAD (") and lines[0].endswith("→ `working tree`")
    assert lines[2:7] == [
        "- **hera**: 2 other",
        "- **hedra**: no changes",
        "- **magichour**: no changes",
        "- **argil**: no changes",
        "- **oxen**: no changes",
    ]


def test_an_unknown_ref_and_a_folder_that_is_no_repository(repo: Path, tmp_path: Path) -> None:
    unknown = run_cli("diff", "--base", "v9.9.9", "--root", str(repo))
    assert unknown.returncode == 1
    assert unknown.stderr.startswith(f"error: unknown git ref 'v9.9.9' in {repo}")
    plain = tmp_path / "plain"
    plain.mkdir()
    outside = run_cli("diff", "--base", "HEAD", "--root", str(plain))
    assert outside.returncode == 1
    assert outside.stderr.startswith(f"error: {plain}: not a git repository")
