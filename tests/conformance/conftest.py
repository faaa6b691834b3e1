"""The conformance summary at the end of a run: per vendor, operations covered out of those in the spec."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Looked up, not imported: importing the harness at start-up would build hypothesis strategies while pytest
    # initialises plugins, which hypothesis rightly warns about. No conformance test ran: nothing to report.
    harness = sys.modules.get("tests.conformance.harness")
    if harness is None or not harness.OPERATIONS_IN_SPEC:
        return
    terminalreporter.section("conformance")
    scale = f" (examples x{harness.SCALE})" if harness.SCALE > 1 else ""
    for vendor in sorted(harness.OPERATIONS_IN_SPEC):
        total = harness.OPERATIONS_IN_SPEC[vendor]
        # covered: every check of the operation passed (requests and every documented answer, sync and async)
        covered = harness.SUITES[vendor].covered()
        share = 100 * covered / total if total else 100.0
        terminalreporter.write_line(
            f"{vendor:<10} operations covered {covered:>3}/{total:<3} ({share:5.1f}%)  "
            f"checks passed {len(harness.PASSED[vendor]):>4}  cases run {harness.CASES[vendor]:>6}{scale}"
        )
