"""Shared helpers for the diff tests: the corpus of spec pairs, and running the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import REPO

CASES = Path(__file__).parent / "cases"
_CACHE_VARIABLES = ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE", "RUFF_CACHE_DIR", "MYPY_CACHE_DIR")


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
        # A minimal environment (the command must not depend on the caller's), but keeping the variables that hold
        # bytecode and caches outside the tree (tests/support.py: hermetic_env).
        env={
            "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            **{key: os.environ[key] for key in _CACHE_VARIABLES if key in os.environ},
        },
    )
