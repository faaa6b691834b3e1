"""Credentials: whether a request carries the key its operation's security scheme asks for, and where keys must
not go.

The sandbox checks that a key is there and not empty, never what it is. The header a scheme's key travels in is
read one way for both jobs: an `apiKey` scheme in a header names it, an HTTP `bearer` scheme uses
Authorization ("Bearer <key>"); schemes the sandbox does not check (a query key, a cookie, OAuth) have none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reelforge.sandbox.state import SandboxState
from reelforge.specs import Operation, Spec

__all__ = ["credential_header", "credential_headers", "credential_ok", "guard_storage"]

Handler = Callable[[Request], Awaitable[Response]]


def credential_header(scheme: Mapping[str, Any]) -> str | None:
    """The header a security scheme's key travels in (lower-cased), or None for a scheme the sandbox does not
    check."""
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return str(scheme["name"]).lower()
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return "authorization"
    return None


def _schemes(spec: Spec) -> Mapping[str, Any]:
    return (spec.document.get("components") or {}).get("securitySchemes") or {}


def _has_credential(scheme: Mapping[str, Any], request: Request) -> bool:
    header = credential_header(scheme)
    value = request.headers.get(header, "") if header is not None else ""
    if header == "authorization":  # a bearer scheme: "Bearer <key>"
        kind, _, value = value.partition(" ")
        if kind.lower() != "bearer":
            return False
    return bool(value.strip())


def credential_ok(operation: Operation, request: Request) -> bool:
    """True when the request carries a non-empty credential for one of the operation's security requirements
    (its own, else the document's; none means no key is needed)."""
    requirements = operation.security
    if not requirements:
        return True
    schemes = _schemes(operation.spec)
    return any(all(_has_credential(schemes.get(name, {}), request) for name in need) for need in requirements)


def credential_headers(specs: Iterable[Spec]) -> frozenset[str]:
    """Every header a vendor's key travels in, from the specs' security schemes (lower-cased)."""
    headers = (credential_header(scheme) for spec in specs for scheme in _schemes(spec).values())
    return frozenset(header for header in headers if header is not None)


def guard_storage(handler: Handler, state: SandboxState, headers: frozenset[str]) -> Handler:
    """A storage path (result files, uploads), watched for keys. It needs no vendor key, and a key sent to it would
    go to a host that is not the vendor's API (result URLs live on storage hosts, and a vendor key must never
    leave for one): the log says so as `credential_sent_to_storage`, naming the headers, never their values, so a
    client's tests can assert its keys stay home."""

    async def guarded(request: Request) -> Response:
        sent = sorted(name for name in headers if request.headers.get(name, "").strip())
        if sent:
            state.record("credential_sent_to_storage", method=request.method, path=request.url.path, headers=sent)
        return await handler(request)

    return guarded
