"""Rewrite the golden output of every purpose-made spec: `python tests/generator/regenerate_golden.py`.

Run it when a template or the pipeline changes on purpose, then review the diff of golden/*/expected/ as you
would review the change to every vendor's client.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

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
    return expected


if __name__ == "__main__":
    for name in CASES:
        print(f"wrote {regenerate(name).relative_to(HERE.parents[1])}")
