"""How each vendor says "no": the status and body shape of its error answers, one small table.

Every entry cites /work/shared/vendor-facts.md (the vendor's section) and is checked by the tests against the
error schema of the effective spec. The kinds: an invalid request, missing or empty credentials, an unknown job
id, and the answers fault injection sends (too many requests; a server error, whose status is 500, 502 or 503).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = ["VENDOR_ERRORS", "ErrorKind", "Problem", "VendorErrors", "error_answer"]

ErrorKind = Literal["invalid", "unauthorized", "not_found", "rate_limited", "server_error"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: where (e.g. ("body", "batch_size")), what, and its machine kind."""

    loc: tuple[str | int, ...]
    msg: str
    type: str


_MESSAGES: Final[Mapping[ErrorKind, str]] = {
    "invalid": "Invalid request",
    "unauthorized": "Unauthorized",
    "not_found": "Not Found",
    "rate_limited": "Too Many Requests",
    "server_error": "Internal Server Error",
}
# Oxen's machine-readable kinds (vendor-facts.md, Oxen.ai: "resource_not_found" is documented).
_OXEN_KINDS: Final[Mapping[ErrorKind, str]] = {
    "invalid": "invalid_request",
    "unauthorized": "unauthorized",
    "not_found": "resource_not_found",
    "rate_limited": "rate_limited",
    "server_error": "internal_error",
}
# Hedra's error codes (vendor-facts.md, Hedra: "Error codes in error.type").
_HEDRA_CODES: Final[Mapping[ErrorKind, str]] = {
    "invalid": "INVALID_ARGUMENT",
    "unauthorized": "UNAUTHORIZED",
    "not_found": "NOT_FOUND",
    "rate_limited": "RESOURCE_EXHAUSTED",
    "server_error": "INTERNAL",
}


def _summary(kind: ErrorKind, problems: Sequence[Problem]) -> str:
    if not problems:
        return _MESSAGES[kind]
    return "; ".join(f"{'.'.join(str(part) for part in p.loc)}: {p.msg}" if p.loc else p.msg for p in problems)


def _hera(status: int, kind: ErrorKind, problems: Sequence[Problem]) -> dict[str, Any]:
    return {"error": "Video/job not found" if kind == "not_found" else _summary(kind, problems)}


def _hedra(status: int, kind: ErrorKind, problems: Sequence[Problem]) -> dict[str, Any]:
    if kind == "invalid":
        return {"detail": [{"loc": list(p.loc), "msg": p.msg, "type": p.type} for p in problems]}
    # Other 4xx answers are documented as the HedraError object (the spec's "4XX" response).
    return {"type": _HEDRA_CODES[kind], "message": _summary(kind, problems)}


def _magichour(status: int, kind: ErrorKind, problems: Sequence[Problem]) -> dict[str, Any]:
    return {"message": _summary(kind, problems)}


def _argil(status: int, kind: ErrorKind, problems: Sequence[Problem]) -> dict[str, Any]:
    return {"code": status, "message": _summary(kind, problems)}


def _oxen(status: int, kind: ErrorKind, problems: Sequence[Problem]) -> dict[str, Any]:
    return {
        "error": {"type": _OXEN_KINDS[kind], "title": _summary(kind, problems)},
        "status": "error",
        "status_message": _OXEN_KINDS[kind],
    }


@dataclass(frozen=True, slots=True)
class VendorErrors:
    """A vendor's error answers: the status of an invalid request, and the body of any error."""

    invalid_status: int
    body: Callable[[int, ErrorKind, Sequence[Problem]], dict[str, Any]]
    source: str


VENDOR_ERRORS: Final[Mapping[str, VendorErrors]] = {
    # vendor-facts.md, Hera.Video: 404 {"error": "Video/job not found"}; a 400 answers {"error": "..."}.
    "hera": VendorErrors(400, _hera, "vendor-facts.md, Hera.Video"),
    # vendor-facts.md, Hedra (v2): validation errors answer 422 {"detail": [{loc, msg, type}]}; other errors
    # carry the HedraError object ({type: error code, message, ...}).
    "hedra": VendorErrors(422, _hedra, "vendor-facts.md, Hedra (v2)"),
    # vendor-facts.md, Magic Hour: {"message": "..."} for 400, 401 ("Unauthorized"), 404 ("Not Found"), 422.
    "magichour": VendorErrors(400, _magichour, "vendor-facts.md, Magic Hour"),
    # vendor-facts.md, Argil: errors answer {code, message} (documented for 400 and 404).
    "argil": VendorErrors(400, _argil, "vendor-facts.md, Argil"),
    # vendor-facts.md, Oxen.ai: {"error": {"type", "title"}, "status": "error", "status_message"}.
    "oxen": VendorErrors(400, _oxen, "vendor-facts.md, Oxen.ai"),
}

_STATUS: Final[Mapping[ErrorKind, int]] = {
    "unauthorized": 401,
    "not_found": 404,
    "rate_limited": 429,
    "server_error": 500,
}


def error_answer(
    vendor: str, kind: ErrorKind, problems: Sequence[Problem] = (), status: int | None = None
) -> tuple[int, dict[str, Any]]:
    """The (status, JSON body) the vendor answers for an error of this kind; `status` overrides the kind's
    usual status (a server_error answered as 502 or 503)."""
    entry = VENDOR_ERRORS[vendor]
    if status is None:
        status = entry.invalid_status if kind == "invalid" else _STATUS[kind]
    return status, entry.body(status, kind, problems)
