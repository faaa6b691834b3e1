"""The three ways to print a diff: a pull-request comment (markdown), JSON, and GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable

from generator.diff.changes import RULES, Change, Level, Report

__all__ = ["FORMATS", "github", "json_list", "markdown", "render", "rules_table"]

FORMATS = ("markdown", "json", "github")

_HEADINGS = {
    Level.ERR: "Breaking changes (ERR)",
    Level.WARN: "May break (WARN)",
    Level.INFO: "Other changes (INFO)",
}
_COMMANDS = {Level.ERR: "error", Level.WARN: "warning", Level.INFO: "notice"}


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json_list(report)
    if fmt == "github":
        return github(report)
    return markdown(report)


def json_list(report: Report) -> str:
    return json.dumps([change.as_json() for change in report.changes], indent=2, ensure_ascii=False) + "\n"


def _vendor(change_or_name: Change | str) -> str:
    name = change_or_name if isinstance(change_or_name, str) else change_or_name.vendor
    return name or "spec"


def _counts(changes: Iterable[Change]) -> str:
    counted = list(changes)
    parts = []
    for level, word in ((Level.ERR, "breaking"), (Level.WARN, "may break"), (Level.INFO, "other")):
        number = sum(1 for c in counted if c.level is level)
        if number:
            parts.append(f"{number} {word}")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def _table(changes: list[Change], *, operations: bool) -> list[str]:
    if operations:
        lines = ["| vendor | operation | change | location |", "| --- | --- | --- | --- |"]
    else:
        lines = ["| vendor | change | location |", "| --- | --- | --- |"]
    for change in changes:
        what = f"{_code(change.id)} {_cell(change.message)}"
        if operations:
            lines.append(f"| {_vendor(change)} | {_code(change.operation)} | {what} | {_code(change.location)} |")
        else:
            lines.append(f"| {_vendor(change)} | {what} | {_code(change.location)} |")
    return lines


def _sections(changes: list[Change], heading: str, *, operations: bool) -> list[str]:
    lines: list[str] = []
    for level in (Level.ERR, Level.WARN, Level.INFO):
        chosen = [c for c in changes if c.level is level]
        if not chosen:
            continue
        lines.append("")
        if level is Level.INFO:  # folded: a reviewer opens it when they want the whole story
            lines += [f"<details><summary>{_HEADINGS[level]}: {len(chosen)}</summary>", ""]
            lines += _table(chosen, operations=operations)
            lines += ["", "</details>"]
        else:
            lines += [f"{heading} {_HEADINGS[level]}", ""]
            lines += _table(chosen, operations=operations)
    return lines


def markdown(report: Report) -> str:
    """A pull-request comment: one summary line per vendor, then breaking changes first."""
    lines = [f"## API changes: {_code(report.old_label)} → {_code(report.new_label)}", ""]
    for vendor in report.vendors:
        own = [c for c in report.changes if c.vendor == vendor]
        spec = _counts(c for c in own if not c.is_python_api)
        python = _counts(c for c in own if c.is_python_api)
        parts = [spec or "no spec changes"] + ([f"Python API: {python}"] if python else [])
        summary = "; ".join(parts) if own else "no changes"
        lines.append(f"- **{_vendor(vendor)}**: {summary}")
    spec_changes = [c for c in report.changes if not c.is_python_api]
    python_changes = [c for c in report.changes if c.is_python_api]
    lines += _sections(spec_changes, "###", operations=True)
    if python_changes:
        lines += ["", "### Python API of the generated packages"]
        lines += _sections(python_changes, "####", operations=False)
    lines += [
        "",
        (
            "<sub>ERR breaks existing clients, WARN may break them, INFO does not; rule ids follow oasdiff "
            "(docs/spec-diff.md). Locations are JSON pointers into the new spec (the old one for removals), or "
            "Python import paths.</sub>"
        ),
    ]
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per change."""
    lines = []
    for change in report.changes:
        title = " ".join(part for part in (_vendor(change), change.operation, change.id) if part)
        message = f"{change.message} (at {change.location})" if change.location else change.message
        lines.append(f"::{_COMMANDS[change.level]} title={_escape_property(title)}::{_escape_data(message)}")
    return "".join(f"{line}\n" for line in lines)


def rules_table() -> str:
    """Every rule id with its level and what it means, as a markdown table (`python -m generator diff --rules`)."""
    lines = ["| rule | level | what changed |", "| --- | --- | --- |"]
    for rule_id, rule in RULES.items():
        own = " (reelforge's own rule: oasdiff has no check for it)" if rule.own else ""
        lines.append(f"| `{rule_id}` | {rule.level.value} | {rule.summary}{own} |")
    return "\n".join(lines) + "\n"
