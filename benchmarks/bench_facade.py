"""Measure the facade and print one table: what it costs over raw httpx, and how well it waits.

- submit: a facade `Studio.submit` (mapping, validation, the create call, reading the answer) against a raw
  `httpx.Client.post` of the same body with the same key header, both over loopback on kept-alive
  connections; median per call over --submits calls each, interleaved in rounds.
- import: `import reelforge` against `import httpx`, each in --runs fresh interpreters (median wall time of
  the whole interpreter, minus `python -c pass`).
- waiting: status calls and detection delay (how long after the job ended the wait returned) for jobs of 10 s,
  60 s and 600 s, on a blind vendor (no progress reported) and one that reports progress. The sandbox runs
  each job in --real seconds, and the poll schedule sees time stretched by the same factor, so a 600 s job
  takes a few seconds; delays are given in the job's own (stretched) seconds.

The sandbox runs in its own process (SandboxProcess). No assertions: the figures are for the README.
Run: `python benchmarks/bench_facade.py` (options: --submits, --runs, --real, --vendors).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

import reelforge
from reelforge import Studio, SubmitIntent, SubmitObserver
from reelforge.catalog import known_vendors, spec_of
from reelforge.demo import demo_request
from reelforge.lifecycle import call_for, schemes_of
from reelforge.sandbox.server import SandboxProcess
from reelforge.waiting import Observation, PollSchedule, next_delay

_KEY = "bench-key"
_PROMPT = "A red fox running through snow"
_SANDBOX_JOB_SECONDS = 4.0  # one job at sandbox speed 1: 1 s queued, 3 s running (docs/sandbox.md)


class _Recorder(SubmitObserver):
    def __init__(self) -> None:
        self.intents: list[SubmitIntent] = []

    def submitting(self, intent: SubmitIntent) -> None:
        self.intents.append(intent)


class _CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.gets += 1
        return super().handle_request(request)


def _median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def bench_submit(sandbox: SandboxProcess, vendor: str, calls: int) -> tuple[float, float]:
    """(facade ms, raw httpx ms) per create call, medians."""
    recorder = _Recorder()
    urls = {vendor: sandbox.base_url(vendor)}
    request = demo_request(vendor)  # the prompt, and what the vendor requires besides (Argil: an avatar)
    with Studio(keys={vendor: _KEY}, base_urls=urls, observer=recorder) as studio:
        studio.submit(vendor, request)  # warm: specs read, validator built, connection open
        intent = recorder.intents[0]
        client = studio.client(vendor)
        create = spec_of(vendor).operation(intent.operation)
        call = call_for(vendor, create, body=intent.body)
        headers = {"Content-Type": "application/json", **client.credential_headers(schemes_of(create))}
        url = f"{urls[vendor].rstrip('/')}/{call.url}"
        with httpx.Client(timeout=30) as raw:
            raw.post(url, json=intent.body, headers=headers).raise_for_status()
            facade: list[float] = []
            plain: list[float] = []
            for _ in range(calls):
                started = time.perf_counter()
                studio.submit(vendor, request)
                facade.append(time.perf_counter() - started)
                started = time.perf_counter()
                raw.post(url, json=intent.body, headers=headers).raise_for_status()
                plain.append(time.perf_counter() - started)
    return _median_ms(facade), _median_ms(plain)


def _interpreter(code: str, runs: int) -> float:
    # The reelforge this process imported (the source tree when run from it), not whatever is installed.
    source = str(Path(reelforge.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": source}
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def bench_import(runs: int) -> tuple[float, float]:
    """(import reelforge ms, import httpx ms), each over a bare interpreter's start."""
    bare = _interpreter("pass", runs)
    return (_interpreter("import reelforge", runs) - bare) * 1000, (_interpreter("import httpx", runs) - bare) * 1000


def _stretched(factor: float, schedule: PollSchedule = next_delay) -> PollSchedule:
    """The schedule as it would run on a job `factor` times longer: it sees stretched time, its pause shrinks."""

    def stretched(history: Sequence[Observation]) -> float:
        seen = [
            Observation(o.elapsed * factor, o.progress, None if o.eta_seconds is None else o.eta_seconds * factor)
            for o in history
        ]
        return schedule(seen) / factor

    return stretched


def bench_wait(sandbox: SandboxProcess, vendor: str, length: float, real: float) -> tuple[int, float]:
    """(status calls, detection delay in the job's seconds) for one job of `length` seconds run in `real`."""
    factor = length / real
    transport = _CountingTransport()
    urls = {vendor: sandbox.base_url(vendor)}
    with Studio(keys={vendor: _KEY}, base_urls=urls, transport=transport, poll_schedule=_stretched(factor)) as studio:
        submitted = time.perf_counter()
        job = studio.submit(vendor, demo_request(vendor))
        before = transport.gets
        studio.wait(job, timeout=real * 10)
        finished = time.perf_counter()
    return transport.gets - before, max(0.0, (finished - submitted - real) * factor)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submits", type=int, default=200, help="create calls per side (default 200)")
    parser.add_argument("--runs", type=int, default=10, help="fresh interpreters per import (default 10)")
    parser.add_argument("--real", type=float, default=4.0, help="real seconds each waited job runs (default 4)")
    parser.add_argument("--vendors", nargs="*", default=["hera", "hedra"], help="vendors to wait on")
    options = parser.parse_args(argv)

    rows: list[tuple[str, str, str]] = []
    speed = _SANDBOX_JOB_SECONDS / options.real
    with SandboxProcess(["--speed", f"{speed:g}", "--quiet"]) as sandbox:
        for vendor in known_vendors():
            facade, plain = bench_submit(sandbox, vendor, options.submits)
            rows.append((f"submit {vendor}", f"{facade:.2f} ms vs httpx {plain:.2f} ms", f"{facade / plain:.2f}x"))
        for vendor in options.vendors:
            for length in (10.0, 60.0, 600.0):
                calls, delay = bench_wait(sandbox, vendor, length, options.real)
                target = max(1.0, 0.05 * length)
                rows.append(
                    (
                        f"wait {vendor} {length:g} s job",
                        f"{calls} status calls, seen {delay:.1f} s after its end",
                        f"target <= {target:g} s, <= 20 calls",
                    )
                )
    ours, theirs = bench_import(options.runs)
    rows.insert(0, ("import reelforge", f"{ours:.1f} ms vs import httpx {theirs:.1f} ms", f"{ours / theirs:.2f}x"))
    width = max(len(row[0]) for row in rows)
    middle = max(len(row[1]) for row in rows)
    print(f"{'what':<{width}}  {'measured':<{middle}}  ratio / target")
    for what, measured, ratio in rows:
        print(f"{what:<{width}}  {measured:<{middle}}  {ratio}")


if __name__ == "__main__":
    main()
