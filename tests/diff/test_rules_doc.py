"""docs/spec-diff.md says the same as the rule catalogue: every rule it names has the level it states, and every
rule outside the schema families is named there."""

from __future__ import annotations

import re

from generator.diff import RULES
from generator.diff.changes import LOWER_LIMITS, REQUEST_PREFIXES, RESPONSE_PREFIXES, UPPER_LIMITS
from tests.support import REPO

DOC = (REPO / "docs" / "spec-diff.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([a-z][a-z0-9-]+)` \| (ERR|WARN|INFO) \|", re.MULTILINE)
FAMILY = re.compile(r"^\| (`-[^|]+) \| ([^|]*) \| ([^|]*) \|$", re.MULTILINE)


def _families() -> set[str]:
    return {rule for rule in RULES if rule.startswith(tuple(f"{p}-" for p in (*REQUEST_PREFIXES, *RESPONSE_PREFIXES)))}


def test_every_rule_row_has_the_catalogue_level() -> None:
    rows = ROW.findall(DOC)
    assert len(rows) > 80
    assert [(rule, level) for rule, level in rows if RULES[rule].level.value != level] == []


def test_every_rule_outside_the_schema_families_is_in_the_doc() -> None:
    named = {rule for rule, _ in ROW.findall(DOC)}
    plain = (
        set(RULES) - _families() - {r for r in RULES if r.startswith(("new-", "request-parameter-", "request-body-"))}
    )
    assert plain - named == set()


def test_the_family_table_matches_the_catalogue() -> None:
    """Each `-suffix` row states request / response levels (`A / B` for two suffixes); check every member."""
    checked = 0
    for cells, request, response in FAMILY.findall(DOC):
        suffixes = re.findall(r"`(-[a-z<>-]+)`", cells)
        for side, prefixes, levels in (
            ("request", REQUEST_PREFIXES, request),
            ("response", RESPONSE_PREFIXES, response),
        ):
            stated = [level.strip() for level in levels.split("/")] if levels.strip() else []
            for index, suffix in enumerate(suffixes):
                names = [suffix]
                if "<limit>" in suffix:
                    names = [suffix.replace("<limit>", n) for n in (*UPPER_LIMITS.values(), *LOWER_LIMITS.values())]
                level = stated[index] if len(stated) == len(suffixes) else (stated[0] if stated else None)
                for prefix in prefixes:
                    for name in names:
                        rule = f"{prefix}{name}"
                        if level is None:
                            assert rule not in RULES, (side, rule)
                        else:
                            assert RULES[rule].level.value == level, (side, rule)
                            checked += 1
    assert checked > 200
