"""Reading and writing the JSON-like documents the pipeline works on (specs, overlays, effective specs).

YAML is read with every mapping key as a string: OpenAPI status codes (`200:`) and enum-like keys must stay
the strings the author wrote, not become ints or booleans, or JSONPath `$.responses['200']` stops matching.
JSON is written one way only (sorted keys, two-space indent, trailing newline) so output is byte-stable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from generator.errors import PipelineError

__all__ = ["dump_json", "load_document", "parse_document"]


# libyaml's parser when PyYAML was built with it (several times faster on large specs), else the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringKeyLoader(_SafeLoader):  # type: ignore[valid-type, misc]
    """A safe loader whose mapping keys are always strings, as JSON's are."""


def _construct_string_key_mapping(loader: _StringKeyLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        # The key's source text, not its YAML 1.1 resolution: `200` stays "200", `on` stays "on".
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else loader.construct_object(key_node)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key must be a scalar, found {type(key).__name__}", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate mapping key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_StringKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_string_key_mapping)


def parse_document(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) with string keys; `source` names the file in errors."""
    if text.lstrip().startswith("{"):
        # JSON is YAML, but the json module reads a large effective spec several times faster.
        try:
            return json.loads(text)
        except ValueError:
            pass  # YAML flow style, or broken: the YAML loader says which
    try:
        return yaml.load(text, Loader=_StringKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PipelineError(f"{source}: not valid YAML or JSON: {exc}", fix="correct the syntax at that line") from exc


def load_document(path: Path) -> Any:
    """Read a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PipelineError(f"{path}: file not found", fix="check the path") from exc
    except IsADirectoryError as exc:
        raise PipelineError(f"{path}: is a directory, not a file", fix="check the path") from exc
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{path}: not UTF-8 text ({exc})", fix="save the file as UTF-8") from exc
    return parse_document(text, str(path))


def dump_json(document: Any) -> str:
    """The one JSON form the pipeline writes: sorted keys, 2-space indent, UTF-8 text, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
