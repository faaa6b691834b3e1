"""Reading and writing the JSON-like documents the pipeline works on (specs, overlays, effective specs).

YAML and JSON are read by reelforge.specs.parse_document, the project's one loader (every mapping key a string,
as the author wrote it; duplicate keys refused), so the pipeline, the sandbox and the tests read a file alike.
JSON is written one way only (sorted keys, two-space indent, trailing newline) so output is byte-stable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.errors import PipelineError
from reelforge import specs

__all__ = ["dump_json", "load_document", "parse_document"]


def parse_document(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) with string keys; `source` names the file in errors."""
    try:
        return specs.parse_document(text, source)
    except specs.DocumentError as exc:
        raise PipelineError(str(exc), fix="correct the syntax at that line") from exc


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
