"""The pipeline end to end: which vendors need work, generating them safely, and proving there is no drift.

- Incremental: a vendor is regenerated only when its fingerprint changed. The fingerprint covers every byte
  that can change the output: the vendored spec and source.toml, the vendor's overlays, everything under
  generator/ (code, templates, configuration, schemas), the spec reader it checks with (src/reelforge/specs/:
  a change there can change what the pipeline accepts), and the versions of the tools that write code.
- Safe: every vendor is built in a staging folder next to generated/; only when all of them succeed is each
  vendor's folder swapped in whole, so a failed run leaves generated/ untouched and no stale file survives.
- Deterministic: no timestamps, absolute paths or set orders reach the output.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from generator.documents import dump_json
from generator.vendors import PACKAGE_VERSION, REPO_ROOT, VENDORS, Vendor

if TYPE_CHECKING:
    from generator.effective import EffectiveSpec

__all__ = ["FIX_COMMAND", "VendorResult", "check", "fingerprint", "generate"]

FIX_COMMAND = "python -m generator generate --force"
RECORD = "GENERATION.json"
CONFORMANCE_DIR = "tests/conformance"
_CONFORMANCE_STAGE = "_conformance"  # not a vendor key: staging/<key>/ holds the vendors
_CODE_TOOLS = ("openapi-python-client", "ruff", "jinja2")


@dataclass(frozen=True)
class VendorResult:
    vendor: Vendor
    regenerated: bool
    seconds: float
    files: int
    operations: int
    models: int


def _tool_versions() -> dict[str, str]:
    return {tool: version(tool) for tool in _CODE_TOOLS}


# The code that runs, whatever tree it runs on: the pipeline, the reader of specs it checks them with, and the
# mapping of common inputs, which the x-reelforge-inputs check builds sample bodies with.
_CODE_FOLDERS = (REPO_ROOT / "generator", REPO_ROOT / "src" / "reelforge" / "specs")
_CODE_FILES = (REPO_ROOT / "src" / "reelforge" / "mapping.py",)


def _generator_files() -> list[Path]:
    found = [
        path
        for folder in _CODE_FOLDERS
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
    return sorted([*found, *_CODE_FILES])


def fingerprint(root: Path, vendor: Vendor) -> str:
    """sha256 over everything that can change a vendor's generated output."""
    from generator.effective import overlay_paths

    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    for name in ("openapi.yaml", "source.toml"):
        path = root / vendor.spec_dir / name
        feed(str(path.relative_to(root)), path.read_bytes() if path.exists() else b"<missing>")
    for path in overlay_paths(root, vendor):
        feed(path.as_posix(), (root / path).read_bytes())
    for path in _generator_files():
        feed(path.relative_to(REPO_ROOT).as_posix(), path.read_bytes())
    feed("tools", json.dumps(_tool_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def _recorded_fingerprint(root: Path, vendor: Vendor) -> str | None:
    try:
        record = json.loads((root / vendor.output_dir / RECORD).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    value = record.get("fingerprint") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _template_hashes() -> dict[str, str]:
    from generator.codegen import TEMPLATES

    return {
        path.relative_to(TEMPLATES).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(TEMPLATES.rglob("*.jinja"))
    }


def _build_vendor(root: Path, vendor: Vendor, staging: Path) -> EffectiveSpec:
    """Generate one vendor into staging/<vendor> (not yet formatted, stamped or recorded)."""
    from generator.codegen import generate_package
    from generator.effective import build_effective_spec

    spec = build_effective_spec(root, vendor)
    out = staging / vendor.key
    out.mkdir(parents=True)
    (out / "openapi.json").write_text(spec.text, encoding="utf-8")
    generate_package(spec, out, _staged_conformance(staging, vendor), root)
    return spec


def _staged_conformance(staging: Path, vendor: Vendor) -> Path:
    return staging / _CONFORMANCE_STAGE / f"test_{vendor.key}.py"


def _conformance_module(root: Path, vendor: Vendor) -> Path:
    return root / CONFORMANCE_DIR / f"test_{vendor.key}.py"


def _write_record(root: Path, spec: EffectiveSpec, out: Path) -> tuple[int, int]:
    """GENERATION.json: what went in, what came out, and with which tools. Returns (operations, models)."""
    vendor = spec.vendor
    operations = sum(1 for _ in spec.reader.operations())
    models = sum(1 for p in (out / vendor.package / "models").glob("*.py") if p.name != "__init__.py")
    record = {
        "note": "Written by reelforge's spec pipeline; do not edit. Regenerate: "
        f"python -m generator generate {vendor.key}",
        "vendor": vendor.key,
        "distribution": {"name": vendor.distribution, "package": vendor.package, "version": PACKAGE_VERSION},
        "inputs": {
            "spec": {"path": spec.source.spec_path.as_posix(), "sha256": spec.source.sha256},
            "overlays": [{"path": path.as_posix(), "sha256": digest} for path, digest in spec.overlays],
        },
        "effective_spec": {"path": f"{vendor.output_dir.as_posix()}/openapi.json", "sha256": spec.sha256},
        "output": {"operations": operations, "models": models},
        "tools": _tool_versions(),
        "templates": _template_hashes(),
        "fingerprint": fingerprint(root, vendor),
    }
    (out / RECORD).write_text(dump_json(record), encoding="utf-8")
    return operations, models


def _build_into(root: Path, vendors: Sequence[Vendor], staging: Path) -> dict[str, tuple[int, int, float]]:
    """Build, format, stamp and record `vendors` in staging; returns key -> (operations, models, seconds)."""
    from generator.codegen import format_packages, stamp_headers

    specs: dict[str, tuple[EffectiveSpec, float]] = {}
    for vendor in vendors:
        started = time.perf_counter()
        specs[vendor.key] = (_build_vendor(root, vendor, staging), time.perf_counter() - started)
    started = time.perf_counter()
    if vendors:
        format_packages(staging)
    stats: dict[str, tuple[int, int, float]] = {}
    for key, (spec, _) in specs.items():
        # After ruff: isort would move a comment that sits on top of the first import along with it.
        stamp_headers(spec, staging / key, _staged_conformance(staging, spec.vendor))
        operations, models = _write_record(root, spec, staging / key)
        stats[key] = (operations, models, 0.0)
    # ruff ran once for all: share its time out so per-vendor seconds add up to the whole run
    share = (time.perf_counter() - started) / max(len(vendors), 1)
    return {key: (ops, models, specs[key][1] + share) for key, (ops, models, _) in stats.items()}


def _recorded_output(root: Path, vendor: Vendor) -> tuple[int, int]:
    try:
        record = json.loads((root / vendor.output_dir / RECORD).read_text(encoding="utf-8"))
        return int(record["output"]["operations"]), int(record["output"]["models"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return -1, -1


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def generate(vendors: Sequence[Vendor] = VENDORS, *, force: bool = False, root: Path = REPO_ROOT) -> list[VendorResult]:
    """Regenerate the vendors whose inputs changed (all of `vendors` with force)."""
    todo = [v for v in vendors if force or _recorded_fingerprint(root, v) != fingerprint(root, v)]
    results: dict[str, VendorResult] = {}
    if todo:
        generated = root / "generated"
        generated.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=generated))
        try:
            stats = _build_into(root, todo, staging)
            for vendor in todo:  # all built: swap each vendor folder in whole, and its conformance module
                target = root / vendor.output_dir
                if target.exists():
                    shutil.rmtree(target)
                (staging / vendor.key).rename(target)
                module = _conformance_module(root, vendor)
                module.parent.mkdir(parents=True, exist_ok=True)
                _staged_conformance(staging, vendor).replace(module)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for vendor in todo:
            operations, models, seconds = stats[vendor.key]
            files = _count_files(root / vendor.output_dir)
            results[vendor.key] = VendorResult(vendor, True, seconds, files, operations, models)
    for vendor in vendors:
        if vendor.key not in results:
            operations, models = _recorded_output(root, vendor)
            files = _count_files(root / vendor.output_dir)
            results[vendor.key] = VendorResult(vendor, False, 0.0, files, operations, models)
    return [results[v.key] for v in vendors]


def _tree(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def check(vendors: Sequence[Vendor] = VENDORS, *, root: Path = REPO_ROOT) -> list[str]:
    """Regenerate every vendor into a scratch folder and list how generated/ differs from it."""
    with tempfile.TemporaryDirectory(prefix="reelforge-check-") as scratch:
        staging = Path(scratch)
        _build_into(root, vendors, staging)
        problems: list[str] = []
        for vendor in vendors:
            fresh, committed = staging / vendor.key, root / vendor.output_dir
            fresh_files, committed_files = _tree(fresh), _tree(committed)
            for name in sorted(fresh_files - committed_files):
                problems.append(f"missing:  {vendor.output_dir.as_posix()}/{name}")
            for name in sorted(committed_files - fresh_files):
                problems.append(f"stale:    {vendor.output_dir.as_posix()}/{name}")
            for name in sorted(fresh_files & committed_files):
                if not filecmp.cmp(fresh / name, committed / name, shallow=False):
                    problems.append(f"differs:  {vendor.output_dir.as_posix()}/{name}")
            fresh_module, module = _staged_conformance(staging, vendor), _conformance_module(root, vendor)
            where = module.relative_to(root).as_posix()
            if not module.exists():
                problems.append(f"missing:  {where}")
            elif not filecmp.cmp(fresh_module, module, shallow=False):
                problems.append(f"differs:  {where}")
        known = {v.key for v in vendors}
        generated = root / "generated"
        if generated.is_dir():
            for entry in sorted(generated.iterdir()):
                if entry.name not in known and not entry.name.startswith("."):
                    problems.append(f"stale:    generated/{entry.name} (no such vendor)")
        for module in sorted((root / CONFORMANCE_DIR).glob("test_*.py")):
            emitted = module.read_text(encoding="utf-8").startswith("# Generated by reelforge's spec pipeline")
            if emitted and module.stem.removeprefix("test_") not in known:
                problems.append(f"stale:    {module.relative_to(root).as_posix()} (no such vendor)")
    return problems
