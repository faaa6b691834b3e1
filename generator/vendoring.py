"""`python -m generator vendor VENDOR FILE`: take in a new upstream document.

The file is copied byte for byte to specs/<vendor>/openapi.yaml, and source.toml gets its sha256 and retrieval
date; every other line of source.toml (url, kind, notes, comments) stays as it was. The document is checked
first (UTF-8, YAML or JSON, OpenAPI 3.x), so a wrong file changes nothing.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from generator.diff.documents import parse_openapi
from generator.errors import PipelineError
from generator.sources import sha256_hex
from generator.vendors import Vendor

__all__ = ["Vendored", "vendor_spec"]


@dataclass(frozen=True)
class Vendored:
    spec_path: Path  # relative to the repository root
    source_path: Path
    sha256: str
    previous_sha256: str | None
    retrieved: datetime.date


def _set_field(text: str, name: str, value: str) -> str:
    """`text` with the top-level TOML line `name = ...` set to `value` (appended when absent)."""
    line = re.compile(rf"^{re.escape(name)}[ \t]*=.*$", re.MULTILINE)
    if line.search(text):
        return line.sub(lambda _: f"{name} = {value}", text, count=1)
    return text + ("" if text.endswith("\n") or not text else "\n") + f"{name} = {value}\n"


def vendor_spec(root: Path, vendor: Vendor, file: Path, retrieved: datetime.date | None = None) -> Vendored:
    """Vendor `file` as `vendor`'s spec under `root`; returns what was recorded."""
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise PipelineError(f"{file}: file not found", fix="pass the path of the downloaded document") from exc
    except IsADirectoryError as exc:
        raise PipelineError(f"{file}: is a directory", fix="pass the path of the downloaded document") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{file}: not UTF-8 text ({exc})", fix="save the document as UTF-8") from exc
    parse_openapi(text, str(file))

    spec_path = vendor.spec_dir / "openapi.yaml"
    source_path = vendor.spec_dir / "source.toml"
    try:
        raw = (root / source_path).read_bytes()
    except FileNotFoundError as exc:
        raise PipelineError(
            f"{source_path}: file not found",
            fix="a vendored spec needs a source.toml with url, retrieved, sha256 and kind; write one first",
        ) from exc
    try:
        source = raw.decode("utf-8")
        previous = tomllib.loads(source).get("sha256")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PipelineError(f"{source_path}: not valid TOML: {exc}", fix="correct the syntax") from exc

    day = retrieved or datetime.date.today()
    digest = sha256_hex(data)
    updated = _set_field(_set_field(source, "retrieved", day.isoformat()), "sha256", f'"{digest}"')
    record = tomllib.loads(updated)
    assert record["sha256"] == digest and record["retrieved"] == day, "source.toml rewrite"
    (root / spec_path).write_bytes(data)
    (root / source_path).write_bytes(updated.encode("utf-8"))
    return Vendored(spec_path, source_path, digest, previous if isinstance(previous, str) else None, day)
