"""The `reelforge` command: `reelforge sandbox` serves the offline sandbox, `reelforge demo` runs one job per vendor.

Both need the optional `sandbox` extra (`pip install 'reelforge[sandbox]'`); without it they say so and exit 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Final

from reelforge.registry import VENDORS
from reelforge.sandbox import MIN_SPEED

__all__ = ["main"]

_EXTRA_HINT: Final = "the sandbox needs reelforge's optional extra: pip install 'reelforge[sandbox]'"


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (try 1, 10 or 0.5)") from None
    if not MIN_SPEED <= value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text!r} must be a number from {MIN_SPEED:g} up (1 is real time, 10 ten times faster)"
        )
    return value


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535; 0 picks a free one)")
    return int(text)


def _existing_file(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder, not a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reelforge", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sandbox = commands.add_parser(
        "sandbox",
        help="serve every vendor's API offline on one local port",
        description="Serve the five vendors' APIs offline, each under /<vendor>/<base path>, until Ctrl-C.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    sandbox.add_argument("--port", type=_port, default=8000, help="port; 0 picks a free one (default: %(default)s)")
    sandbox.add_argument(
        "--speed", type=_speed, default=1.0, help="time factor for job phases and URL lifetimes (default: %(default)s)"
    )
    sandbox.add_argument("--faults", type=_existing_file, metavar="FILE", help="fault rules (YAML or JSON)")
    sandbox.add_argument(
        "--state", type=Path, metavar="FILE", help="keep jobs in this SQLite file, so a restart still knows them"
    )
    sandbox.add_argument(
        "--vendor", action="append", choices=VENDORS, help="serve only this vendor (repeatable; default: all)"
    )
    sandbox.add_argument("--quiet", action="store_true", help="do not print what the sandbox does as it happens")

    demo = commands.add_parser(
        "demo",
        help="run one whole job per vendor through the generated clients",
        description="Create, start, poll and download one job per vendor through the generated clients, against "
        "a sandbox started for the run (or --sandbox URL), and print what was made.",
    )
    demo.add_argument("--out", type=Path, default=Path("out"), help="folder for the videos (default: %(default)s)")
    demo.add_argument(
        "--speed", type=_speed, default=10.0, help="time factor of the embedded sandbox (default: %(default)s)"
    )
    demo.add_argument("--sandbox", metavar="URL", help="use a running sandbox at URL instead of starting one")
    demo.add_argument(
        "--vendor", action="append", choices=VENDORS, help="run only this vendor (repeatable; default: all)"
    )
    return parser


# Details left out of the printed line: a request body (job_created's, job_started's) would make it a screenful;
# the log has it.
_NOT_PRINTED: Final = frozenset({"event", "at", "vendor", "body"})


def _print_event(entry: dict[str, Any]) -> None:
    """One line per event: time, event, vendor, then the other details as key=value."""
    moment = time.strftime("%H:%M:%S", time.localtime(entry["at"]))
    details = " ".join(f"{k}={v}" for k, v in entry.items() if k not in _NOT_PRINTED and v is not None)
    print(f"{moment}  {entry['event']:<20} {entry.get('vendor') or '-':<10} {details}", flush=True)


def _serve(args: argparse.Namespace) -> int:
    # Ctrl-C or SIGTERM from here on, even during the start-up, stops the sandbox cleanly (exit 0).
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    from reelforge.sandbox.faults import FaultFileError, FaultPlan
    from reelforge.sandbox.server import Sandbox
    from reelforge.sandbox.state import StateFileError

    try:
        faults = FaultPlan.from_file(args.faults) if args.faults is not None else None
        sandbox = Sandbox(
            host=args.host,
            port=args.port,
            speed=args.speed,
            vendors=args.vendor or VENDORS,
            faults=faults,
            state_file=args.state,
        )
        if not args.quiet:
            sandbox.state.listeners.append(_print_event)
        sandbox.start()
    except (FaultFileError, StateFileError, OSError) as exc:
        print(f"reelforge sandbox: {exc}", file=sys.stderr)
        return 2

    try:
        print(f"reelforge sandbox on {sandbox.url} (speed {args.speed:g}); Ctrl-C stops it", flush=True)
        for vendor in sandbox.vendors:
            print(f"  {vendor:<10} base_url={sandbox.base_url(vendor)}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from reelforge.demo import run_demo
    from reelforge.sandbox.server import Sandbox

    vendors: Sequence[str] = args.vendor or VENDORS
    embedded = Sandbox(speed=args.speed, vendors=vendors) if args.sandbox is None else None
    with embedded if embedded is not None else nullcontext():
        where = f"{embedded.url} (speed {args.speed:g})" if embedded is not None else args.sandbox
        print(f"one job per vendor through the facade (Studio), against the sandbox at {where}", flush=True)
        if embedded is not None:
            base_urls = {vendor: embedded.base_url(vendor) for vendor in vendors}
        else:
            from reelforge.sandbox.catalog import served_vendor

            base_urls = {vendor: args.sandbox.rstrip("/") + served_vendor(vendor).prefix for vendor in vendors}
        runs, failures = run_demo(vendors, base_urls, args.out)
    header = ("vendor", "job id", "status", "seconds", "file", "bytes")
    rows = [(r.vendor, r.job_id, r.status, f"{r.seconds:.2f}", str(r.file), f"{r.size:,}") for r in runs]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            return _serve(args)
        return _demo(args)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] in {"starlette", "uvicorn", "openapi_core", "yaml"}:
            print(f"reelforge {args.command}: {_EXTRA_HINT} ({exc.name} is missing)", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
