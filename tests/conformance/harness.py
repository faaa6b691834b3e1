"""The conformance checks behind the emitted tests/conformance/test_<vendor>.py modules.

The generator emits, per vendor, an inventory of every operation as the engine generated it (module, body
model, parameters, security, documented responses); this module checks each one against the effective spec:

- request: inputs from the spec's examples first, then generated from its schemas (hypothesis-jsonschema),
  go through the generated function over httpx.MockTransport; the captured request is validated by an
  independent validator (openapi-core): method, path and path parameters, query, content type, security,
  body. What the caller set must arrive unchanged, and nothing else (no placeholder defaults); the only
  credential sent is the one of the operation's own scheme;
- response: bodies from the examples, then generated, for every documented status and media type: a 2xx
  parses into the documented model and `to_dict()` gives back exactly what was served (nothing lost, unknown
  fields kept); any other status raises ApiError carrying the body parsed into the documented model;
- forward compatibility: a 2xx body with a field and an enum value the spec does not know parses and keeps both;
- security: without credentials an operation that needs them fails before anything is sent.

The vendor is outside this machine, so its answers come from MockTransport; everything on our side is real.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import importlib
import json
import os
import string
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import attrs
import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from reelforge import specs
from tests.support import REPO

API_KEY = "conformance-key-0123"
UNKNOWN_ENUM_VALUE = "reelforge-unknown-value"
UNKNOWN_FIELD = "x_reelforge_unknown_field"

# Examples per check: REELFORGE_CONFORMANCE_EXAMPLES scales them (nox -s conformance_thorough sets 20).
SCALE = max(1, int(os.environ.get("REELFORGE_CONFORMANCE_EXAMPLES", "1")))
REQUEST_EXAMPLES = 6 * SCALE
RESPONSE_EXAMPLES = 3 * SCALE

# What the run did, for the summary at the end (tests/conformance/conftest.py prints it).
CASES: Counter[str] = Counter()
PASSED: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
OPERATIONS_IN_SPEC: dict[str, int] = {}
SUITES: dict[str, VendorSuite] = {}

# A lone `format: date-time` is renamed so that our own strategy (one that round-trips through datetime) is
# used instead of overriding hypothesis-jsonschema's, which warns.
_DATE_TIME = "reelforge-date-time"
# `uuid` is not a draft-07 format, so hypothesis-jsonschema would draw any string for it.
_FORMATS = {
    _DATE_TIME: st.datetimes(min_value=datetime(1971, 1, 1), timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    "uuid": st.uuids().map(str),
}
_NOT_JSON_SCHEMA = {
    "example",
    "examples",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
    "readOnly",
    "writeOnly",
}


# -- what the generator emits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str  # as in the spec
    python_name: str  # the generated function's argument
    location: str  # path, query or header
    python_type: str  # the argument's type as the engine wrote it: str, int, float, bool, UUID, or a model enum
    required: bool


@dataclass(frozen=True)
class Body:
    model: str  # class in <package>.models
    content_type: str
    required: bool


@dataclass(frozen=True)
class ResponseCase:
    status: str  # "200", "4XX", "default"
    content_type: str | None  # None: no body
    model: str | None  # class in <package>.models when the body is one model

    @property
    def code(self) -> int:
        if self.status == "default":
            return 500
        return int(self.status.upper().replace("XX", "00"))

    @property
    def success(self) -> bool:
        return 200 <= self.code < 300


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    module: str
    params: tuple[Param, ...]
    body: Body | None
    security: tuple[str, ...]
    responses: tuple[ResponseCase, ...]


# -- the spec, as the independent validator and the generators see it ---------------------------------------


class _Captured(Exception):
    """Raised by the transport once it has the request: request checks need no answer."""


class _HttpxRequest:
    """An httpx.Request as openapi-core's Request protocol wants it."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return str(self._request.headers.get("content-type", ""))


def _binary_as_31(node: Any) -> Any:
    """An OpenAPI 3.1 document as openapi-core reads binary parts: it takes `contentMediaType` (3.1's way to say
    "bytes") and checks `type: string` against the bytes otherwise, while openapi-python-client only knows 3.0's
    `format: binary`. The effective spec keeps the engine's spelling; only the validator's copy changes."""
    if isinstance(node, list):
        return [_binary_as_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _binary_as_31(value) for key, value in node.items()}
    if out.get("format") == "binary" and out.get("type") == "string":
        del out["format"]
        out["contentMediaType"] = "application/octet-stream"
    return out


class Spec:
    """One vendor's effective spec as the checks see it: the project's reader over it (reelforge.specs: references,
    operations, parameters), openapi-core over the validator's copy, and its schemas as plain JSON Schema for
    hypothesis-jsonschema."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        label = f"generated/{vendor}/openapi.json"
        self.reader = specs.Spec(json.loads((REPO / label).read_text(encoding="utf-8")), label)
        document = self.reader.document
        self.validator = OpenAPI.from_dict(document if self.reader.openapi_30 else _binary_as_31(document))
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        self.scheme_headers = {
            name: (s["name"] if s.get("type") == "apiKey" else "Authorization") for name, s in schemes.items()
        }
        self.scheme_prefix = {name: ("" if s.get("type") == "apiKey" else "Bearer ") for name, s in schemes.items()}

    @functools.cached_property
    def _operations(self) -> dict[str, specs.Operation]:
        return {operation.operation_id: operation for operation in self.reader.operations()}

    def operations(self) -> dict[str, specs.Operation]:
        """operationId -> the reader's operation, for every operation in the spec."""
        return self._operations

    def deref(self, node: Any) -> Any:
        """A schema with its references followed (the reader's `resolve_schema`)."""
        return self.reader.resolve_schema(node)

    def json_schema(self, schema: Any, depth: int = 0) -> Any:
        """An OpenAPI schema as plain JSON Schema: references inlined, `nullable` spelled as a null type."""
        if depth > 40:
            return {}
        schema = self.deref(schema)
        if isinstance(schema, list):
            return [self.json_schema(item, depth + 1) for item in schema]
        if not isinstance(schema, dict):
            return schema
        out = {
            key: self.json_schema(value, depth + 1) if key not in ("enum", "required", "const") else value
            for key, value in schema.items()
            if key not in _NOT_JSON_SCHEMA and not key.startswith("x-")
        }
        if isinstance(out.get("properties"), dict):
            # property names are data, not keywords: undo the keyword filter on them
            out["properties"] = {name: self.json_schema(prop, depth + 1) for name, prop in schema["properties"].items()}
        if out.get("format") == "date-time":
            out["format"] = _DATE_TIME
        if out.pop("nullable", False):
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    def media(self, operation_id: str, status: str | None, content_type: str) -> dict[str, Any]:
        """The media type object of the request body (status None) or of the response documented as `status`."""
        operation = self.operations()[operation_id]
        holder = operation.request_body if status is None else operation.response(status)
        assert holder is not None, f"{operation_id}: the spec documents no {status or 'request body'}"
        return dict(holder["content"][content_type])

    def examples(self, media: dict[str, Any]) -> list[Any]:
        found = []
        if "example" in media:
            found.append(media["example"])
        for raw in (media.get("examples") or {}).values():
            example = self.reader.resolve(raw)
            if "value" in example:
                found.append(example["value"])
        schema = self.deref(media.get("schema") or {})
        if not found and isinstance(schema, dict) and "example" in schema:
            found.append(schema["example"])
        return found


@functools.cache
def spec(vendor: str) -> Spec:
    return Spec(vendor)


def _strategy(schema: Any) -> st.SearchStrategy[Any]:
    return from_schema(schema, custom_formats=_FORMATS)


def _multipart_strategy(vendor_spec: Spec, schema: Any) -> st.SearchStrategy[dict[str, Any]]:
    schema = vendor_spec.deref(schema)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = vendor_spec.deref(prop)
        value = (
            st.binary(min_size=1, max_size=64)
            if prop.get("format") == "binary"
            else _strategy(vendor_spec.json_schema(prop))
        )
        (fields if name in (schema.get("required") or []) else optional)[name] = value
    return st.fixed_dictionaries(fields, optional=optional)


def _first(strategy: st.SearchStrategy[Any]) -> Any:
    """One deterministic value, for checks that need a single valid input (no search, no shrinking)."""
    found: list[Any] = []

    @settings(
        max_examples=1,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(value: Any) -> None:
        found.append(value)

    draw()
    return found[0]


def _run(strategy: st.SearchStrategy[Any], examples: list[Any], check: Callable[[Any], None], limit: int) -> None:
    """Run `check` on every example, then on `limit` generated values."""
    for example in examples:
        check(example)

    # No shrinking: on schemas this size it can take minutes, and the failing value is printed as drawn.
    @settings(
        max_examples=limit,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def generated(value: Any) -> None:
        check(value)

    generated()


# -- calling the generated client ------------------------------------------------------------------------------


def _package(operation: Operation) -> str:
    return operation.module.split(".", 1)[0]


def _model(operation: Operation, name: str) -> Any:
    return getattr(importlib.import_module(f"{_package(operation)}.models"), name)


def _python_value(operation: Operation, param: Param, value: Any) -> Any:
    kind = param.python_type
    if kind == "UUID":
        return uuid.UUID(str(value))
    if kind.startswith("list[") and isinstance(value, list):
        inner = Param(param.name, param.python_name, param.location, kind[5:-1], True)
        return [_python_value(operation, inner, item) for item in value]
    if kind in ("str", "int", "float", "bool", "Any"):
        return value
    return _model(operation, kind)(value)  # an enum the engine generated for the parameter


def _param_strategy(vendor_spec: Spec, operation: Operation) -> st.SearchStrategy[dict[str, Any]]:
    declared = vendor_spec.operations()[operation.operation_id].parameters
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for param in operation.params:
        definition = declared[(param.name, param.location)]
        schema = vendor_spec.json_schema(definition.get("schema", {}))
        if schema.get("type") == "string" and not definition.get("allowEmptyValue"):
            # OpenAPI: a parameter value may be empty only with allowEmptyValue, whatever its schema says.
            schema = {**schema, "minLength": max(1, schema.get("minLength", 0))}
        if (
            param.location == "path"
            and schema.get("type") == "string"
            and "format" not in schema
            and "enum" not in schema
        ):
            # A path segment: non-empty and URL-safe (quoting is covered by the template's own tests).
            value = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=24)
        else:
            value = _strategy(schema)
        (required if param.required else optional)[param.python_name] = value
    return st.fixed_dictionaries(required, optional=optional)


def _client(operation: Operation, handler: Callable[[httpx.Request], httpx.Response], api_key: str | None) -> Any:
    package = importlib.import_module(_package(operation))
    return package.Client(api_key=api_key, httpx_args={"transport": httpx.MockTransport(handler)})


def _call(operation: Operation, mode: str, client: Any, kwargs: dict[str, Any]) -> Any:
    module: ModuleType = importlib.import_module(operation.module)
    if mode == "sync":
        return module.sync(client=client, **kwargs)

    async def run() -> Any:
        async with client:
            return await module.asyncio(client=client, **kwargs)

    return asyncio.run(run())


def _dump(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return value


def _body(operation: Operation, raw: Any) -> Any:
    assert operation.body is not None
    model = _model(operation, operation.body.model)
    return model.from_dict(raw) if isinstance(raw, dict) else raw  # JSON objects and multipart fields alike


# -- the checks --------------------------------------------------------------------------------------------------


@dataclass
class VendorSuite:
    vendor: str
    operations: tuple[Operation, ...]
    _by_id: dict[str, Operation] = field(init=False)
    _inputs: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {op.operation_id: op for op in self.operations}
        OPERATIONS_IN_SPEC[self.vendor] = len(spec(self.vendor).operations())
        SUITES[self.vendor] = self

    def expected_checks(self, operation: Operation) -> set[str]:
        """Every check this suite runs for an operation: all must pass for it to count as covered."""
        checks = {f"request-{mode}" for mode in ("sync", "async")}
        checks |= {f"response-{case.status}-{mode}" for case in operation.responses for mode in ("sync", "async")}
        if operation.security:
            checks |= {f"no-credentials-{mode}" for mode in ("sync", "async")}
        if any(op is operation for op, _ in object_success_cases(self)):
            checks.add("forward-compatible")
        return checks

    def covered(self) -> int:
        """Operations of the spec whose every check passed in this run."""
        passed = PASSED[self.vendor]
        return sum(
            all((op.operation_id, check) in passed for check in self.expected_checks(op)) for op in self.operations
        )

    def _passed(self, operation: Operation, check: str) -> None:
        PASSED[self.vendor].add((operation.operation_id, check))

    def check_coverage(self) -> None:
        in_spec = set(spec(self.vendor).operations())
        emitted = set(self._by_id)
        assert emitted == in_spec, (
            f"operations in generated/{self.vendor}/openapi.json without generated code: {sorted(in_spec - emitted)}; "
            f"emitted but not in the spec: {sorted(emitted - in_spec)}"
        )

    # requests

    def _request_inputs(self, operation: Operation) -> tuple[st.SearchStrategy[Any], list[Any]]:
        vendor_spec = spec(self.vendor)
        params = _param_strategy(vendor_spec, operation)
        if operation.body is None:
            return st.fixed_dictionaries({"params": params}), []
        media = vendor_spec.media(operation.operation_id, None, operation.body.content_type)
        if operation.body.content_type == "multipart/form-data":
            body: st.SearchStrategy[Any] = _multipart_strategy(vendor_spec, media.get("schema"))
            examples: list[Any] = []
        else:
            body = _strategy(vendor_spec.json_schema(media.get("schema", {})))
            examples = vendor_spec.examples(media)
        inputs = st.fixed_dictionaries({"params": params, "body": body})
        if not examples:
            return inputs, []
        parameters = _first(params)
        return inputs, [{"params": parameters, "body": example} for example in examples]

    def _one_input(self, operation: Operation) -> dict[str, Any]:
        """The request a response or credential check sends: the spec's example, else one generated value."""
        key = operation.operation_id
        if key not in self._inputs:
            inputs, examples = self._request_inputs(operation)
            self._inputs[key] = examples[0] if examples else _first(inputs)
        chosen = copy.deepcopy(self._inputs[key])
        kwargs = {
            p.python_name: _python_value(operation, p, chosen["params"][p.python_name])
            for p in operation.params
            if p.python_name in chosen["params"]
        }
        if operation.body is not None:
            kwargs["body"] = _body(operation, copy.deepcopy(chosen["body"]))
        return kwargs

    def check_request(self, operation: Operation, mode: str) -> None:
        vendor_spec = spec(self.vendor)
        strategy, examples = self._request_inputs(operation)

        def check(inputs: dict[str, Any]) -> None:
            CASES[self.vendor] += 1
            captured: list[httpx.Request] = []

            def handler(request: httpx.Request) -> httpx.Response:
                captured.append(request)
                raise _Captured

            kwargs = {
                p.python_name: _python_value(operation, p, inputs["params"][p.python_name])
                for p in operation.params
                if p.python_name in inputs["params"]
            }
            if operation.body is not None:
                kwargs["body"] = _body(operation, copy.deepcopy(inputs["body"]))
            with contextlib.suppress(_Captured):
                _call(operation, mode, _client(operation, handler, API_KEY), kwargs)
            assert len(captured) == 1, f"{operation.operation_id}: expected exactly one request, sent {len(captured)}"
            request = captured[0]
            assert request.method == operation.method.upper()
            vendor_spec.validator.validate_request(_HttpxRequest(request))
            self._check_credentials(operation, request)
            if operation.body is not None:
                self._check_body(operation, request, inputs["body"])
            elif operation.method.upper() in ("GET", "DELETE"):
                assert request.content == b"", f"{operation.operation_id} sent a body the spec does not define"

        _run(strategy, examples, check, REQUEST_EXAMPLES)
        self._passed(operation, f"request-{mode}")

    def _check_credentials(self, operation: Operation, request: httpx.Request) -> None:
        vendor_spec = spec(self.vendor)
        credential_headers = {h.lower() for h in vendor_spec.scheme_headers.values()} | {"authorization"}
        sent = {name.lower() for name in request.headers if name.lower() in credential_headers}
        if not operation.security:
            assert sent == set(), f"{operation.operation_id} needs no credentials but sent {sorted(sent)}"
            return
        scheme = operation.security[0]
        header = vendor_spec.scheme_headers[scheme]
        assert sent == {header.lower()}, f"{operation.operation_id}: expected only {header}, sent {sorted(sent)}"
        assert request.headers[header] == vendor_spec.scheme_prefix[scheme] + API_KEY

    def _check_body(self, operation: Operation, request: httpx.Request, raw: Any) -> None:
        assert operation.body is not None
        content_type = request.headers.get("content-type", "")
        if operation.body.content_type == "multipart/form-data":
            assert content_type.startswith("multipart/form-data; boundary=")
            for name, value in raw.items():
                assert f'name="{name}"'.encode() in request.content, f"multipart field {name} missing"
                if isinstance(value, bytes):
                    assert value in request.content
            return
        assert content_type == operation.body.content_type
        sent = json.loads(request.content)
        assert sent == raw, f"{operation.operation_id}: sent body differs from what the caller set:\n{sent}\n!=\n{raw}"

    # responses

    def _response_bodies(self, operation: Operation, case: ResponseCase) -> tuple[st.SearchStrategy[Any], list[Any]]:
        if case.content_type is None:
            return st.none(), []
        vendor_spec = spec(self.vendor)
        media = vendor_spec.media(operation.operation_id, case.status, case.content_type)
        return _strategy(vendor_spec.json_schema(media.get("schema", {}))), vendor_spec.examples(media)

    def _serve(self, operation: Operation, case: ResponseCase, mode: str, body: Any) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            if case.content_type is None:
                return httpx.Response(case.code)
            # Serialized here: httpx's json= sends nothing at all for None, and `null` is a JSON body too.
            content = json.dumps(body).encode()
            return httpx.Response(case.code, content=content, headers={"Content-Type": case.content_type})

        return _call(operation, mode, _client(operation, handler, API_KEY), self._one_input(operation))

    def check_response(self, operation: Operation, case: ResponseCase, mode: str) -> None:
        errors = importlib.import_module(f"{_package(operation)}.errors")
        strategy, examples = self._response_bodies(operation, case)

        def check(body: Any) -> None:
            CASES[self.vendor] += 1
            served = copy.deepcopy(body)
            if case.success:
                result = self._serve(operation, case, mode, served)
                assert _dump(result) == body, f"{operation.operation_id} {case.status}: read back differently"
                return
            try:
                self._serve(operation, case, mode, served)
            except errors.ApiError as error:
                assert error.status_code == case.code
                assert error.operation == operation.operation_id
                if case.model is not None:
                    assert isinstance(error.parsed, _model(operation, case.model)), type(error.parsed)
                    assert _dump(error.parsed) == body
                return
            raise AssertionError(f"{operation.operation_id}: a {case.code} answer did not raise ApiError")

        _run(strategy, examples, check, RESPONSE_EXAMPLES)
        self._passed(operation, f"response-{case.status}-{mode}")

    def check_forward_compatible(self, operation: Operation, case: ResponseCase) -> None:
        vendor_spec = spec(self.vendor)
        media = vendor_spec.media(operation.operation_id, case.status, str(case.content_type))
        schema = vendor_spec.deref(media.get("schema", {}))
        enum_fields = [
            name
            for name, prop in (schema.get("properties") or {}).items()
            if len(vendor_spec.deref(prop).get("enum") or []) > 1
        ]
        strategy, examples = self._response_bodies(operation, case)

        def check(body: Any) -> None:
            CASES[self.vendor] += 1
            body = {**body, UNKNOWN_FIELD: {"nested": [1, "two"]}}
            for name in enum_fields:
                if name in body:
                    body[name] = UNKNOWN_ENUM_VALUE
            result = self._serve(operation, case, "sync", copy.deepcopy(body))
            assert _dump(result) == body, f"{operation.operation_id}: unknown field or enum value not kept"
            if any(name in body for name in enum_fields):
                kept = [getattr(result, f.name) for f in attrs.fields(type(result))]
                unknown = [value for value in kept if str(value) == UNKNOWN_ENUM_VALUE]
                assert unknown, f"{operation.operation_id}: the unknown enum value was not kept on its field"
                assert all(value.is_known is False for value in unknown), "an unknown value is not flagged"

        _run(strategy, examples, check, RESPONSE_EXAMPLES)
        self._passed(operation, "forward-compatible")

    def check_refuses_without_credentials(self, operation: Operation, mode: str) -> None:
        package = importlib.import_module(_package(operation))
        errors = importlib.import_module(f"{_package(operation)}.errors")
        sent: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(599)

        saved = os.environ.pop(package.API_KEY_ENV, None)
        try:
            CASES[self.vendor] += 1
            kwargs = self._one_input(operation)
            try:
                _call(operation, mode, _client(operation, handler, None), kwargs)
            except errors.MissingCredentialsError:
                pass
            else:
                raise AssertionError(f"{operation.operation_id} did not refuse to send without credentials")
        finally:
            if saved is not None:
                os.environ[package.API_KEY_ENV] = saved
        assert sent == [], f"{operation.operation_id} sent {len(sent)} request(s) without credentials"
        self._passed(operation, f"no-credentials-{mode}")


def object_success_cases(suite: VendorSuite) -> Iterator[tuple[Operation, ResponseCase]]:
    """2xx JSON answers whose schema is an object: where unknown fields and enum values can appear."""
    vendor_spec = spec(suite.vendor)
    for operation in suite.operations:
        for case in operation.responses:
            if not case.success or case.content_type != "application/json" or case.model is None:
                continue
            media = vendor_spec.media(operation.operation_id, case.status, case.content_type)
            if vendor_spec.deref(media.get("schema", {})).get("type") == "object":
                yield operation, case
