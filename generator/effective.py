"""The effective spec: a vendored spec with its overlays applied, validated, ready for code generation.

Checks here run before any code is generated, so every problem is reported against the spec with a JSON
pointer: OpenAPI validity (openapi-spec-validator), the naming rules generated code relies on (an
operationId and one tag on every operation), and then reelforge's own extensions (generator/extensions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.documents import dump_json, parse_document
from generator.errors import PipelineError, spec_errors
from generator.sources import SpecSource, load_spec_source, sha256_hex
from generator.vendors import Vendor
from reelforge.specs import Spec, pointer

__all__ = ["EffectiveSpec", "build_effective_spec", "overlay_paths"]


@dataclass(frozen=True)
class EffectiveSpec:
    vendor: Vendor
    source: SpecSource
    overlays: tuple[tuple[Path, str], ...]  # (path relative to the root, sha256) in the order applied
    document: dict[str, Any]
    text: str  # what generated/<vendor>/openapi.json holds

    @property
    def sha256(self) -> str:
        return sha256_hex(self.text.encode("utf-8"))

    @cached_property
    def reader(self) -> Spec:
        """The document read through reelforge.specs, labelled as the file it is committed as."""
        return Spec(self.document, f"{self.vendor.output_dir.as_posix()}/openapi.json")


def overlay_paths(root: Path, vendor: Vendor) -> list[Path]:
    """A vendor's overlay files in the order they apply (file name order), relative to the root."""
    folder = root / vendor.overlay_dir
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.is_file()]
    return [p.relative_to(root) for p in sorted(files, key=lambda p: p.name)]


def _locate(node: Any, target: Any, parts: tuple[object, ...] = ()) -> tuple[object, ...] | None:
    """Path of the first node equal to `target`, depth first in document order."""
    if node == target and isinstance(node, dict):
        return parts
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found = _locate(child, target, (*parts, key))
        if found is not None:
            return found
    return None


def _validate_openapi(document: dict[str, Any], label: str) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        parts: tuple[object, ...] | None = tuple(exc.absolute_path)
        if not parts:
            # Checks of a schema's own default or example carry no path: find the schema they were run on.
            parts = _locate(document, exc.schema) if isinstance(exc.schema, dict) and exc.schema else None
        where = pointer(parts) if parts else "/ (the validator gave no location)"
        raise PipelineError(
            f"{label}: the effective spec is not valid OpenAPI at {where}: {exc.message}",
            fix="correct the overlay action that writes this location (or add one that fixes the vendor's defect)",
        ) from exc
    except Exception as exc:  # the validator raises other types for documents it cannot classify
        raise PipelineError(f"{label}: the effective spec could not be validated: {exc}") from exc


def _check_names(spec: Spec) -> None:
    seen: dict[str, str] = {}
    for operation in spec.operations():
        where = operation.pointer
        operation_id = operation.node.get("operationId")
        if not isinstance(operation_id, str) or not operation_id.isidentifier() or operation_id != operation_id.lower():
            raise PipelineError(
                f"{spec.label}: {where}: operationId {operation_id!r} is missing or not a snake_case identifier",
                fix="set one in the vendor's names overlay (it names the generated module and function)",
            )
        if operation_id in seen:
            raise PipelineError(
                f"{spec.label}: {where}: operationId {operation_id!r} is also used at {seen[operation_id]}",
                fix="give every operation its own operationId",
            )
        seen[operation_id] = where
        tags = operation.node.get("tags")
        if not (isinstance(tags, list) and len(tags) == 1 and isinstance(tags[0], str) and tags[0]):
            raise PipelineError(
                f"{spec.label}: {where}: needs exactly one tag, found {tags!r}",
                fix="set tags: [<group>] in the vendor's names overlay (it names the generated api/<tag>/ package)",
            )


def build_effective_spec(root: Path, vendor: Vendor) -> EffectiveSpec:
    """Load, verify, patch and check a vendor's spec."""
    source = load_spec_source(root, vendor)
    document = parse_document(source.text, str(source.spec_path))
    if not isinstance(document, dict):
        raise PipelineError(f"{source.spec_path}: not an OpenAPI document (top level is not a mapping)")
    from generator.overlay import apply_overlays, load_overlay

    paths = overlay_paths(root, vendor)
    overlays = [load_overlay(root / path) for path in paths]
    document = apply_overlays(document, overlays)
    label = f"{vendor.output_dir}/openapi.json (from {source.spec_path} + {vendor.overlay_dir}/)"
    _validate_openapi(document, label)
    from generator.extensions import check_extensions

    spec = Spec(document, label)
    with spec_errors("/paths"):  # a path item behind a $ref that leads nowhere
        _check_names(spec)
    check_extensions(spec)
    hashes = tuple((path, sha256_hex((root / path).read_bytes())) for path in paths)
    return EffectiveSpec(vendor, source, hashes, document, dump_json(document))
