"""Command line of the pipeline: `python -m generator {overlay,generate,check}`.

This is the only place that turns a PipelineError into an exit code.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator.errors import PipelineError
from generator.vendors import VENDORS, Vendor, vendor_by_key


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
        print("no drift: generated/ is exactly what the pipeline makes")
        return 0
    print(f"drift: {len(problems)} file(s) under generated/ differ from what the pipeline makes:", file=sys.stderr)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    print(f"fix: run `{FIX_COMMAND}` and commit generated/ (never edit it by hand)", file=sys.stderr)
    return 1


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
