"""The corpus: one or more spec pairs per rule, each asserting the exact rule ids, levels, operations and
locations reported (tests/diff/cases/<case>/{old.yaml,new.yaml,expected.json}; `why` in each expected.json says
why that level is right for a client user)."""

from __future__ import annotations

import pytest

from generator.diff import RULES, diff_files
from generator.diff.documents import load_openapi
from tests.diff.conftest import CASES, case_names, expected


@pytest.mark.parametrize("name", case_names())
def test_case_reports_exactly_what_it_expects(name: str) -> None:
    report = diff_files(CASES / name / "old.yaml", CASES / name / "new.yaml")
    found = sorted((c.id, c.level.value, c.operation, c.location) for c in report.changes)
    assert found == expected(name)


@pytest.mark.parametrize("name", case_names())
def test_case_expectations_use_known_rules_at_their_levels(name: str) -> None:
    for rule, level, _, _ in expected(name):
        assert RULES[rule].level.value == level


@pytest.mark.parametrize("name", case_names())
@pytest.mark.parametrize("side", ["old.yaml", "new.yaml"])
def test_a_document_against_itself_reports_nothing(name: str, side: str) -> None:
    assert diff_files(CASES / name / side, CASES / name / side).changes == ()


@pytest.mark.parametrize("name", case_names())
def test_every_location_exists_in_the_document_it_points_into(name: str) -> None:
    """New for additions and changes, old for removals: resolve each pointer in one of the two."""
    old = load_openapi(CASES / name / "old.yaml")
    new = load_openapi(CASES / name / "new.yaml")

    def exists(document: object, pointer: str) -> bool:
        node = document
        for token in pointer.lstrip("/").split("/") if pointer else []:
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return False
        return True

    for rule, _, _, location in expected(name):
        removal = any(word in rule for word in ("removed", "unset", "became-not-enum"))
        assert exists(old if removal else new, location), (rule, location)


def test_the_corpus_covers_every_rule_family_the_issue_names() -> None:
    covered = {rule for name in case_names() for rule, _, _, _ in expected(name)}
    required = {
        "endpoint-added",
        "api-path-removed-without-deprecation",
        "api-removed-without-deprecation",
        "api-operation-id-removed",
        "new-required-request-parameter",
        "new-optional-request-parameter",
        "request-parameter-removed",
        "request-parameter-became-required",
        "request-parameter-type-changed",
        "request-parameter-enum-value-added",
        "request-parameter-enum-value-removed",
        "request-body-became-required",
        "new-required-request-property",
        "new-optional-request-property",
        "request-property-removed",
        "request-property-type-changed",
        "request-property-enum-value-removed",
        "request-property-became-required",
        "request-property-max-decreased",
        "request-property-max-increased",
        "request-property-min-increased",
        "request-property-max-length-decreased",
        "request-property-max-items-decreased",
        "request-property-pattern-added",
        "response-optional-property-added",
        "response-required-property-added",
        "response-required-property-removed",
        "response-optional-property-removed",
        "response-property-type-changed",
        "response-property-became-nullable",
        "response-property-enum-value-added",
        "response-success-status-added",
        "response-success-status-removed",
        "response-non-success-status-removed",
        "api-security-added",
        "api-security-removed",
        "api-security-scope-added",
        "api-security-component-type-changed",
        "api-server-url-changed",
        "request-body-media-type-added",
        "request-body-media-type-removed",
        "response-media-type-added",
        "response-media-type-removed",
        "endpoint-deprecated",
        "request-property-deprecated",
    }
    assert required - covered == set()
