"""What changed between two versions of an API, for the people who use its clients.

`python -m generator diff OLD NEW` compares two OpenAPI documents; `python -m generator diff --base REF`
compares every vendor's effective spec and generated Python package at a git ref with the working tree. Each
change has an oasdiff-style rule id and a level (ERR breaks existing clients, WARN may break them, INFO does
not), a location and one sentence; docs/spec-diff.md lists the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.diff.base import diff_base
from generator.diff.changes import RULES, Change, Level, Report, Rule
from generator.diff.documents import Document, check_openapi, load_openapi
from generator.diff.python_api import diff_packages
from generator.diff.render import FORMATS, render, rules_table
from generator.diff.rules import diff_documents
from generator.vendors import VENDORS, Vendor

__all__ = [
    "FORMATS",
    "RULES",
    "Change",
    "Level",
    "Report",
    "Rule",
    "compare",
    "diff_files",
    "diff_packages",
    "diff_ref",
    "fails",
    "render",
    "rules_table",
    "sort_changes",
]


def sort_changes(changes: Sequence[Change], vendors: Sequence[str]) -> tuple[Change, ...]:
    """One order for every output: vendor, level (ERR first), spec before Python, operation, location, id."""
    order = {name: index for index, name in enumerate(vendors)}
    unique = dict.fromkeys(changes)  # a schema reached twice the same way reports once
    return tuple(
        sorted(
            unique,
            key=lambda c: (
                order.get(c.vendor, len(order)),
                -c.level.rank,
                c.is_python_api,
                c.operation,
                c.location,
                c.id,
                c.message,
            ),
        )
    )


def compare(old: dict[str, Any], new: dict[str, Any], *, vendor: str = "") -> tuple[Change, ...]:
    """The changes between two OpenAPI documents already loaded (plain dicts), sorted."""
    old_document = Document(check_openapi(old, "old"), "old")
    new_document = Document(check_openapi(new, "new"), "new")
    return sort_changes(diff_documents(old_document, new_document, vendor), [vendor])


def diff_files(old: Path, new: Path, *, vendor: str = "") -> Report:
    """`python -m generator diff OLD NEW`."""
    old_document = Document(load_openapi(old), str(old))
    new_document = Document(load_openapi(new), str(new))
    changes = diff_documents(old_document, new_document, vendor)
    return Report(str(old), str(new), (vendor,), sort_changes(changes, [vendor]))


def diff_ref(root: Path, ref: str, vendors: Sequence[Vendor] = VENDORS) -> Report:
    """`python -m generator diff --base REF`: generated/ at `ref` against the working tree under `root`."""
    commit, changes = diff_base(root, ref, vendors)
    keys = [vendor.key for vendor in vendors]
    label = ref if commit.startswith(ref) else f"{ref} ({commit[:12]})"
    return Report(label, "working tree", tuple(keys), sort_changes(changes, keys))


def fails(report: Report, threshold: Level) -> bool:
    """Whether any change is at `threshold` or above (`--fail-on`)."""
    return any(change.level.rank >= threshold.rank for change in report.changes)
