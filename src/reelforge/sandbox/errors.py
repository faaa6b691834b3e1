"""How each vendor says "no", read from the `x-reelforge-errors` of its effective spec (docs/x-reelforge-errors.md).

Nothing here names a vendor: the status of an invalid request, the body templates, the vendor's error codes and
its fixed messages all come from the spec, where the pipeline has checked every template against the error
schema each operation documents. The kinds: an invalid request, missing or empty credentials, an unknown id,
and the answers fault injection sends (too many requests; a server error, whose status is 500, 502 or 503).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any, Final, Literal

from reelforge.vendors import effective_spec

__all__ = ["ErrorKind", "Problem", "VendorErrors", "error_answer", "vendor_errors"]

ErrorKind = Literal["invalid", "unauthorized", "not_found", "rate_limited", "server_error"]

EXTENSION: Final = "x-reelforge-errors"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: where (e.g. ("body", "batch_size")), what, and its machine kind."""

    loc: tuple[str | int, ...]
    msg: str
    type: str


# The message of an answer that lists no problem, unless the vendor's spec fixes one (`messages`): the HTTP
# reason phrase, which is what the vendors' own examples say ("Unauthorized", "Not Found").
_MESSAGES: Final[Mapping[ErrorKind, str]] = {
    "invalid": "Invalid request",
    "unauthorized": "Unauthorized",
    "not_found": "Not Found",
    "rate_limited": "Too Many Requests",
    "server_error": "Internal Server Error",
}
# The status of each kind but `invalid`, whose status is the vendor's `validation_status`.
_STATUS: Final[Mapping[ErrorKind, int]] = {
    "unauthorized": 401,
    "not_found": 404,
    "rate_limited": 429,
    "server_error": 500,
}


@dataclass(frozen=True, slots=True)
class VendorErrors:
    """A vendor's x-reelforge-errors: the status of an invalid request, and the templates of its error bodies."""

    validation_status: int
    message: str  # JSONPath to the readable message of an error body
    body: Mapping[str, Any]
    validation_body: Mapping[str, Any] | None
    codes: Mapping[str, str]
    messages: Mapping[str, str]

    @classmethod
    def from_spec(cls, document: Mapping[str, Any], vendor: str) -> VendorErrors:
        """Raises ValueError when the spec has no x-reelforge-errors (the pipeline has checked its shape)."""
        errors = document.get(EXTENSION)
        if errors is None:
            raise ValueError(
                f"{vendor}: the effective spec has no {EXTENSION}; add one in overlays/{vendor}/50-errors.yaml "
                "and regenerate (docs/x-reelforge-errors.md)"
            )
        return cls(
            validation_status=int(errors["validation_status"]),
            message=str(errors["message"]),
            body=errors["body"],
            validation_body=errors.get("validation_body"),
            codes=errors.get("codes", {}),
            messages=errors.get("messages", {}),
        )


@cache
def vendor_errors(vendor: str) -> VendorErrors:
    """The error facts of a vendor, read once per process from the spec its generated package ships."""
    return VendorErrors.from_spec(effective_spec(vendor), vendor)


def _fill(template: Any, message: str, code: str, status: int, problems: list[dict[str, Any]]) -> Any:
    """The template with its placeholders filled (docs/x-reelforge-errors.md; fill_error_template in
    generator/extensions.py, which the pipeline checks the templates with, does the same)."""
    if isinstance(template, Mapping):
        return {key: _fill(value, message, code, status, problems) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, message, code, status, problems) for value in template]
    if template == "{status}":
        return status
    if template == "{problems}":
        return problems
    if isinstance(template, str):
        return template.replace("{message}", message).replace("{code}", code).replace("{status}", str(status))
    return template


def _summary(kind: ErrorKind, problems: Sequence[Problem], status: int) -> str:
    if not problems:
        # A server error says which one (502 "Bad Gateway", 503 "Service Unavailable"), as gateways do.
        return HTTPStatus(status).phrase if kind == "server_error" else _MESSAGES[kind]
    return "; ".join(f"{'.'.join(str(part) for part in p.loc)}: {p.msg}" if p.loc else p.msg for p in problems)


def error_answer(
    vendor: str, kind: ErrorKind, problems: Sequence[Problem] = (), status: int | None = None
) -> tuple[int, dict[str, Any]]:
    """The (status, JSON body) the vendor answers for an error of this kind; `status` overrides the kind's
    usual status (a server_error answered as 502 or 503)."""
    facts = vendor_errors(vendor)
    if status is None:
        status = facts.validation_status if kind == "invalid" else _STATUS[kind]
    template = facts.validation_body if kind == "invalid" and facts.validation_body is not None else facts.body
    message = facts.messages.get(kind) or _summary(kind, problems, status)
    listed = [{"loc": list(p.loc), "msg": p.msg, "type": p.type} for p in problems]
    body = _fill(template, message, facts.codes.get(kind, ""), status, listed)
    if not isinstance(body, dict):
        raise TypeError(f"{vendor}: {EXTENSION} body templates are objects, not {body!r}")
    return status, body
