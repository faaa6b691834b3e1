"""Example instances: a deterministic JSON value for an OpenAPI schema, valid against it.

`example_instance` makes the same value for the same schema every time: the sandbox starts every response body
from one, then writes the job's facts into it along the extensions' JSONPaths (reelforge.specs.JSONPath). It
understands OpenAPI 3.0 (`nullable`, boolean `exclusiveMinimum`) and 3.1 (type arrays, `const`, numeric
`exclusiveMinimum`). References, their siblings and validation are reelforge.specs's (`Spec.resolve_schema`,
`merge_schemas`, `Spec.is_valid`), so the builder reads a schema as every other reader of the spec does.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from reelforge.specs import Spec, merge_schemas

__all__ = ["example_instance"]

# Values for string formats; each also passes the format checkers of both OpenAPI versions.
_FORMAT_EXAMPLES: Final[Mapping[str, str]] = {
    "uuid": "3f2c7a8e-5b1d-4c6e-9a0f-1d2e3f4a5b6c",
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "uri": "https://example.com/sandbox/result",
    "url": "https://example.com/sandbox/result",
    "uri-reference": "https://example.com/sandbox/result",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "byte": "AA==",
    "binary": "binary",
}
_PLAIN_STRING: Final = "string"
_MAX_DEPTH: Final = 40


def example_instance(spec: Spec, schema: Any) -> Any:
    """A deterministic JSON value valid against `schema` (an OpenAPI 3.0 or 3.1 schema inside `spec`).

    The schema's own `example`, then `default`, is used when it is valid; otherwise a value is built: every
    required property, and the optional ones that carry an `example` or `default`; the first value of an
    enum; the first branch of oneOf/anyOf that gives a valid value; the merged branches of allOf; values of
    the documented formats; numbers, lengths and item counts inside their bounds. Raises ValueError for a
    schema no value satisfies as far as this builder can tell (a SpecError for a reference that leads
    nowhere), TypeError for something that is no schema. The value shares nothing with the spec: changing it
    changes no example of the spec.
    """
    return _Builder(spec).build(schema, 0)


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.openapi_30 = spec.openapi_30

    def valid(self, schema: Any, instance: Any) -> bool:
        return self.spec.is_valid(schema, instance)

    def deref(self, schema: Any) -> Any:
        """The schema with its `$ref`s followed (in 3.1 with their sibling constraints merged in)."""
        return self.spec.resolve_schema(schema)

    def build(self, schema: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("the schema nests too deeply to build an example (a required cycle?)")
        if schema is True or schema == {}:
            return {}
        if schema is False:
            raise ValueError("the schema `false` admits no value")
        original = schema
        schema = self.deref(schema)
        if not isinstance(schema, Mapping):
            raise TypeError(f"not a schema: {schema!r}")
        for key in ("example", "default"):
            if key in schema and self.valid(original, schema[key]):
                return copy.deepcopy(schema[key])
        if "examples" in schema and isinstance(schema["examples"], list):
            for candidate in schema["examples"]:
                if self.valid(original, candidate):
                    return copy.deepcopy(candidate)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if schema.get("enum"):
            for candidate in schema["enum"]:
                if candidate is not None and self.valid(original, candidate):
                    return copy.deepcopy(candidate)
            return copy.deepcopy(schema["enum"][0])
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = merge_schemas(merged, self.deref(part))
            return self.build(merged, depth + 1)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k not in (key, "discriminator")}
                errors: list[str] = []
                for branch in schema[key]:
                    try:
                        candidate = self.build(merge_schemas(rest, self.deref(branch)), depth + 1)
                    except ValueError as exc:
                        errors.append(str(exc))
                        continue
                    if self.valid(original, candidate):
                        return candidate
                raise ValueError(f"no branch of {key} gave a valid value ({'; '.join(errors) or 'none matched'})")
        kind = self.pick_type(schema)
        maker: Callable[[Mapping[str, Any], int], Any] = {
            "object": self.build_object,
            "array": self.build_array,
            "string": lambda s, _d: _string(s),
            "integer": lambda s, _d: _number(s, integer=True, openapi_30=self.openapi_30),
            "number": lambda s, _d: _number(s, integer=False, openapi_30=self.openapi_30),
            "boolean": lambda _s, _d: False,
            "null": lambda _s, _d: None,
        }[kind]
        return maker(schema, depth)

    def pick_type(self, schema: Mapping[str, Any]) -> str:
        declared = schema.get("type")
        if isinstance(declared, str):
            return declared
        if isinstance(declared, Sequence) and declared:
            not_null = [str(t) for t in declared if t != "null"]
            return not_null[0] if not_null else "null"
        if any(k in schema for k in ("properties", "required", "additionalProperties")):
            return "object"
        if "items" in schema:
            return "array"
        if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
            return "string"
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
            return "number"
        return "object"

    def includes_optional(self, schema: Any) -> bool:
        if isinstance(schema, Mapping) and ("example" in schema or "default" in schema):
            return True
        target = self.deref(schema)
        return isinstance(target, Mapping) and ("example" in target or "default" in target)

    def build_object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = [str(name) for name in schema.get("required", [])]
        value: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or self.includes_optional(sub):
                value[name] = self.build(sub, depth + 1)
        for name in required:
            if name not in value:
                extra = schema.get("additionalProperties", True)
                value[name] = self.build(extra if isinstance(extra, Mapping) else {}, depth + 1)
        return value

    def build_array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        # One item by default (bodies read better with one), within minItems/maxItems.
        count = max(int(schema.get("minItems", 0)), 1)
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        items = schema.get("items", {})
        if count == 0:
            return []
        first = self.build(items, depth + 1)
        if count == 1 or not schema.get("uniqueItems", False):
            return [first, *(copy.deepcopy(first) for _ in range(count - 1))]
        raise ValueError("cannot build distinct items for uniqueItems with minItems above 1")


def _string(schema: Mapping[str, Any]) -> str:
    text = _FORMAT_EXAMPLES.get(str(schema.get("format", "")), _PLAIN_STRING)
    pattern = schema.get("pattern")
    if pattern is not None and not re.search(str(pattern), text):
        for candidate in (*_FORMAT_EXAMPLES.values(), _PLAIN_STRING):
            if re.search(str(pattern), candidate):
                text = candidate
                break
    min_length = int(schema.get("minLength", 0))
    if len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    if "maxLength" in schema and len(text) > int(schema["maxLength"]):
        text = text[: int(schema["maxLength"])]
    return text


def _number(schema: Mapping[str, Any], *, integer: bool, openapi_30: bool) -> int | float:
    low: float | None = None
    high: float | None = None
    low_open = high_open = False
    if "minimum" in schema:
        low = float(schema["minimum"])
        low_open = openapi_30 and schema.get("exclusiveMinimum") is True
    if "maximum" in schema:
        high = float(schema["maximum"])
        high_open = openapi_30 and schema.get("exclusiveMaximum") is True
    if not openapi_30:
        if isinstance(schema.get("exclusiveMinimum"), int | float):
            low, low_open = float(schema["exclusiveMinimum"]), True
        if isinstance(schema.get("exclusiveMaximum"), int | float):
            high, high_open = float(schema["exclusiveMaximum"]), True
    step = 1.0 if integer else 0.5
    if low is not None:
        value = low + step if low_open else low
        if integer:
            value = float(math.floor(low) + 1) if low_open else float(math.ceil(low))
    elif high is not None:
        value = min(0.0, high - step if high_open else high)
        if integer:
            value = float(math.ceil(high) - 1) if high_open else float(math.floor(value))
    else:
        value = 0.0
    if high is not None and (value > high or (high_open and value >= high)):
        value = (low + high) / 2 if low is not None else high - step
    multiple = schema.get("multipleOf")
    if multiple:
        value = math.ceil(value / float(multiple)) * float(multiple)
    return int(value) if integer else value
