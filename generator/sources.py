"""The vendored specs and their provenance (specs/<vendor>/openapi.yaml and source.toml).

A vendored spec is what the vendor published, byte for byte. source.toml records its sha256; the pipeline
refuses to run when the file no longer matches, so an accidental hand edit can never reach the clients.
"""

from __future__ import annotations

import datetime
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from generator.errors import PipelineError
from generator.vendors import Vendor

__all__ = ["KINDS", "SpecSource", "load_spec_source", "sha256_hex"]

KINDS = ("excerpt embedded in a docs page", "reconstructed from a rendered docs page")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SpecSource:
    """A vendored spec whose bytes matched the sha256 its source.toml records."""

    spec_path: Path  # relative to the repository root
    source_path: Path
    data: bytes
    sha256: str
    url: str
    retrieved: datetime.date
    kind: str

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def _read_source_toml(root: Path, path: Path) -> dict[str, object]:
    try:
        with (root / path).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise PipelineError(
            f"{path}: file not found",
            fix="every vendored spec needs a source.toml with url, retrieved, sha256 and kind",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"{path}: not valid TOML: {exc}", fix="correct the syntax") from exc


def _field(record: dict[str, object], path: Path, name: str, kind: type) -> object:
    if name not in record:
        raise PipelineError(f"{path}: missing field {name!r}", fix=f"add {name} = ... to {path}")
    value = record[name]
    if not isinstance(value, kind):
        raise PipelineError(
            f"{path}: field {name!r} must be a {kind.__name__}, got {type(value).__name__}",
            fix=f"correct {name} in {path}",
        )
    return value


def load_spec_source(root: Path, vendor: Vendor) -> SpecSource:
    """Read a vendor's spec and check it against its source.toml."""
    spec_path = vendor.spec_dir / "openapi.yaml"
    source_path = vendor.spec_dir / "source.toml"
    record = _read_source_toml(root, source_path)
    url = _field(record, source_path, "url", str)
    retrieved = _field(record, source_path, "retrieved", datetime.date)
    recorded = _field(record, source_path, "sha256", str)
    kind = _field(record, source_path, "kind", str)
    if kind not in KINDS:
        raise PipelineError(
            f"{source_path}: kind {kind!r} is not one of {', '.join(repr(k) for k in KINDS)}",
            fix="say whether the spec is an excerpt embedded in a page or a reconstruction of a rendered page",
        )
    try:
        data = (root / spec_path).read_bytes()
    except FileNotFoundError as exc:
        raise PipelineError(
            f"{spec_path}: file not found",
            fix=f"restore it (git checkout -- {spec_path}) or vendor the document again and update {source_path}",
        ) from exc
    actual = sha256_hex(data)
    if actual != recorded:
        raise PipelineError(
            f"{spec_path}: sha256 is {actual}, but {source_path} records {recorded}",
            fix=(
                f"specs/ is never edited by hand: restore the file (git checkout -- {spec_path}) and put "
                f"corrections in {vendor.overlay_dir}/; if you vendored a new upstream document on purpose, "
                f"record its sha256 and retrieval date in {source_path}"
            ),
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{spec_path}: not UTF-8 text ({exc})", fix="vendor the document as UTF-8") from exc
    assert isinstance(url, str) and isinstance(retrieved, datetime.date) and isinstance(kind, str)
    return SpecSource(spec_path, source_path, data, actual, url, retrieved, kind)
