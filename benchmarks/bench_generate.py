"""Benchmark: how long regeneration takes. Prints figures; asserts nothing (`nox -s bench`).

1. `python -m generator generate --force` (all five vendors: overlays, validation, openapi-python-client
   in-process, one ruff pass, headers) against openapi-python-client's own CLI run once per vendor on the same
   effective specs (each run pays the CLI's start-up again, and its default ruff post-hooks).
2. `python -m generator generate` with nothing changed (every vendor skipped on its fingerprint), as a
   whole command including interpreter start-up: the target is under 0.5 s.

Each figure is the median of several runs, each a fresh process, on this machine.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDORS = ("hera", "hedra", "magichour", "argil", "oxen")


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def _median(command: list[str], runs: int) -> float:
    return statistics.median(_timed(command) for _ in range(runs))


def _cli_once_per_vendor(scratch: Path) -> float:
    cli = str(Path(sys.executable).parent / "openapi-python-client")
    total = 0.0
    for vendor in VENDORS:
        out = scratch / vendor
        shutil.rmtree(out, ignore_errors=True)
        total += _timed(
            [
                cli,
                "generate",
                "--path",
                str(ROOT / "generated" / vendor / "openapi.json"),
                "--meta",
                "none",
                "--output-path",
                str(out),
                "--overwrite",
            ]
        )
    return total


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    python = sys.executable
    forced = _median([python, "-m", "generator", "generate", "--force"], runs)
    with tempfile.TemporaryDirectory() as scratch:
        cli = statistics.median(_cli_once_per_vendor(Path(scratch)) for _ in range(runs))
    unchanged = _median([python, "-m", "generator", "generate"], runs * 3)
    print(f"runs per figure (median): {runs}")
    print(f"regenerate all 5 vendors, one command (--force):      {forced:6.2f} s")
    print(f"openapi-python-client CLI once per vendor (5 runs):   {cli:6.2f} s")
    print(f"ratio (pipeline / CLI):                               {forced / cli:6.2f}")
    print(f"nothing changed, whole command incl. start-up:        {unchanged:6.3f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()
