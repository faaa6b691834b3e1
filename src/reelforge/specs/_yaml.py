"""YAML (and JSON) documents read the one way every reader in reelforge reads them: mapping keys as strings.

OpenAPI status codes (`200:`) and enum-like keys (`on:`, `no:`) must stay the strings their author wrote, not
become ints or booleans as YAML 1.1 resolves them, or `$.responses['200']` stops matching and a fault file's
`operation: on` silently means True. Duplicate keys are an error, not a silent last-one-wins. PyYAML is
imported on first use (the facade itself reads only JSON).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

__all__ = ["DocumentError", "parse_document"]


class DocumentError(ValueError):
    """Text that is neither valid YAML nor JSON; the message says where."""


@cache
def _loader() -> Any:
    import yaml

    # libyaml's parser when PyYAML was built with it (several times faster on large specs), else the pure-Python one.
    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StringKeyLoader(base):  # type: ignore[valid-type, misc]
        """A safe loader whose mapping keys are always strings, as JSON's are."""

    def construct_mapping(loader: StringKeyLoader, node: yaml.MappingNode) -> dict[str, Any]:
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
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate mapping key {key!r}", key_node.start_mark
                )
            mapping[key] = loader.construct_object(value_node, deep=True)
        return mapping

    StringKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StringKeyLoader


def _unique_keys(pairs: list[tuple[str, Any]], source: str) -> dict[str, Any]:
    """An object of JSON text, refusing a key given twice (json.loads would keep the last one silently)."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise DocumentError(f"{source}: duplicate key {key!r} in an object")
        mapping[key] = value
    return mapping


def parse_document(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) with string keys; `source` names the text in errors."""
    if text.lstrip().startswith("{"):
        # JSON is YAML, but the json module reads a large effective spec several times faster.
        try:
            return json.loads(text, object_pairs_hook=lambda pairs: _unique_keys(pairs, source))
        except json.JSONDecodeError:
            pass  # YAML flow style, or broken: the YAML loader says which
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DocumentError(f"{source}: not valid YAML or JSON: {exc}") from exc
