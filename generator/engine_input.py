"""The engine-input stage: the effective spec rewritten into the document openapi-python-client reads.

The effective spec (generated/<vendor>/openapi.json) is what the vendor's API does, overlays applied; the engine
reads a copy of it that differs in one way, so that the clients it writes send only what their caller set:

- an optional property (one not in its object's `required`) and an optional query, header or cookie parameter
  lose their `default`, which becomes a sentence at the end of their description ("When omitted, the server
  applies its default (...)").

Why: the engine turns a default into a value the client always sends, so every request would pin today's default
even after the vendor changes it, and the caller could not tell what they set (strict writing: send what the
caller set and nothing else). Required fields keep theirs: they are sent anyway. The committed effective spec
keeps every default (the sandbox and the facade read it); only the engine's copy changes.

`python -m generator engine-input VENDOR` prints this document in the pipeline's JSON form, and
tests/generator/golden/ pins it for the tiny spec.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["engine_input"]


def engine_input(document: Any) -> Any:
    """The document the engine reads, built from an effective spec (a new copy; `document` is not changed)."""
    if isinstance(document, list):
        return [engine_input(item) for item in document]
    if not isinstance(document, dict):
        return document
    node = {key: engine_input(value) for key, value in document.items()}
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = set(node.get("required") or [])
        for name, prop in properties.items():
            if isinstance(prop, dict) and "default" in prop and name not in required:
                _default_note(prop)
    if node.get("in") in ("query", "header", "cookie") and not node.get("required"):
        schema = node.get("schema")
        if isinstance(schema, dict) and "default" in schema:
            _default_note(schema)
    return node


def _default_note(schema: dict[str, Any]) -> None:
    """Move a schema's `default` into its description, as the sentence the generated docstrings carry."""
    value = json.dumps(schema.pop("default"), ensure_ascii=False)
    note = f"When omitted, the server applies its default ({value})."
    schema["description"] = f"{schema['description'].rstrip()} {note}" if schema.get("description") else note
