"""Error answers read from each spec's x-reelforge-errors: the same answers as the hand-written table they
replace, and each valid against the error schema the spec documents."""

from __future__ import annotations

from typing import Any

import pytest

from reelforge.sandbox.errors import Problem, error_answer, read_errors
from reelforge.specs import Spec
from tests.sandbox._drive import error_schema_errors
from tests.sandbox._specs import VENDORS, document, operations

PROBLEMS = (Problem(("body", "prompt"), "12345 is not of type 'string'", "type"), Problem((), "whole body", "value"))
SUMMARY = "body.prompt: 12345 is not of type 'string'; whole body"
HEDRA_DETAIL = [
    {"loc": ["body", "prompt"], "msg": "12345 is not of type 'string'", "type": "type"},
    {"loc": [], "msg": "whole body", "type": "value"},
]


def _oxen(kind: str, title: str) -> dict[str, Any]:
    return {"error": {"type": kind, "title": title}, "status": "error", "status_message": kind}


# What the hand-written table (errors.py before x-reelforge-errors) answered, value for value.
EXPECTED: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {
    ("hera", "invalid"): (400, {"error": SUMMARY}),
    ("hera", "not_found"): (404, {"error": "Video/job not found"}),
    ("hera", "unauthorized"): (401, {"error": "Unauthorized"}),
    ("hedra", "invalid"): (422, {"detail": HEDRA_DETAIL}),
    ("hedra", "not_found"): (404, {"type": "NOT_FOUND", "message": "Not Found"}),
    ("hedra", "rate_limited"): (429, {"type": "RESOURCE_EXHAUSTED", "message": "Too Many Requests"}),
    ("magichour", "invalid"): (400, {"message": SUMMARY}),
    ("magichour", "unauthorized"): (401, {"message": "Unauthorized"}),
    ("magichour", "server_error"): (500, {"message": "Internal Server Error"}),
    ("argil", "invalid"): (400, {"code": 400, "message": SUMMARY}),
    ("argil", "not_found"): (404, {"code": 404, "message": "Not Found"}),
    ("oxen", "invalid"): (400, _oxen("invalid_request", SUMMARY)),
    ("oxen", "not_found"): (404, _oxen("resource_not_found", "Not Found")),
    ("oxen", "server_error"): (500, _oxen("internal_error", "Internal Server Error")),
}


@pytest.mark.parametrize(("vendor", "kind"), sorted(EXPECTED))
def test_same_answers_as_the_table_they_replace(vendor: str, kind: Any) -> None:
    problems = PROBLEMS if kind == "invalid" else ()
    assert error_answer(vendor, kind, problems) == EXPECTED[(vendor, kind)]


def test_status_override_fills_the_status_and_its_phrase() -> None:
    assert error_answer("argil", "server_error", status=503) == (503, {"code": 503, "message": "Service Unavailable"})
    assert error_answer("hedra", "server_error", status=502) == (502, {"type": "INTERNAL", "message": "Bad Gateway"})


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("kind", ["invalid", "unauthorized", "not_found", "rate_limited", "server_error"])
def test_every_answer_fits_every_documented_error_schema(vendor: str, kind: Any) -> None:
    status, body = error_answer(vendor, kind, PROBLEMS if kind == "invalid" else ())
    checked = 0
    for path, method, operation in operations(vendor):
        if {str(status), f"{str(status)[0]}XX", "default"} & set(operation["responses"]):
            assert error_schema_errors(vendor, method, path, status, body) == [], operation["operationId"]
            checked += 1
    assert checked


def test_a_spec_without_the_extension_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"tiny: the effective spec has no x-reelforge-errors.*overlays/tiny"):
        read_errors(Spec({"openapi": "3.1.0"}), "tiny")
    assert "x-reelforge-errors" in document("hera")
