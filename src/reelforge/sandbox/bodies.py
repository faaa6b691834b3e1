"""Deterministic JSON values for OpenAPI schemas, and writing into them along simple JSONPath queries.

`example_instance` makes the same value for the same schema every time, valid against it: the sandbox starts
every response body from one, then writes the job's facts into it with `set_at`. It understands OpenAPI 3.0
(`nullable`, boolean `exclusiveMinimum`) and 3.1 (type arrays, `const`, numeric `exclusiveMinimum`).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker

__all__ = [
    "JSONPathStep",
    "example_instance",
    "find_at",
    "is_valid_instance",
    "parse_simple_path",
    "resolve_ref",
    "set_at",
]

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
# Keywords that only annotate; a `$ref` whose siblings are all annotations is just the target.
_ANNOTATIONS: Final = frozenset({"description", "summary", "title", "deprecated", "x-enum-varnames"})


def resolve_ref(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local `$ref` ("#/components/schemas/Name") points at inside `document`."""
    if not ref.startswith("#"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node: Any = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise ValueError(f"the reference {ref!r} does not resolve (no {key!r})")
    return node


def _is_openapi_30(document: Mapping[str, Any]) -> bool:
    return str(document.get("openapi", "3.1")).startswith("3.0")


def _validator(document: Mapping[str, Any], schema: Any) -> Validator:
    # The schema is wrapped beside the document's components, so "#/components/..." references resolve.
    root = {"components": document.get("components", {}), "allOf": [schema]}
    validator: Validator
    if _is_openapi_30(document):
        validator = OAS30Validator(root, format_checker=oas30_format_checker)
    else:
        validator = OAS31Validator(root, format_checker=oas31_format_checker)
    return validator


def is_valid_instance(document: Mapping[str, Any], schema: Any, instance: Any) -> bool:
    """True when `instance` is valid against `schema`, a schema inside the OpenAPI `document`."""
    return bool(_validator(document, schema).is_valid(instance))


def example_instance(document: Mapping[str, Any], schema: Any) -> Any:
    """A deterministic JSON value valid against `schema` (an OpenAPI 3.0 or 3.1 schema inside `document`).

    The schema's own `example`, then `default`, is used when it is valid; otherwise a value is built: every
    required property, and the optional ones that carry an `example` or `default`; the first value of an
    enum; the first branch of oneOf/anyOf that gives a valid value; the merged branches of allOf; values of
    the documented formats; numbers, lengths and item counts inside their bounds. Raises ValueError for a
    schema no value satisfies as far as this builder can tell, TypeError for something that is no schema.
    The value shares nothing with `document`: changing it changes no example of the spec.
    """
    return _Builder(document).build(schema, 0)


class _Builder:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.openapi_30 = _is_openapi_30(document)

    def valid(self, schema: Any, instance: Any) -> bool:
        return is_valid_instance(self.document, schema, instance)

    def deref(self, schema: Any, depth: int) -> Any:
        """Follow `$ref` until a schema without one; sibling constraints of a `$ref` are merged in."""
        while isinstance(schema, Mapping) and "$ref" in schema:
            if depth > _MAX_DEPTH:
                raise ValueError("the schema nests references too deeply (a required cycle?)")
            target = resolve_ref(self.document, str(schema["$ref"]))
            siblings = {k: v for k, v in schema.items() if k != "$ref" and k not in _ANNOTATIONS}
            schema = _merge(self.deref(target, depth + 1), siblings) if siblings and not self.openapi_30 else target
            depth += 1
        return schema

    def build(self, schema: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("the schema nests too deeply to build an example (a required cycle?)")
        if schema is True or schema == {}:
            return {}
        if schema is False:
            raise ValueError("the schema `false` admits no value")
        original = schema
        schema = self.deref(schema, depth)
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
                merged = _merge(merged, self.deref(part, depth + 1))
            return self.build(merged, depth + 1)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k not in (key, "discriminator")}
                errors: list[str] = []
                for branch in schema[key]:
                    try:
                        candidate = self.build(_merge(rest, self.deref(branch, depth + 1)), depth + 1)
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

    def includes_optional(self, schema: Any, depth: int) -> bool:
        if isinstance(schema, Mapping) and ("example" in schema or "default" in schema):
            return True
        target = self.deref(schema, depth)
        return isinstance(target, Mapping) and ("example" in target or "default" in target)

    def build_object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = [str(name) for name in schema.get("required", [])]
        value: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or self.includes_optional(sub, depth + 1):
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


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Combine two schemas that both apply (allOf): properties and required are united, others overridden."""
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        elif key == "required" and isinstance(merged.get(key), list):
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        else:
            merged[key] = value
    return merged


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


# --- simple JSONPath ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JSONPathStep:
    """One step of a simple JSONPath: an object member name, an array index, or every item (`*`)."""

    name: str | None = None
    index: int | None = None
    wildcard: bool = False


_STEP = re.compile(
    r"""\.(?P<dotname>[A-Za-z_][A-Za-z0-9_-]*)
      | \.\*(?P<dotwild>)
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*\*\s*\](?P<wild>)
      | \[\s*'(?P<squoted>[^'\\]*)'\s*\]
      | \[\s*"(?P<dquoted>[^"\\]*)"\s*\]""",
    re.VERBOSE,
)


def parse_simple_path(path: str) -> list[JSONPathStep]:
    """The steps of a singular-or-wildcard RFC 9535 query such as `$.a.b`, `$.a[0].b`, `$.a[*].b`, `$['a']`.

    Raises ValueError for anything richer (filters, slices, descendants, unions).
    """
    if not path.startswith("$"):
        raise ValueError(f"a JSONPath query starts with '$': {path!r}")
    steps: list[JSONPathStep] = []
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise ValueError(f"unsupported JSONPath at position {position}: {path!r}")
        groups = match.groupdict()
        if groups["dotname"] is not None:
            steps.append(JSONPathStep(name=groups["dotname"]))
        elif groups["squoted"] is not None:
            steps.append(JSONPathStep(name=groups["squoted"]))
        elif groups["dquoted"] is not None:
            steps.append(JSONPathStep(name=groups["dquoted"]))
        elif groups["index"] is not None:
            steps.append(JSONPathStep(index=int(groups["index"])))
        else:
            steps.append(JSONPathStep(wildcard=True))
        position = match.end()
    return steps


def set_at(value: Any, jsonpath: str, new: Any) -> Any:
    """Set every node `jsonpath` names inside `value` to `new`, in place, and return `value`.

    Missing (or null) object members on the way are created (as objects, or arrays when the next step
    indexes), and an empty array that a wildcard or index 0 walks through gets one item. Setting `$` itself returns `new`.
    Raises TypeError when the path goes through a value of the wrong kind, ValueError past the end of an
    array or for a path richer than `parse_simple_path` reads.
    """
    steps = parse_simple_path(jsonpath)
    if not steps:
        return new
    _set(value, steps, new, jsonpath)
    return value


def find_at(value: Any, jsonpath: str) -> list[Any]:
    """The nodes a simple JSONPath query (see `parse_simple_path`) selects inside `value`, in document order."""
    nodes = [value]
    for step in parse_simple_path(jsonpath):
        found: list[Any] = []
        for node in nodes:
            if step.name is not None:
                if isinstance(node, dict) and step.name in node:
                    found.append(node[step.name])
            elif isinstance(node, list):
                if step.wildcard:
                    found.extend(node)
                elif step.index is not None and -len(node) <= step.index < len(node):
                    found.append(node[step.index])
        nodes = found
    return nodes


def _container_for(step: JSONPathStep) -> Any:
    return {} if step.name is not None else []


def _set(node: Any, steps: list[JSONPathStep], new: Any, jsonpath: str) -> None:
    step, rest = steps[0], steps[1:]
    if step.name is not None:
        if not isinstance(node, dict):
            raise TypeError(f"{jsonpath}: member {step.name!r} of a value that is not an object")
        if not rest:
            node[step.name] = new
            return
        if node.get(step.name) is None:
            node[step.name] = _container_for(rest[0])
        _set(node[step.name], rest, new, jsonpath)
        return
    if not isinstance(node, list):
        raise TypeError(f"{jsonpath}: an index or wildcard on a value that is not an array")
    if not node and (step.wildcard or step.index in (0, -1)):
        node.append(_container_for(rest[0]) if rest else None)
    if step.wildcard:
        targets = range(len(node))
    else:
        assert step.index is not None
        if not -len(node) <= step.index < len(node):
            raise ValueError(f"{jsonpath}: index {step.index} is outside an array of {len(node)} items")
        targets = range(step.index % len(node), step.index % len(node) + 1)
    for position in targets:
        if not rest:
            node[position] = new
        else:
            if node[position] is None:
                node[position] = _container_for(rest[0])
            _set(node[position], rest, new, jsonpath)
