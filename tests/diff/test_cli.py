"""`python -m generator diff` as a user runs it: a real subprocess per output format, --fail-on, --output, and
bad input that stops with one clear message naming the file or ref (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.diff.conftest import CASES, run_cli
from tests.support import REPO

TRANSCRIPT = CASES / "argil-transcript-max-length-lowered"  # one ERR, one INFO
AUDIO = CASES / "argil-audio-limit-in-prose"  # one WARN
HERA = CASES / "hera-duration-maximum-raised"  # two INFO
MOMENT = "/components/schemas/VideoCreateArgs/properties/moments/items/properties"


def _pair(case: Path) -> tuple[str, str]:
    return str(case / "old.yaml"), str(case / "new.yaml")


def test_markdown_is_the_default_with_a_summary_line_and_breaking_changes_first() -> None:
    result = run_cli("diff", *_pair(TRANSCRIPT), "--vendor", "argil")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("## API changes: `") and lines[0].endswith("new.yaml`")
    assert lines[2] == "- **argil**: 1 breaking, 1 other"
    breaking = lines.index("### Breaking changes (ERR)")
    other = next(i for i, line in enumerate(lines) if line.startswith("<details><summary>Other changes (INFO): 1"))
    assert breaking < other
    row = lines[breaking + 4]
    assert row.startswith("| argil | `POST /videos` | `request-property-max-length-decreased` request property ")
    assert row.endswith(f"| `{MOMENT}/transcript/maxLength` |")
    assert "maxLength lowered from 500 to 250" in row
    assert "### May break" not in result.stdout  # no WARN, no empty section


def test_json_is_a_list_of_objects_with_exactly_six_keys() -> None:
    result = run_cli("diff", *_pair(TRANSCRIPT), "--format", "json", "--vendor", "argil")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    assert [set(c) for c in changes] == [{"id", "level", "vendor", "operation", "location", "message"}] * 2
    assert [(c["id"], c["level"], c["vendor"], c["operation"], c["location"]) for c in changes] == [
        ("request-property-max-length-decreased", "ERR", "argil", "POST /videos", f"{MOMENT}/transcript/maxLength"),
        ("request-property-description-changed", "INFO", "argil", "POST /videos", f"{MOMENT}/transcript/description"),
    ]


def test_json_of_identical_documents_is_an_empty_list() -> None:
    old, _ = _pair(TRANSCRIPT)
    result = run_cli("diff", old, old, "--format", "json")
    assert (result.returncode, result.stdout) == (0, "[]\n")


def test_github_prints_one_workflow_command_per_change() -> None:
    result = run_cli("diff", *_pair(TRANSCRIPT), "--format", "github", "--vendor", "argil")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error title=argil POST /videos request-property-max-length-decreased::request ")
    assert lines[0].endswith(f"(at {MOMENT}/transcript/maxLength)")
    assert lines[1].startswith("::notice title=argil POST /videos request-property-description-changed::")


def test_github_escapes_what_would_end_a_workflow_command(tmp_path: Path) -> None:
    """A title may not hold ':' or ',' raw, a message no newline: they would cut the command short."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"openapi": "3.1.0", "paths": {}}), encoding="utf-8")
    new.write_text(json.dumps({"openapi": "3.1.0", "paths": {"/a:b,c": {"get": {"responses": {}}}}}), encoding="utf-8")
    result = run_cli("diff", str(old), str(new), "--format", "github", "--vendor", "v")
    assert result.stdout == "::notice title=v GET /a%3Ab%2Cc endpoint-added::new operation (at /paths/~1a:b,c/get)\n"


@pytest.mark.parametrize(
    ("case", "threshold", "code"),
    [
        (TRANSCRIPT, "ERR", 1),
        (TRANSCRIPT, "WARN", 1),
        (AUDIO, "ERR", 0),
        (AUDIO, "WARN", 1),
        (HERA, "ERR", 0),
        (HERA, "WARN", 0),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else str(v),
)
def test_fail_on_sets_the_exit_code_after_printing(case: Path, threshold: str, code: int) -> None:
    result = run_cli("diff", *_pair(case), "--format", "json", "--fail-on", threshold)
    assert result.returncode == code, result.stderr
    assert json.loads(result.stdout)  # printed either way


def test_without_fail_on_breaking_changes_still_exit_0() -> None:
    assert run_cli("diff", *_pair(TRANSCRIPT)).returncode == 0


def test_output_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "comment.md"
    result = run_cli("diff", *_pair(AUDIO), "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert "### May break (WARN)" in target.read_text(encoding="utf-8")
    assert result.stdout == f"wrote {target} (1 change(s))\n"


def test_rules_lists_every_rule_with_its_level() -> None:
    result = run_cli("diff", "--rules")
    assert result.returncode == 0, result.stderr
    assert "| `response-property-enum-value-added` | WARN |" in result.stdout
    assert "| `request-property-max-length-decreased` | ERR |" in result.stdout
    assert "| `python-api-field-removed` | ERR |" in result.stdout


def _error(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 1
    assert result.stdout == ""
    return result.stderr


def test_missing_file_names_it(tmp_path: Path) -> None:
    old, _ = _pair(HERA)
    missing = tmp_path / "nope.yaml"
    assert _error("diff", old, str(missing)).startswith(f"error: {missing}: file not found")


def test_file_that_is_not_yaml_or_json_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\npaths: [unclosed\n", encoding="utf-8")
    old, _ = _pair(HERA)
    assert _error("diff", str(bad), old).startswith(f"error: {bad}: not valid YAML or JSON")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- a list\n", "not an OpenAPI document (the top level is not a mapping)"),
        ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3.x document (a Swagger 2.0 document)"),
        ("info: {title: x}\n", "not an OpenAPI 3.x document (no 'openapi' field)"),
        ("openapi: 3.1.0\npaths: [a]\n", "'paths' must be a mapping"),
    ],
)
def test_document_that_is_not_openapi_names_it(tmp_path: Path, text: str, says: str) -> None:
    bad = tmp_path / "not-openapi.yaml"
    bad.write_text(text, encoding="utf-8")
    old, _ = _pair(HERA)
    assert _error("diff", old, str(bad)).startswith(f"error: {bad}: {says}")


def test_broken_ref_names_the_file_and_pointer(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/Nope'}]\n",
        encoding="utf-8",
    )
    assert _error("diff", str(bad), str(bad)).startswith(
        f"error: {bad}: /paths/~1a/get/parameters/0/$ref: the reference '#/components/parameters/Nope' leads nowhere "
        "(no 'components')"
    )


def test_unknown_git_ref_names_it() -> None:
    message = _error("diff", "--base", "no-such-branch-anywhere")
    assert message.startswith(f"error: unknown git ref 'no-such-branch-anywhere' in {REPO}")


def test_old_and_new_with_base_is_refused() -> None:
    old, new = _pair(HERA)
    assert "give either OLD and NEW, or --base REF" in _error("diff", old, new, "--base", "HEAD")


def test_nothing_to_compare_is_refused() -> None:
    assert "nothing to compare" in _error("diff")
