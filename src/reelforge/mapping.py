"""From the facade's common inputs to a vendor's request body, as the spec's `x-reelforge-inputs` says.

Pure and vendor-blind: everything about a vendor comes from the effective spec (docs/x-reelforge-inputs.md). Each
kind of conversion is one small function below (`_CONVERTERS`); none of them knows a vendor. Media inputs arrive
already resolved by the caller (a URL the user gave, or what an upload yielded) as `MediaValue`s.

The order a body is built in: the extension's `defaults`; arrays sized by `count` and `split`; every other input,
with the body values its rule sets `also`; and last the caller's `options`, merged over everything.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from reelforge.specs import (
    COMMON_INPUTS,
    INPUTS_EXTENSION,
    MEDIA_INPUTS,
    InputRule,
    InputsExtension,
    JSONPath,
    Spec,
    SpecError,
)

__all__ = [
    "BuiltBody",
    "InputsSummary",
    "MappingError",
    "MediaValue",
    "NoOperation",
    "Unsupported",
    "accepted",
    "build_body",
    "choose_operation",
]

_ASPECT: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


class MappingError(ValueError):
    """A value a converter cannot convert; names the input, the value and the rule."""

    def __init__(self, input_name: str, value: Any, rule: str) -> None:
        super().__init__(f"{input_name}={value!r}: {rule}")
        self.input = input_name
        self.value = value
        self.rule = rule


class NoOperation(ValueError):
    """No create operation takes the request; the message lists what each one accepts and requires."""


@dataclass(frozen=True, slots=True)
class MediaValue:
    """A media input as the body can take it: the file's URL, and/or the reference an upload yielded (an asset id,
    a file path); `local` says whether it was a local file the caller uploaded."""

    url: str | None
    reference: str | None
    local: bool


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A common input the operation cannot honour, and why."""

    input: str
    reason: str


@dataclass(frozen=True, slots=True)
class BuiltBody:
    body: dict[str, Any]
    unsupported: tuple[Unsupported, ...] = ()


@dataclass(frozen=True, slots=True)
class InputsSummary:
    """What one create operation takes: the common inputs it accepts and requires, whether it is preferred, and
    each input's limits in the input's own units (seconds, frames per second, ...)."""

    operation: str
    accepted: tuple[str, ...]
    required: tuple[str, ...]
    preferred: bool
    limits: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _in_order(names: Iterable[str]) -> tuple[str, ...]:
    """Common input names in the order of COMMON_INPUTS (an effective spec's keys are sorted alphabetically)."""
    chosen = set(names)
    return tuple(name for name in COMMON_INPUTS if name in chosen)


# --- building a body ----------------------------------------------------------------------------------------


# A spec is read, never changed, once it is a Spec (reelforge.registry shares one per vendor): what is read from
# its extensions is kept per spec and operation, so a submit does not parse them again.
@lru_cache(maxsize=256)
def _extension(spec: Spec, operation_id: str) -> InputsExtension:
    return InputsExtension.of(spec.operation(operation_id))


@lru_cache(maxsize=64)
def _extensions(spec: Spec) -> tuple[InputsExtension, ...]:
    return tuple(InputsExtension.all_in(spec))


def build_body(
    spec: Spec, operation_id: str, values: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> BuiltBody:
    """The JSON request body of `operation_id` for the common inputs in `values` (None or absent: not set).

    Never raises for an input the operation cannot honour: it is listed in `unsupported` and left out. Raises
    MappingError for a value its converter cannot convert, SpecError when the operation has no x-reelforge-inputs.
    """
    extension = _extension(spec, operation_id)
    given = {name: values[name] for name in COMMON_INPUTS if values.get(name) is not None}
    body: dict[str, Any] = {}
    for path, value in extension.defaults.items():
        body = JSONPath.parse(path).set(body, copy.deepcopy(value))
    unsupported: list[Unsupported] = []
    rules = extension.inputs

    def refuse(name: str, reason: str) -> None:
        unsupported.append(Unsupported(name, reason))

    # Arrays first, so inputs written through [*] land on every item.
    for name in ("count", "prompt"):
        rule = rules.get(name)
        if name in given and rule is not None and rule.kind in ("count", "split"):
            assert rule.to is not None
            _size_array(body, rule, given[name])
    for name, value in given.items():
        rule = rules.get(name)
        if rule is None:
            accepted_names = ", ".join(_in_order(rules)) or "none"
            refuse(name, f"{extension.operation} does not take {name} (it takes: {accepted_names})")
            continue
        if rule.kind == "count":
            pass  # done above
        elif rule.kind == "split":
            _split_into(body, rule, value)
        elif rule.kind == "size":
            _set_size(body, rule, value, given.get("resolution"))
        elif rule.via is not None:
            via = rules.get(rule.via)
            if rule.via not in given and via is not None and via.kind == "size":
                _set_size(body, via, None, value)
        elif name in MEDIA_INPUTS:
            reason = _set_media(body, rule, value)
            if reason is not None:
                refuse(name, reason)
                continue
        else:
            assert rule.to is not None
            body = rule.to.set(body, _convert(rule, value))
        for path, also in rule.also.items():
            body = JSONPath.parse(path).set(body, copy.deepcopy(also))
    if options:
        body = _merge(body, options)
    return BuiltBody(body, tuple(unsupported))


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`extra` over `base`, objects merged key by key, everything else replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _convert(rule: InputRule, value: Any) -> Any:
    convert = rule.convert or {}
    kind = rule.kind
    if kind is None:
        return value
    if kind == "scale":
        scaled = value * float(convert["factor"])
        return round(scaled) if convert.get("integer") else scaled
    if kind == "string":
        return str(value)
    if kind == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise MappingError(rule.name, value, "a whole number is needed")
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "table":
        table: Mapping[str, Any] = convert["values"]
        if value not in table:
            raise MappingError(
                rule.name, value, f"not one of the values the vendor takes: {', '.join(map(str, table))}"
            )
        return copy.deepcopy(table[value])
    raise MappingError(rule.name, value, f"the converter {kind!r} does not apply to a plain value")


def _array_and_rest(rule: InputRule) -> tuple[JSONPath, JSONPath]:
    assert rule.to is not None
    if rule.kind == "count":
        return rule.to, JSONPath(())
    split = rule.to.split_at_wildcard()
    if split is None:
        raise SpecError(f"{INPUTS_EXTENSION}: {rule.name}: a split needs a path with [*], not {rule.to}")
    return split


def _resize(body: dict[str, Any], array_path: JSONPath, count: int) -> list[Any]:
    """The array at `array_path`, sized to `count` items (copies of its first, or empty objects)."""
    found = array_path.first(body)
    if not isinstance(found, list):
        found = []
        array_path.set(body, found)
    template = found[0] if found else {}
    del found[count:]
    while len(found) < count:
        found.append(copy.deepcopy(template))
    return found


def _size_array(body: dict[str, Any], rule: InputRule, value: Any) -> None:
    array_path, _ = _array_and_rest(rule)
    if rule.kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise MappingError(rule.name, value, "a count is a whole number of at least 1")
        _resize(body, array_path, value)
    else:
        _resize(body, array_path, len(_pieces(rule, value)))


def _split_into(body: dict[str, Any], rule: InputRule, value: Any) -> None:
    array_path, rest = _array_and_rest(rule)
    pieces = _pieces(rule, value)
    items = _resize(body, array_path, len(pieces))
    for index, piece in enumerate(pieces):
        items[index] = rest.set(items[index], piece)


def _pieces(rule: InputRule, text: Any) -> list[str]:
    """`text` cut into pieces of at most max_length characters: at sentence ends where it can, else at spaces, else
    anywhere."""
    limit = int((rule.convert or {})["max_length"])
    if not isinstance(text, str) or not text.strip():
        raise MappingError(rule.name, text, "a non-empty text is needed to split")
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return _pack([part for sentence in sentences for part in _fit(sentence, limit)], limit)


def _fit(sentence: str, limit: int) -> list[str]:
    """A sentence as parts of at most `limit` characters, cut at spaces (a longer word is cut where it must be)."""
    if len(sentence) <= limit:
        return [sentence]
    words = [word[start : start + limit] for word in sentence.split() for start in range(0, len(word), limit)]
    return _pack(words, limit)


def _pack(units: list[str], limit: int) -> list[str]:
    """Units (each at most `limit` characters) joined by spaces into as few pieces of at most `limit` as go in
    order: each piece takes the next unit while it fits."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        joined = f"{current} {unit}" if current else unit
        if len(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _aspect(rule_name: str, value: str) -> tuple[float, float]:
    match = _ASPECT.match(value) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0 or float(match.group(2)) <= 0:
        raise MappingError(rule_name, value, 'an aspect ratio is written W:H, like "16:9"')
    return float(match.group(1)), float(match.group(2))


def _set_size(body: dict[str, Any], rule: InputRule, aspect_ratio: Any, resolution: Any) -> None:
    """Width and height from an aspect ratio and a resolution: the short side is the resolution's number of
    pixels, the long side follows the ratio, rounded to an even number."""
    convert = rule.convert or {}
    resolutions: Mapping[str, int] = convert.get("resolutions") or {}
    chosen = str(resolution if resolution is not None else convert.get("default_resolution"))
    if chosen not in resolutions:
        raise MappingError("resolution", chosen, f"one of {', '.join(resolutions)} is needed here")
    ratio = aspect_ratio if aspect_ratio is not None else convert.get("default_aspect_ratio", "16:9")
    wide, tall = _aspect("aspect_ratio", ratio)
    short = int(resolutions[chosen])
    long_side = 2 * round(short * max(wide, tall) / min(wide, tall) / 2)
    width, height = (long_side, short) if wide >= tall else (short, long_side)
    JSONPath.parse(convert["width"]).set(body, width)
    JSONPath.parse(convert["height"]).set(body, height)


def _set_media(body: dict[str, Any], rule: InputRule, value: Any) -> str | None:
    """Put a media input where the rule says; the reason it cannot, or None."""
    items: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
    if not all(isinstance(item, MediaValue) for item in items):
        raise MappingError(rule.name, value, "media inputs are resolved to MediaValue before mapping")
    urls: list[str] = []
    references: list[str] = []
    for item in items:
        if item.local and rule.upload_to is not None and item.reference is not None:
            references.append(item.reference)
        elif rule.to is not None and item.url is not None:
            urls.append(item.url)
        elif item.local:
            return "this vendor takes no uploaded file here: give an https URL instead"
        else:
            return "this vendor takes only uploaded files here: give a local file path instead of a URL"
    many = isinstance(value, list | tuple)
    if urls:
        assert rule.to is not None
        rule.to.set(body, urls if many else urls[0])
    if references:
        assert rule.upload_to is not None
        rule.upload_to.set(body, references if many else references[0])
    return None


# --- what an operation takes --------------------------------------------------------------------------------

_LIMIT_KEYWORDS: Final = {"minimum": "minimum", "maximum": "maximum", "maxItems": "max_items", "enum": "enum"}


@lru_cache(maxsize=256)
def accepted(spec: Spec, operation_id: str) -> InputsSummary:
    """What `operation_id` accepts and requires, with each input's limits read from the request body schema at the
    input's place, converted back into the input's own units, and the extension's own `limits` over them."""
    extension = _extension(spec, operation_id)
    body_schema = spec.operation(operation_id).request_schema()
    limits: dict[str, dict[str, Any]] = {}
    for name, rule in extension.inputs.items():
        found: dict[str, Any] = {}
        if rule.to is not None and rule.kind not in ("split", "size") and name not in MEDIA_INPUTS:
            for schema in spec.schemas_at(body_schema, rule.to):
                for keyword, key in _LIMIT_KEYWORDS.items():
                    if keyword in schema and key not in found:
                        found[key] = schema[keyword]
            found = _back(rule, found)
        if name == "reference_images" and rule.to is not None:
            for schema in spec.schemas_at(body_schema, rule.to):
                if "maxItems" in schema:
                    found.setdefault("max_items", schema["maxItems"])
        found.update(rule.limits)
        if found:
            limits[name] = found
    # A resolution honoured through the size converter can be only one of the sizes it knows.
    size = next((r for r in extension.inputs.values() if r.kind == "size"), None)
    if size is not None and "resolution" in extension.inputs:
        limits["resolution"] = {"enum": list((size.convert or {}).get("resolutions") or {})}
    return InputsSummary(
        operation=extension.operation,
        accepted=_in_order(extension.inputs),
        required=extension.required,
        preferred=extension.preferred,
        # Read-only: the summary is kept (lru_cache) and shared by every caller.
        limits=MappingProxyType({name: MappingProxyType(found) for name, found in limits.items()}),
    )


def _back(rule: InputRule, limits: dict[str, Any]) -> dict[str, Any]:
    """Limits of the body's value as limits of the common input (through the converter, backwards)."""
    convert = rule.convert or {}
    kind = rule.kind
    result = dict(limits)
    if kind == "count":
        # The array's item counts are the count's bounds.
        result = {}
        if "max_items" in limits:
            result["maximum"] = limits["max_items"]
        result["minimum"] = 1
    elif kind == "scale":
        factor = float(convert["factor"])
        for key in ("minimum", "maximum"):
            if key in result:
                result[key] = result[key] / factor
        result.pop("enum", None)
    elif kind in ("string", "integer", "number") and "enum" in result:
        back: list[Any] = []
        for item in result["enum"]:
            try:
                number = float(item)
            except (TypeError, ValueError):
                continue
            back.append(int(number) if number.is_integer() else number)
        result["enum"] = back
    elif kind == "table":
        table: Mapping[str, Any] = convert["values"]
        allowed = result.get("enum")
        result["enum"] = [key for key, value in table.items() if allowed is None or value in allowed]
    for key in ("minimum", "maximum"):
        if isinstance(result.get(key), float) and math.isfinite(result[key]) and result[key].is_integer():
            result[key] = int(result[key]) if kind != "scale" else result[key]
    return result


def choose_operation(spec: Spec, values: Mapping[str, Any], operation: str | None = None) -> str:
    """The create operation for a request: `operation` when given (it must have x-reelforge-inputs), else the
    first that accepts every input set and has all it requires, a preferred one before the others, then in
    document order. NoOperation, saying what each accepts and requires, when none fits."""
    extensions = list(_extensions(spec))
    given = [name for name in COMMON_INPUTS if values.get(name) is not None]
    if operation is not None:
        spec.operation(operation)  # a SpecError (a ValueError) for an operation that does not exist
        extensions = [e for e in extensions if e.operation == operation]
        if not extensions:
            raise ValueError(
                f"{spec.label}: {operation} is not a create operation the facade can use (it has no {INPUTS_EXTENSION})"
            )
    fitting = [
        e for e in extensions if all(name in e.inputs for name in given) and all(name in given for name in e.required)
    ]
    if fitting:
        fitting.sort(key=lambda e: not e.preferred)  # stable: document order among equals
        return fitting[0].operation
    lines = [
        f"{e.operation} accepts {', '.join(_in_order(e.inputs)) or 'nothing'}; "
        f"requires {', '.join(_in_order(e.required)) or 'nothing'}"
        for e in extensions
    ]
    raise NoOperation(
        f"{spec.label}: no create operation takes a request with {', '.join(given) or 'no input'}: " + "; ".join(lines)
    )
