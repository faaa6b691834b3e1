"""How each vendor says "no", read from the `x-reelforge-errors` of its effective spec (docs/x-reelforge-errors.md).

Nothing here names a vendor: the status of an invalid request, the body templates, the vendor's error codes and
its fixed messages all come from the spec (reelforge.specs.ErrorsExtension), where the pipeline has checked
every template against the error schema each operation documents. The kinds: an invalid request, missing or
empty credentials, an unknown id, and the answers fault injection sends (too many requests; a server error,
whose status is 500, 502 or 503). What this module adds to the extension is the message of an answer that
lists no problem, and the problems of an invalid request written as one message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any, Final

from reelforge.registry import vendor_spec
from reelforge.specs import ERRORS_EXTENSION, ErrorKind, ErrorsExtension, Spec, SpecError

__all__ = ["ErrorKind", "Problem", "error_answer", "read_errors", "vendor_errors"]


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


def read_errors(spec: Spec, vendor: str) -> ErrorsExtension:
    """The vendor's x-reelforge-errors; SpecError saying where to add it when the spec has none."""
    if ERRORS_EXTENSION not in spec.document:
        raise SpecError(
            f"{vendor}: the effective spec has no {ERRORS_EXTENSION}; add one in overlays/{vendor}/50-errors.yaml "
            "and regenerate (docs/x-reelforge-errors.md)",
            "/" + ERRORS_EXTENSION,
        )
    return ErrorsExtension.of(spec)


@cache
def vendor_errors(vendor: str) -> ErrorsExtension:
    """The error facts of a vendor, read once per process from the spec its generated package ships."""
    return read_errors(vendor_spec(vendor), vendor)


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
        status = facts.status_of(kind)
    message = facts.messages.get(kind) or _summary(kind, problems, status)
    listed = [{"loc": list(p.loc), "msg": p.msg, "type": p.type} for p in problems]
    body = facts.fill(kind, message=message, status=status, problems=listed)
    if not isinstance(body, dict):
        raise TypeError(f"{vendor}: {ERRORS_EXTENSION} body templates are objects, not {body!r}")
    return status, body
