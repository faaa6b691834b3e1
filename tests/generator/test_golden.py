"""Golden output: the pipeline's whole output for a purpose-made spec, compared file by file, and the document
its engine read (the engine-input stage, generator/engine_input.py).

When a template changes on purpose, run `python tests/generator/regenerate_golden.py` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.documents import dump_json
from generator.effective import build_effective_spec
from generator.engine_input import engine_input
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
    engine = engine_input(build_effective_spec(tiny_root, TINY).document)
    actual["engine-input.json"] = dump_json(engine).encode("utf-8")
    expected = _files(GOLDEN / "tiny" / "expected")

    assert sorted(actual) == sorted(expected), f"files differ; if intended, run {REGENERATE}"
    changed = [name for name in actual if _comparable(name, actual[name]) != _comparable(name, expected[name])]
    if changed:
        pytest.fail(f"output differs from golden in {changed}; if intended, run {REGENERATE} and review the diff")


def test_engine_input_makes_optional_defaults_prose_and_keeps_the_effective_spec(tiny_root: Path) -> None:
    """The golden engine input differs from the committed effective spec exactly where the stage says."""
    generate([TINY], root=tiny_root, force=True)
    effective = json.loads((tiny_root / "generated" / "tiny" / "openapi.json").read_text(encoding="utf-8"))
    engine = json.loads((GOLDEN / "tiny" / "expected" / "engine-input.json").read_text(encoding="utf-8"))

    seconds = effective["components"]["schemas"]["JobRequest"]["properties"]["seconds"]
    assert seconds["default"] == 5  # the effective spec (the sandbox's and the facade's) keeps it
    read = engine["components"]["schemas"]["JobRequest"]["properties"].pop("seconds")
    assert read == {
        "type": "integer",
        "minimum": 1,
        "description": "Length of the video in seconds. When omitted, the server applies its default (5).",
    }
    effective["components"]["schemas"]["JobRequest"]["properties"].pop("seconds")
    assert engine == effective  # nothing else changes
