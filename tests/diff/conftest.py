"""Shared helpers for the diff tests: the corpus of spec pairs, and running the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def expected(name: str) -> list[tuple[str, str, str, str]]:
    record: dict[str, Any] = json.loads((CASES / name / "expected.json").read_text(encoding="utf-8"))
    return sorted((c["id"], c["level"], c["operation"], c["location"]) for c in record["changes"])


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )
