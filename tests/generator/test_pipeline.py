"""The pipeline on the purpose-made tiny vendor: every bad input stops it with one clear message, a failed run
changes nothing, runs are deterministic and incremental, and `check` finds drift."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.documents import dump_json
from generator.errors import PipelineError
from generator.pipeline import check, generate
from tests.generator.conftest import TINY
from tests.support import REPO, run_module

OVERLAY = Path("overlays/tiny/10-lifecycle.yaml")
SPEC = Path("specs/tiny/openapi.yaml")


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _edit(root: Path, relative: Path, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _record_sha(root: Path) -> None:
    """Re-record the spec's sha256 after a deliberate edit, as a maintainer vendoring a new document does."""
    digest = hashlib.sha256((root / SPEC).read_bytes()).hexdigest()
    source = root / "specs/tiny/source.toml"
    source.write_text(re.sub(r'sha256 = "[0-9a-f]+"', f'sha256 = "{digest}"', source.read_text()), encoding="utf-8")


def _fails(root: Path, *patterns: str) -> str:
    with pytest.raises(PipelineError) as caught:
        generate([TINY], root=root, force=True)
    message = str(caught.value)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in:\n{message}"
    return message


# -- bad input -------------------------------------------------------------------------------------------


def test_missing_spec(tiny_root: Path) -> None:
    (tiny_root / SPEC).unlink()
    _fails(tiny_root, r"specs/tiny/openapi\.yaml: file not found", r"fix: restore it")


def test_edited_spec_is_refused_naming_both_hashes(tiny_root: Path) -> None:
    _edit(tiny_root, SPEC, "maxLength: 100", "maxLength: 200")
    actual = hashlib.sha256((tiny_root / SPEC).read_bytes()).hexdigest()
    _fails(tiny_root, rf"sha256 is {actual}, but specs/tiny/source\.toml records bdcc0810", r"never edited by hand")


def test_missing_source_record(tiny_root: Path) -> None:
    (tiny_root / "specs/tiny/source.toml").unlink()
    _fails(tiny_root, r"specs/tiny/source\.toml: file not found")


def test_overlay_that_is_not_an_overlay(tiny_root: Path) -> None:
    _edit(tiny_root, OVERLAY, "overlay: 1.1.0\n", "")
    _fails(tiny_root, r"overlays/tiny/10-lifecycle\.yaml", r"overlay")


def test_jsonpath_syntax_error(tiny_root: Path) -> None:
    _edit(tiny_root, OVERLAY, "- target: $.paths['/jobs'].post\n", "- target: $.paths['/jobs'.post\n")
    _fails(tiny_root, r"overlays/tiny/10-lifecycle\.yaml", r"action 0")


def test_target_that_matches_nothing(tiny_root: Path) -> None:
    _edit(tiny_root, OVERLAY, "$.paths['/jobs/{job_id}'].get", "$.paths['/jobs/{id}'].get")
    _fails(tiny_root, r"overlays/tiny/10-lifecycle\.yaml", r"action 1", r"/jobs/\{id\}", r"Both operations need")


def test_update_that_mixes_kinds(tiny_root: Path) -> None:
    (tiny_root / "overlays/tiny/20-bad.yaml").write_text(
        "overlay: 1.1.0\ninfo: {title: bad, version: '1'}\nactions:\n"
        "  - target: $.info.title\n    description: an object onto a string\n    update: {text: x}\n",
        encoding="utf-8",
    )
    _fails(tiny_root, r"overlays/tiny/20-bad\.yaml", r"action 0")


def test_effective_spec_that_fails_validation_names_the_pointer(tiny_root: Path) -> None:
    (tiny_root / "overlays/tiny/20-bad.yaml").write_text(
        "overlay: 1.1.0\ninfo: {title: bad, version: '1'}\nactions:\n"
        "  - target: $.paths['/jobs/{job_id}'].get.responses['200']\n    description: breaks the spec\n"
        "    update: {description: 42}\n",
        encoding="utf-8",
    )
    _fails(tiny_root, r"not valid OpenAPI at /paths/~1jobs~1\{job_id\}/get/responses/200/description")


def test_operation_without_operation_id(tiny_root: Path) -> None:
    _edit(tiny_root, SPEC, "      operationId: get_job\n", "")
    _record_sha(tiny_root)
    _fails(tiny_root, r"/paths/~1jobs~1\{job_id\}/get: operationId None is missing")


def test_job_metadata_naming_an_unknown_operation(tiny_root: Path) -> None:
    _edit(tiny_root, OVERLAY, "status_operation: get_job", "status_operation: get_jobs")
    _fails(tiny_root, r"x-reelforge-job/status_operation: no operation has operationId 'get_jobs'")


def test_job_states_must_cover_the_status_enum(tiny_root: Path) -> None:
    _edit(tiny_root, OVERLAY, "failed: [failed]", "failed: []")
    _fails(tiny_root, r"states does not match the status enum of get_job", r"unmapped \['failed'\]")


def test_default_that_violates_its_schema_is_located(tiny_root: Path) -> None:
    _edit(
        tiny_root,
        SPEC,
        "      enum: [queued, running, done, failed]",
        "      enum: [queued, running, done, failed]\n      default: 7",
    )
    _record_sha(tiny_root)
    _fails(tiny_root, r"not valid OpenAPI at /components/schemas/JobStatus: 7 is not of type 'string'")


def test_openapi_python_client_warning_stops_the_run(tiny_root: Path) -> None:
    # Valid OpenAPI that the engine cannot turn into code: it warns, drops the response, and exits 0 on its own.
    _edit(
        tiny_root,
        SPEC,
        "          description: Unknown job\n          content:\n            application/json:",
        "          description: Unknown job\n          content:\n            application/xml:",
    )
    _record_sha(tiny_root)
    _fails(
        tiny_root,
        r"openapi-python-client reported 1 problem",
        r"warnings count",
        r"GET /jobs/\{job_id\}",
        r"application/xml",
        r"fix: fix the spec in overlays/tiny/",
    )


def test_failed_run_leaves_generated_untouched(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    before = _snapshot(tiny_root / "generated")
    _edit(tiny_root, OVERLAY, "status_operation: get_job", "status_operation: nope")
    with pytest.raises(PipelineError):
        generate([TINY], root=tiny_root, force=True)
    assert _snapshot(tiny_root / "generated") == before
    assert not [p for p in (tiny_root / "generated").iterdir() if p.name.startswith(".staging")]


# -- determinism, incrementality, drift -----------------------------------------------------------------


def test_two_runs_give_the_same_bytes(tiny_root: Path, tmp_path: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    first = _snapshot(tiny_root / "generated")
    generate([TINY], root=tiny_root, force=True)
    assert _snapshot(tiny_root / "generated") == first
    assert "tiny/reelforge_tiny/api/jobs/create_job.py" in first


def test_unchanged_vendor_is_skipped_and_force_regenerates(tiny_root: Path) -> None:
    (first,) = generate([TINY], root=tiny_root)
    assert first.regenerated
    (second,) = generate([TINY], root=tiny_root)
    assert not second.regenerated
    _edit(tiny_root, OVERLAY, "A request example for the README.", "A request example for the README (edited).")
    (third,) = generate([TINY], root=tiny_root)
    assert third.regenerated
    (forced,) = generate([TINY], root=tiny_root, force=True)
    assert forced.regenerated


def test_stale_files_do_not_survive(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    stale = tiny_root / "generated/tiny/reelforge_tiny/models/old_model.py"
    stale.write_text("# left over\n", encoding="utf-8")
    generate([TINY], root=tiny_root, force=True)
    assert not stale.exists()


def test_check_reports_edits_stale_and_missing_files(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    assert check([TINY], root=tiny_root) == []
    package = tiny_root / "generated/tiny/reelforge_tiny"
    (package / "client.py").write_text((package / "client.py").read_text() + "# hand edit\n", encoding="utf-8")
    (package / "extra.py").write_text("", encoding="utf-8")
    (package / "errors.py").unlink()
    problems = check([TINY], root=tiny_root)
    assert problems == [
        "missing:  generated/tiny/reelforge_tiny/errors.py",
        "stale:    generated/tiny/reelforge_tiny/extra.py",
        "differs:  generated/tiny/reelforge_tiny/client.py",
    ]


def test_check_reports_an_edited_or_stale_conformance_module(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    module = tiny_root / "tests/conformance/test_tiny.py"
    assert module.read_text(encoding="utf-8").startswith("# Generated by reelforge's spec pipeline")
    module.write_text(module.read_text(encoding="utf-8").replace('"create_job"', '"create_jobs"'), encoding="utf-8")
    stale = tiny_root / "tests/conformance/test_gone.py"
    stale.write_text("# Generated by reelforge's spec pipeline. Do not edit.\n", encoding="utf-8")
    (tiny_root / "tests/conformance/harness.py").write_text("# hand-written: not ours to judge\n", encoding="utf-8")

    assert check([TINY], root=tiny_root) == [
        "differs:  tests/conformance/test_tiny.py",
        "stale:    tests/conformance/test_gone.py (no such vendor)",
    ]
    module.unlink()
    assert "missing:  tests/conformance/test_tiny.py" in check([TINY], root=tiny_root)


def test_overlay_change_updates_the_conformance_module(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    _edit(
        tiny_root,
        OVERLAY,
        "      security:\n        - TinyKey: []\n  - target: $.paths['/jobs'].post.requestBody",
        "      security: []\n  - target: $.paths['/jobs'].post.requestBody",
    )
    generate([TINY], root=tiny_root)
    module = (tiny_root / "tests/conformance/test_tiny.py").read_text(encoding="utf-8")
    get_job = module[module.index('operation_id="get_job"') :]
    assert "security=()" in get_job[: get_job.index("responses=")]


def test_every_generated_file_is_stamped(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    folder = tiny_root / "generated/tiny"
    for path in folder.rglob("*"):
        if path.suffix in (".py", ".toml", ".typed", ".md"):
            head = path.read_text(encoding="utf-8")[:400]
            assert "Do not edit" in head, path
            assert "specs/tiny/openapi.yaml (sha256 bdcc0810" in head, path
            assert "overlays/tiny/10-lifecycle.yaml (sha256 " in head, path


# -- the command line -------------------------------------------------------------------------------------


def test_cli_check_on_a_copy_of_the_repository_finds_a_hand_edit(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    # src/: the pipeline reads specs with the tree's own reelforge.specs (generator/__init__.py).
    for part in ("generator", "src", "specs", "overlays", "generated", "tests/conformance"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "generated/hera/reelforge_hera/client.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# hand edit\n", encoding="utf-8")

    result = run_module("generator", "check", cwd=copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "differs:  generated/hera/reelforge_hera/client.py" in result.stderr
    assert "fix: run `python -m generator generate --force`" in result.stderr
    assert result.stderr.count("differs:") == 1  # nothing else drifted


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("generator", *args)


@pytest.mark.parametrize("command", ["generate", "engine-input"])
def test_cli_reports_pipeline_errors_on_stderr_with_exit_1(command: str) -> None:
    result = _cli(command, "nosuchvendor")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "unknown vendor 'nosuchvendor'" in result.stderr
    assert "fix: use one of: hera, hedra, magichour, argil, oxen" in result.stderr


def test_cli_engine_input_prints_what_the_engine_reads() -> None:
    """Hedra's effective spec has optional defaults: the engine-input command shows each one turned into prose,
    and otherwise the effective spec as committed."""
    result = _cli("engine-input", "hedra")
    assert result.returncode == 0, result.stderr
    engine = json.loads(result.stdout)
    assert result.stdout == dump_json(engine)  # the pipeline's one JSON form
    effective = json.loads((REPO / "generated/hedra/openapi.json").read_text(encoding="utf-8"))
    notes = _defaults_made_prose(effective, engine)
    assert notes, "hedra has optional defaults: the stage should have changed some"
    assert engine == effective  # after undoing exactly those notes


def _defaults_made_prose(effective: Any, engine: Any) -> list[str]:
    """Undo in `engine` each default the stage moved into a description; what was undone."""
    undone: list[str] = []
    if isinstance(effective, dict) and isinstance(engine, dict):
        if "default" in effective and "default" not in engine:
            note = f"When omitted, the server applies its default ({json.dumps(effective['default'], ensure_ascii=False)})."
            description = engine.get("description", "")
            assert description.endswith(note), description
            engine["default"] = effective["default"]
            if "description" in effective:
                engine["description"] = effective["description"]
            else:
                del engine["description"]
            undone.append(note)
        for key in effective.keys() & engine.keys():
            undone += _defaults_made_prose(effective[key], engine[key])
    elif isinstance(effective, list) and isinstance(engine, list):
        for old, new in zip(effective, engine, strict=False):
            undone += _defaults_made_prose(old, new)
    return undone


def test_the_fingerprint_covers_the_spec_reader() -> None:
    """A change to reelforge.specs can change what the pipeline accepts, so it must regenerate every vendor."""
    from generator.pipeline import _generator_files

    files = {path.relative_to(REPO).as_posix() for path in _generator_files()}
    assert "src/reelforge/specs/_document.py" in files
    assert "src/reelforge/specs/_jsonpath.py" in files
    assert "generator/extensions.py" in files
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)
    assert not any(name.startswith("src/reelforge/sandbox/") for name in files)  # only the reader
