"""Golden output: the pipeline's whole output for a purpose-made spec, compared file by file.

When a template changes on purpose, run `python tests/generator/regenerate_golden.py` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.pipeline import generate
from tests.generator.conftest import GOLDEN, TINY

REGENERATE = "python tests/generator/regenerate_golden.py"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _comparable(name: str, data: bytes) -> bytes:
    if name != "GENERATION.json":
        return data
    # The fingerprint hashes every generator source file; it changes with any edit and says nothing here.
    record = json.loads(data)
    record.pop("fingerprint")
    return json.dumps(record, sort_keys=True).encode()


def test_tiny_output_matches_golden(tiny_root: Path) -> None:
    generate([TINY], root=tiny_root, force=True)
    actual = _files(tiny_root / "generated" / "tiny")
    module = tiny_root / "tests" / "conformance" / "test_tiny.py"
    actual["conformance/test_tiny.py"] = module.read_bytes()
    expected = _files(GOLDEN / "tiny" / "expected")

    assert sorted(actual) == sorted(expected), f"files differ; if intended, run {REGENERATE}"
    changed = [name for name in actual if _comparable(name, actual[name]) != _comparable(name, expected[name])]
    if changed:
        pytest.fail(f"output differs from golden in {changed}; if intended, run {REGENERATE} and review the diff")
