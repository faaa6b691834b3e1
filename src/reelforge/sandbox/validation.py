"""Request validation: openapi-core over a vendor's effective spec, its findings as the vendor's problems.

A request is validated at the vendor's production URL (the sandbox's prefix taken off its path), so the spec's
server and paths apply as written. Two things keep validation off the critical path: a bodiless request that
validated once is remembered (a poller sends the same status call again and again, and validation is most of
its cost), and a large body (an upload) is validated in a worker thread rather than on the event loop.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequestBodyError,
    ParameterValidationError,
    SecurityValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from reelforge.registry import vendor_spec
from reelforge.sandbox.errors import ErrorKind, Problem

__all__ = ["VALIDATE_IN_THREAD_BYTES", "VALID_REQUESTS_KEPT", "Rejection", "RequestValidator", "openapi_for"]

# Bodies larger than this are validated in a worker thread: openapi-core parses a multipart upload at about
# 1.8 s per 30 MB, and on the event loop every other client would wait that long.
VALIDATE_IN_THREAD_BYTES: Final = 1 << 20

# How many valid bodiless requests each vendor remembers.
VALID_REQUESTS_KEPT: Final = 4096


def _for_validator(node: Any, openapi_31: bool) -> Any:
    """openapi-core reads OpenAPI 3.1 binary parts by `contentMediaType`, not 3.0's `format: binary` (which
    the generator keeps); the validator's copy of the spec says it the 3.1 way."""
    if not openapi_31:
        return node
    if isinstance(node, list):
        return [_for_validator(item, openapi_31) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _for_validator(value, openapi_31) for key, value in node.items()}
    if out.get("format") == "binary" and out.get("type") == "string":
        del out["format"]
        out["contentMediaType"] = "application/octet-stream"
    return out


@cache
def openapi_for(vendor: str) -> OpenAPI:
    """openapi-core over the vendor's effective spec, built once per process (it is never changed afterwards)."""
    spec = vendor_spec(vendor)
    # The pipeline validated this document (openapi-spec-validator) before generating the package that ships it;
    # checking it again here was half of the sandbox's start-up. None is openapi-core's documented way to skip
    # it ("If you know you have a valid specification already"); its annotation leaves None out.
    no_check = Config(spec_validator_cls=None)  # type: ignore[arg-type]
    document = _for_validator(copy.deepcopy(dict(spec.document)), not spec.openapi_30)
    return OpenAPI.from_dict(document, config=no_check)


class _ValidationRequest:
    """A Starlette request as openapi-core's Request protocol wants it, at the vendor's production URL."""

    def __init__(self, request: Request, body: bytes, origin: str, path: str) -> None:
        self.parameters = RequestParameters(query=request.query_params, header=request.headers, cookie=request.cookies)
        self.host_url = origin
        self.path = path
        self.method = request.method.lower()
        self.body = body or None
        self.content_type = request.headers.get("content-type", "application/octet-stream")


def _schema_errors(cause: BaseException | None) -> list[SchemaError]:
    if isinstance(cause, InvalidSchemaValue):
        return [e for e in cause.schema_errors if isinstance(e, SchemaError)]
    return []


def _problems(error: Exception) -> list[Problem]:
    """What openapi-core found wrong, as (loc, msg, type) items."""
    if isinstance(error, InvalidRequestBody):
        found = _schema_errors(error.__cause__)
        return [Problem(("body", *e.absolute_path), e.message, str(e.validator)) for e in found] or [
            Problem(("body",), str(error.__cause__ or error), "value_error")
        ]
    if isinstance(error, MissingRequestBodyError):
        return [Problem(("body",), "Field required", "missing")]
    if isinstance(error, ParameterValidationError):
        found = _schema_errors(error.__cause__)
        return [Problem((error.location, error.name), e.message, str(e.validator)) for e in found] or [
            Problem((error.location, error.name), str(error.__cause__ or error), "value_error")
        ]
    return [Problem((), str(error), "value_error")]


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a request is refused: the error kind the vendor answers, and what is wrong (for an invalid one)."""

    kind: ErrorKind
    problems: tuple[Problem, ...] = ()


class RequestValidator:
    """One vendor's request validation (only the server's event loop calls `check`)."""

    def __init__(self, vendor: str, origin: str) -> None:
        self.openapi = openapi_for(vendor)
        self.origin = origin
        # Bodiless requests that validated, most recent last.
        self._valid: OrderedDict[tuple[Any, ...], None] = OrderedDict()

    def _remember(self, key: tuple[Any, ...]) -> None:
        self._valid[key] = None
        if len(self._valid) > VALID_REQUESTS_KEPT:
            self._valid.popitem(last=False)

    async def check(self, request: Request, raw: bytes, path: str) -> Rejection | None:
        """None when the request (its body `raw`, at `path` under the production base URL) is valid; else why not."""
        # A request without a body is valid or not by its method, path, query and headers alone.
        seen = (request.method, path, request.url.query, tuple(request.headers.items())) if not raw else None
        if seen is not None and seen in self._valid:
            return None
        checked = _ValidationRequest(request, raw, self.origin, path)
        try:
            if len(raw) > VALIDATE_IN_THREAD_BYTES:  # an upload: seconds of parsing, off the event loop
                await run_in_threadpool(self.openapi.validate_request, checked)
            else:
                self.openapi.validate_request(checked)
        except SecurityValidationError:
            return Rejection("unauthorized")
        except OpenAPIError as exc:  # body, parameter and media-type errors alike
            return Rejection("invalid", tuple(_problems(exc)))
        if seen is not None:
            self._remember(seen)
        return None
