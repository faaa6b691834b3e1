"""`python -m generator diff --base REF`: every vendor's effective spec and generated package at a git ref,
against the working tree.

The old versions are read from git (`git ls-tree`, then one `git archive` into a temporary folder), never
checked out, so the working tree is left alone. A vendor that exists on one side only is compared with an empty
spec that shares the other side's servers and security schemes, so it reports its operations, nothing else.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.diff.changes import Change
from generator.diff.documents import Document, parse_openapi
from generator.diff.python_api import diff_packages
from generator.diff.rules import diff_documents
from generator.errors import PipelineError
from generator.vendors import Vendor

__all__ = ["diff_base", "resolve_ref"]


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise PipelineError("git is not installed", fix="install git; --base reads the old versions from it")
    return subprocess.run([git, *args], cwd=root, capture_output=True, check=False)


def resolve_ref(root: Path, ref: str) -> str:
    """The commit `ref` names in the repository at `root`, or a PipelineError that names the ref."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise PipelineError(f"{root}: not a git repository", fix="run the diff inside a clone of the repository")
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise PipelineError(
            f"unknown git ref {ref!r} in {root}",
            fix="name a branch, tag or commit that exists here (in CI, fetch the base branch: checkout with "
            "fetch-depth: 0, or `git fetch origin <branch>`)",
        )
    return found.stdout.decode().strip()


def _extract(root: Path, commit: str, paths: list[str], into: Path) -> None:
    if not paths:
        return
    archive = _git(root, "archive", "--format=tar", commit, "--", *paths)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip()
        raise PipelineError(f"git archive {commit[:12]} failed: {message}", fix="check the repository")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def _python_files(package: Path) -> dict[str, bytes]:
    return {
        p.relative_to(package).as_posix(): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.suffix in (".py", ".pyi") and p.is_file()
    }


def _empty_like(other: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {"openapi": other.get("openapi", "3.1.0"), "paths": {}}
    if "servers" in other:
        document["servers"] = other["servers"]
    schemes = (other.get("components") or {}).get("securitySchemes")
    if schemes is not None:
        document["components"] = {"securitySchemes": schemes}
    return document


def _spec_changes(vendor: Vendor, old_file: Path, old_source: str, new_file: Path) -> list[Change]:
    old = parse_openapi(old_file.read_text(encoding="utf-8"), old_source) if old_file.is_file() else None
    new = parse_openapi(new_file.read_text(encoding="utf-8"), str(new_file)) if new_file.is_file() else None
    if old is None and new is None:
        return []
    old_document = Document(old if old is not None else _empty_like(new or {}), old_source)
    new_document = Document(new if new is not None else _empty_like(old or {}), str(new_file))
    return diff_documents(old_document, new_document, vendor.key)


def diff_base(root: Path, ref: str, vendors: Sequence[Vendor]) -> tuple[str, list[Change]]:
    """(the commit `ref` names, every change from it to the working tree under `root`) for `vendors`."""
    commit = resolve_ref(root, ref)
    listed = _git(root, "ls-tree", "-r", "--name-only", commit, "--", "generated")
    names = set(listed.stdout.decode().splitlines()) if listed.returncode == 0 else set()
    wanted: list[str] = []
    for vendor in vendors:
        for path in (f"generated/{vendor.key}/openapi.json", f"generated/{vendor.key}/{vendor.package}"):
            if any(name == path or name.startswith(f"{path}/") for name in names):
                wanted.append(path)
    changes: list[Change] = []
    with tempfile.TemporaryDirectory(prefix="reelforge-diff-") as scratch:
        old_root = Path(scratch)
        _extract(root, commit, wanted, old_root)
        for vendor in vendors:
            spec = Path("generated") / vendor.key / "openapi.json"
            changes += _spec_changes(vendor, old_root / spec, f"{ref}:{spec.as_posix()}", root / spec)
            old_package = old_root / vendor.output_dir / vendor.package
            new_package = root / vendor.output_dir / vendor.package
            old_parent = old_package.parent if old_package.is_dir() else None
            new_parent = new_package.parent if new_package.is_dir() else None
            if old_parent and new_parent and _python_files(old_package) == _python_files(new_package):
                continue
            changes += diff_packages(old_parent, new_parent, vendor.package, vendor.key)
    return commit, changes
