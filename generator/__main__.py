"""Command line of the pipeline: `python -m generator {overlay,generate,check,engine-input,diff,vendor}`.

This is the only place that turns a PipelineError into an exit code.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator.errors import PipelineError
from generator.vendors import REPO_ROOT, VENDORS, Vendor, vendor_by_key


def _overlay(args: argparse.Namespace) -> int:
    from generator.documents import dump_json, load_document
    from generator.overlay import apply_overlays, load_overlay

    document = load_document(Path(args.spec))
    overlays = [load_overlay(Path(path)) for path in args.overlays]
    result = apply_overlays(document, overlays, allow_empty_targets=args.allow_empty_targets)
    sys.stdout.write(dump_json(result))
    return 0


def _vendors(keys: list[str]) -> list[Vendor]:
    return [vendor_by_key(key) for key in keys] if keys else list(VENDORS)


def _generate(args: argparse.Namespace) -> int:
    from generator.pipeline import generate

    started = time.perf_counter()
    results = generate(_vendors(args.vendors), force=args.force)
    total = time.perf_counter() - started
    print(f"{'vendor':<10} {'package':<20} {'result':<12} {'operations':>10} {'models':>7} {'files':>6} {'seconds':>8}")
    for r in results:
        result = "generated" if r.regenerated else "unchanged"
        seconds = f"{r.seconds:.2f}" if r.regenerated else "-"
        row = f"{result:<12} {r.operations:>10} {r.models:>7} {r.files:>6} {seconds:>8}"
        print(f"{r.vendor.key:<10} {r.vendor.package:<20} {row}")
    made = sum(r.regenerated for r in results)
    print(f"{made} of {len(results)} regenerated into generated/ in {total:.2f} s")
    return 0


def _check(args: argparse.Namespace) -> int:
    from generator.pipeline import FIX_COMMAND, check

    problems = check()
    if not problems:
        print("no drift: generated/ and tests/conformance/ are exactly what the pipeline makes")
        return 0
    print(f"drift: {len(problems)} generated file(s) differ from what the pipeline makes:", file=sys.stderr)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    print(
        f"fix: run `{FIX_COMMAND}` and commit generated/ and tests/conformance/ (never edit them by hand)",
        file=sys.stderr,
    )
    return 1


def _engine_input(args: argparse.Namespace) -> int:
    from generator.documents import dump_json
    from generator.effective import build_effective_spec
    from generator.engine_input import engine_input

    spec = build_effective_spec(Path(args.root), vendor_by_key(args.vendor))
    sys.stdout.write(dump_json(engine_input(spec.document)))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from generator.diff import Level, diff_files, diff_ref, fails, render, rules_table

    if args.rules:
        sys.stdout.write(rules_table())
        return 0
    if args.base is not None:
        if args.old is not None or args.new is not None:
            raise PipelineError("give either OLD and NEW, or --base REF, not both", fix="drop one of them")
        report = diff_ref(Path(args.root), args.base)
    elif args.old is not None and args.new is not None:
        report = diff_files(Path(args.old), Path(args.new), vendor=args.vendor)
    else:
        raise PipelineError("nothing to compare", fix="give OLD and NEW (two OpenAPI files), or --base REF")
    text = render(report, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(report.changes)} change(s))")
    return 1 if args.fail_on is not None and fails(report, Level(args.fail_on)) else 0


def _vendor(args: argparse.Namespace) -> int:
    import datetime

    from generator.vendoring import vendor_spec

    try:
        retrieved = datetime.date.fromisoformat(args.retrieved) if args.retrieved else None
    except ValueError as exc:
        raise PipelineError(f"--retrieved {args.retrieved!r} is not a date", fix="write it as YYYY-MM-DD") from exc
    done = vendor_spec(Path(args.root), vendor_by_key(args.vendor), Path(args.file), retrieved)
    print(f"{done.spec_path}: copied from {args.file} (sha256 {done.sha256})")
    previous = "new" if done.previous_sha256 is None else f"was {done.previous_sha256}"
    print(f"{done.source_path}: sha256 {previous}, retrieved {done.retrieved.isoformat()}")
    print(f"next: python -m generator generate {args.vendor}, then python -m generator diff --base HEAD")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    overlay = commands.add_parser("overlay", help="apply Overlay documents to an OpenAPI document, print JSON")
    overlay.add_argument("spec", help="the OpenAPI document (YAML or JSON)")
    overlay.add_argument("overlays", nargs="+", metavar="overlay", help="Overlay documents, applied in order")
    overlay.add_argument(
        "--allow-empty-targets",
        action="store_true",
        help="let an action whose target matches nothing pass (Overlay 1.1 permits it; strict by default)",
    )
    overlay.set_defaults(run=_overlay)

    generate = commands.add_parser("generate", help="regenerate the clients whose inputs changed")
    generate.add_argument("vendors", nargs="*", metavar="vendor", help="vendor keys (default: all)")
    generate.add_argument("--force", action="store_true", help="regenerate even when nothing changed")
    generate.set_defaults(run=_generate)

    check = commands.add_parser("check", help="fail when generated/ is not exactly what the pipeline makes")
    check.set_defaults(run=_check)

    engine = commands.add_parser(
        "engine-input",
        help="print the document openapi-python-client reads for a vendor (its effective spec with optional "
        "defaults made prose; see generator/engine_input.py), as JSON",
    )
    engine.add_argument("vendor", help="vendor key")
    engine.add_argument("--root", default=str(REPO_ROOT), help="the repository (default: this checkout)")
    engine.set_defaults(run=_engine_input)

    diff = commands.add_parser(
        "diff", help="what changed for client users between two OpenAPI documents, or since a git ref"
    )
    diff.add_argument("old", nargs="?", help="the old OpenAPI document (YAML or JSON)")
    diff.add_argument("new", nargs="?", help="the new OpenAPI document (YAML or JSON)")
    diff.add_argument(
        "--base",
        metavar="REF",
        help="compare every vendor's generated/<vendor>/openapi.json and Python package at git ref REF with the "
        "working tree",
    )
    diff.add_argument("--format", choices=("markdown", "json", "github"), default="markdown")
    diff.add_argument(
        "--fail-on",
        choices=("ERR", "WARN"),
        help="exit 1 when any change is at this level or above (default: exit 0 after printing)",
    )
    diff.add_argument("--output", metavar="FILE", help="write the result to FILE instead of standard output")
    diff.add_argument("--vendor", default="", help="the vendor name to report for OLD NEW (default: none)")
    diff.add_argument("--root", default=str(REPO_ROOT), help="the repository for --base (default: this checkout)")
    diff.add_argument("--rules", action="store_true", help="list every rule id with its level, and exit")
    diff.set_defaults(run=_diff)

    vendor = commands.add_parser(
        "vendor", help="copy a new upstream document to specs/<vendor>/openapi.yaml and record it in source.toml"
    )
    vendor.add_argument("vendor", help="vendor key")
    vendor.add_argument("file", help="the new upstream document, copied byte for byte")
    vendor.add_argument("--retrieved", metavar="YYYY-MM-DD", help="the retrieval date (default: today)")
    vendor.add_argument("--root", default=str(REPO_ROOT), help="the repository (default: this checkout)")
    vendor.set_defaults(run=_vendor)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
