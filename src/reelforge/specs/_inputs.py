"""The typed reader of `x-reelforge-inputs` (docs/x-reelforge-inputs.md): where each of the facade's common inputs
goes in a create operation's request body, and how it is converted on the way.

The pipeline checks the extension against generator/schemas/x-reelforge-inputs.schema.json and against the spec
(generator/check_inputs.py); this reader turns it into typed values for reelforge.mapping and the facade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from reelforge.specs._document import Operation, Spec, SpecError
from reelforge.specs._jsonpath import JSONPath, JSONPathError

__all__ = [
    "COMMON_INPUTS",
    "CONVERTERS",
    "INPUTS_EXTENSION",
    "INPUT_TYPES",
    "MEDIA_INPUTS",
    "InputRule",
    "InputsExtension",
]

INPUTS_EXTENSION: Final = "x-reelforge-inputs"
# The facade's common inputs (reelforge.VideoRequest), in the order they are applied to a body.
COMMON_INPUTS: Final = (
    "prompt",
    "negative_prompt",
    "duration",
    "aspect_ratio",
    "resolution",
    "fps",
    "seed",
    "image",
    "end_image",
    "reference_images",
    "audio",
    "avatar",
    "voice",
    "count",
)
# Inputs whose value is a file: a URL, or a local path the facade uploads first.
MEDIA_INPUTS: Final = ("image", "end_image", "reference_images", "audio")
# The JSON type of each common input's value as the body receives it without a converter (a media input as its
# URL or upload reference; reference_images as a list of them).
INPUT_TYPES: Final[Mapping[str, str]] = {
    "prompt": "string",
    "negative_prompt": "string",
    "duration": "number",
    "aspect_ratio": "string",
    "resolution": "string",
    "fps": "integer",
    "seed": "integer",
    "image": "string",
    "end_image": "string",
    "reference_images": "array",
    "audio": "string",
    "avatar": "string",
    "voice": "string",
    "count": "integer",
}
# The kinds of conversion (one small function each in reelforge.mapping; none names a vendor).
CONVERTERS: Final = ("scale", "string", "integer", "number", "table", "count", "size", "split")


def _parse(value: Any, where: str) -> JSONPath:
    try:
        return JSONPath.parse(value)
    except JSONPathError as exc:
        raise SpecError(f"{where}: {exc}", where) from exc


@dataclass(frozen=True, slots=True)
class InputRule:
    """Where one common input goes: `to` for a value (or a URL), `upload_to` for what an upload yields, `also` for
    body values set whenever the input is given, `convert` for how the value changes on the way, `via` for an
    input honoured through another input's converter, and `limits` the vendor documents beyond the body schema."""

    name: str
    to: JSONPath | None
    upload_to: JSONPath | None
    also: Mapping[str, Any]
    convert: Mapping[str, Any] | None
    via: str | None
    limits: Mapping[str, Any]

    @property
    def kind(self) -> str | None:
        """The converter's kind (None for none)."""
        return str(self.convert["kind"]) if self.convert else None


@dataclass(frozen=True, slots=True)
class InputsExtension:
    """The x-reelforge-inputs of one create operation."""

    operation: str
    preferred: bool
    required: tuple[str, ...]
    defaults: Mapping[str, Any]  # JSONPath text -> JSON value
    inputs: Mapping[str, InputRule]
    notes: str

    @classmethod
    def of(cls, operation: Operation) -> InputsExtension:
        """The extension of a create operation; SpecError when it has none, or names an unknown input."""
        data = operation.extension(INPUTS_EXTENSION)
        where = f"{operation.spec.label}: {operation.pointer}/{INPUTS_EXTENSION}"
        if not isinstance(data, Mapping):
            raise SpecError(f"{operation.spec.label}: {operation.operation_id} has no {INPUTS_EXTENSION}", where)
        rules: dict[str, InputRule] = {}
        for name, rule in (data.get("inputs") or {}).items():
            at = f"{where}/inputs/{name}"
            if name not in COMMON_INPUTS:
                raise SpecError(f"{at}: {name!r} is not a common input (one of: {', '.join(COMMON_INPUTS)})", at)
            if not isinstance(rule, Mapping):
                raise SpecError(f"{at}: a rule is an object with to, upload_to, convert, ...", at)
            rules[name] = InputRule(
                name=name,
                to=_parse(rule["to"], f"{at}/to") if "to" in rule else None,
                upload_to=_parse(rule["upload_to"], f"{at}/upload_to") if "upload_to" in rule else None,
                also=dict(rule.get("also") or {}),
                convert=dict(rule["convert"]) if isinstance(rule.get("convert"), Mapping) else None,
                via=rule.get("via"),
                limits=dict(rule.get("limits") or {}),
            )
        required = tuple(str(name) for name in data.get("required") or ())
        for name in required:
            if name not in rules:
                raise SpecError(
                    f"{where}/required: {name!r} is required but not mapped under inputs", f"{where}/required"
                )
        return cls(
            operation=operation.operation_id,
            preferred=bool(data.get("preferred", False)),
            required=required,
            defaults=dict(data.get("defaults") or {}),
            inputs=rules,
            notes=str(data.get("notes", "")),
        )

    @classmethod
    def all_in(cls, spec: Spec) -> list[InputsExtension]:
        """The extension of every operation that has one, in document order."""
        return [cls.of(op) for op in spec.operations() if op.extension(INPUTS_EXTENSION) is not None]
