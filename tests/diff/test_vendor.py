"""`python -m generator vendor VENDOR FILE` on a temporary copy of specs/: the file arrives byte for byte,
source.toml gets the new sha256 and date and keeps every other line, and a wrong file changes nothing."""

from __future__ import annotations

import datetime
import hashlib
import shutil
from pathlib import Path

import pytest

from generator.errors import PipelineError
from generator.sources import load_spec_source
from generator.vendoring import vendor_spec
from generator.vendors import vendor_by_key
from tests.diff.conftest import CASES, run_cli
from tests.support import REPO

HERA = vendor_by_key("hera")
UPSTREAM = CASES / "hera-duration-maximum-raised" / "new.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    return tmp_path


def _lines_except(path: Path, *names: str) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.split(" = ")[0] not in names]


def test_vendoring_copies_the_bytes_and_records_sha256_and_date(root: Path) -> None:
    source = root / "specs" / "hera" / "source.toml"
    before = _lines_except(source, "sha256", "retrieved")
    done = vendor_spec(root, HERA, UPSTREAM, datetime.date(2026, 12, 1))
    data = UPSTREAM.read_bytes()
    assert (root / "specs" / "hera" / "openapi.yaml").read_bytes() == data
    assert done.sha256 == hashlib.sha256(data).hexdigest()
    assert done.previous_sha256 == "9ff2c366a2a084377022ca8433cafea8d26a54ffe41dd2af946d36737b1ccefe"
    assert _lines_except(source, "sha256", "retrieved") == before  # url, kind, notes, comment: untouched
    text = source.read_text(encoding="utf-8")
    assert f'sha256 = "{done.sha256}"\n' in text
    assert "retrieved = 2026-12-01\n" in text
    record = load_spec_source(root, HERA)  # the pipeline's own check accepts the result
    assert (record.sha256, record.retrieved, record.url) == (
        done.sha256,
        datetime.date(2026, 12, 1),
        "https://docs.hera.video",
    )


def test_the_other_vendors_are_untouched(root: Path) -> None:
    before = {p: p.read_bytes() for p in (root / "specs").rglob("*") if p.is_file() and "hera" not in p.parts}
    vendor_spec(root, HERA, UPSTREAM)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
        (b"paths: [unclosed\n", "not valid YAML or JSON"),
        (b"swagger: '2.0'\n", "not an OpenAPI 3.x document"),
    ],
)
def test_a_wrong_file_changes_nothing(root: Path, content: bytes, says: str) -> None:
    bad = root / "download.yaml"
    bad.write_bytes(content)
    before = {p: p.read_bytes() for p in (root / "specs").rglob("*") if p.is_file()}
    with pytest.raises(PipelineError, match=says):
        vendor_spec(root, HERA, bad)
    assert {p: p.read_bytes() for p in before} == before


def test_a_missing_file_names_it(root: Path) -> None:
    with pytest.raises(PipelineError, match=r"nope\.yaml: file not found"):
        vendor_spec(root, HERA, root / "nope.yaml")


def test_the_command_line_vendors_with_todays_date(root: Path) -> None:
    result = run_cli("vendor", "hera", str(UPSTREAM), "--root", str(root))
    assert result.returncode == 0, result.stderr
    record = load_spec_source(root, HERA)
    assert record.retrieved == datetime.date.today()
    assert "specs/hera/openapi.yaml: copied from" in result.stdout


def test_the_command_line_refuses_an_unknown_vendor_and_a_bad_date(root: Path) -> None:
    unknown = run_cli("vendor", "nosuch", str(UPSTREAM), "--root", str(root))
    assert (unknown.returncode, unknown.stderr.splitlines()[0]) == (1, "error: unknown vendor 'nosuch'")
    bad_date = run_cli("vendor", "hera", str(UPSTREAM), "--root", str(root), "--retrieved", "yesterday")
    assert bad_date.returncode == 1
    assert bad_date.stderr.startswith("error: --retrieved 'yesterday' is not a date")
