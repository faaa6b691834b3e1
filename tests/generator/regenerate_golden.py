"""Rewrite the golden output of every purpose-made spec: `python tests/generator/regenerate_golden.py`.

Run it when a template or the pipeline changes on purpose, then review the diff of golden/*/expected/ as you
would review the change to every vendor's client. Besides the generated distribution and its conformance module,
expected/engine-input.json is the document openapi-python-client read (`python -m generator engine-input`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from generator.documents import dump_json
from generator.effective import build_effective_spec
from generator.engine_input import engine_input
from generator.pipeline import generate
from generator.vendors import Vendor

CASES = {"tiny": Vendor("tiny", "Tiny", "TINY_API_KEY")}


def regenerate(case: str) -> Path:
    expected = HERE / "golden" / case / "expected"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        shutil.copytree(HERE / "golden" / case / "input", root)
        generate([CASES[case]], root=root, force=True)
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(root / "generated" / case, expected)
        (expected / "conformance").mkdir()
        shutil.copy(root / "tests" / "conformance" / f"test_{case}.py", expected / "conformance")
        engine = engine_input(build_effective_spec(root, CASES[case]).document)
        (expected / "engine-input.json").write_text(dump_json(engine), encoding="utf-8")
    return expected


if __name__ == "__main__":
    for name in CASES:
        print(f"wrote {regenerate(name).relative_to(HERE.parents[1])}")
