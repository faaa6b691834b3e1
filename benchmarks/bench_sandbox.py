"""Measure the sandbox and print the figures the README quotes.

- start-up: `Sandbox().start()` in a fresh interpreter (imports, five specs read, validators built, socket bound),
  and the `reelforge sandbox` command from spawn to its "on http://..." line; median of --runs.
- status latency on loopback: one job per vendor, then --calls status calls per vendor, one after another,
  through the generated sync client on a kept-alive connection; p50 and p99 per vendor and overall.
- under load: --clients connections polling their own jobs at once (raw HTTP/1.1 keep-alive, so the load
  generator stays cheap); p50 and p99 of every status call.

The server runs in its own process (SandboxProcess), so the client's work is not counted as the server's.
Run: `python3 -m nox -s bench_sandbox` (or `python benchmarks/bench_sandbox.py --calls 2000 --clients 200`).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import statistics
import subprocess
import sys
import time
import typing
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from reelforge.registry import VENDORS
from reelforge.sandbox.credentials import credential_header
from reelforge.sandbox.demo import endpoint_module, request_example
from reelforge.sandbox.server import SandboxProcess
from reelforge.specs import JobExtension, Spec

_START_SNIPPET = (
    "import time; t = time.perf_counter(); from reelforge.sandbox.server import Sandbox; "
    "s = Sandbox().start(); print(time.perf_counter() - t); s.stop()"
)


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _job_parts(vendor: str) -> tuple[Any, Spec, JobExtension]:
    package = importlib.import_module(f"reelforge_{vendor}")
    spec = Spec(package.openapi_document(), vendor)
    return package, spec, JobExtension.all_in(spec)[0]


def _as_id(function: Callable[..., Any]) -> Callable[[str], Any]:
    hints = typing.get_type_hints(function)
    return uuid.UUID if hints[next(iter(hints))] is uuid.UUID else str


def measure_start(runs: int) -> None:
    library = [float(subprocess.check_output([sys.executable, "-c", _START_SNIPPET], text=True)) for _ in range(runs)]
    command = []
    for _ in range(runs):
        began = time.perf_counter()
        with SandboxProcess():
            command.append(time.perf_counter() - began)
    print(
        f"start-up, Sandbox().start() in a fresh interpreter: median {statistics.median(library):.3f} s "
        f"(min {min(library):.3f}, max {max(library):.3f}, {runs} runs)"
    )
    print(
        f"start-up, `reelforge sandbox` spawn to serving:       median {statistics.median(command):.3f} s "
        f"(min {min(command):.3f}, max {max(command):.3f}, {runs} runs)"
    )


def _create(package: Any, spec: Spec, job: JobExtension, client: Any) -> tuple[str, Callable[..., Any]]:
    create = endpoint_module(package, job.create_operation)
    example = request_example(spec.operation(job.create_operation))
    body = typing.get_type_hints(create.sync_detailed)["body"].from_dict(example)
    job_id = str(job.job_id.find(json.loads(create.sync_detailed(client=client, body=body).content))[0])
    status = endpoint_module(package, job.status_operation).sync_detailed
    if job.start_operation is not None:
        endpoint_module(package, job.start_operation).sync_detailed(_as_id(status)(job_id), client=client)
    return job_id, status


def measure_sequential(calls: int) -> None:
    everything: list[float] = []
    with SandboxProcess(["--speed", "1"]) as sandbox:
        for vendor in VENDORS:
            package, spec, job = _job_parts(vendor)
            with package.Client(base_url=sandbox.base_url(vendor), api_key="bench") as client:
                job_id, status = _create(package, spec, job, client)
                key = _as_id(status)(job_id)
                for _ in range(50):  # warm the connection and the server's caches
                    status(key, client=client)
                times = []
                for _ in range(calls):
                    began = time.perf_counter()
                    status(key, client=client)
                    times.append(time.perf_counter() - began)
            everything.extend(times)
            print(
                f"status call, {vendor:<9} p50 {_ms(_percentile(times, 0.5))}  p99 {_ms(_percentile(times, 0.99))}"
                f"  ({calls} sequential calls)"
            )
    print(
        f"status call, all       p50 {_ms(_percentile(everything, 0.5))}  p99 "
        f"{_ms(_percentile(everything, 0.99))}  ({len(everything)} calls)"
    )


def _credential(spec: Spec) -> tuple[str, str]:
    """The header that carries the key under the spec's first security scheme, and a key for it."""
    scheme = next(iter(spec.document["components"]["securitySchemes"].values()))
    header = credential_header(scheme)
    if header is None:
        raise LookupError(f"{spec.label}: the sandbox checks no header for its first security scheme")
    return header, "Bearer bench" if header == "authorization" else "bench"


def _status_request(vendor: str, base_url: str, job_id: str) -> bytes:
    """The raw HTTP/1.1 status request of a job, as the generated client sends it (path, key, keep-alive)."""
    _, spec, job = _job_parts(vendor)
    status_path = spec.operation(job.status_operation).path
    parts = urlsplit(base_url)
    target = parts.path + status_path.replace("{" + job.job_id_parameter + "}", job_id)
    name, value = _credential(spec)
    return f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{name}: {value}\r\nAccept: */*\r\n\r\n".encode()


async def _raw_poller(host: str, port: int, request: bytes, rounds: int, times: list[float]) -> None:
    """One keep-alive connection sending the same status request `rounds` times, reading each whole answer."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(rounds):
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200 "):
                raise RuntimeError(f"the sandbox answered {head.splitlines()[0]!r} to {request.splitlines()[0]!r}")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            times.append(time.perf_counter() - began)
    finally:
        writer.close()
        await writer.wait_closed()


def measure_load(clients: int, rounds: int) -> None:
    """Status calls from `clients` connections at once. The jobs are made with the generated clients; the polls
    are raw HTTP on kept-alive connections, because 200 generated async clients in one process spend four times
    the server's CPU building models, and the figure would be the load generator's, not the sandbox's."""
    times: list[float] = []
    with SandboxProcess(["--speed", "1"]) as sandbox:
        requests = []
        for i in range(clients):
            vendor = VENDORS[i % len(VENDORS)]
            package, spec, job = _job_parts(vendor)
            with package.Client(base_url=sandbox.base_url(vendor), api_key="bench") as client:
                job_id, _ = _create(package, spec, job, client)
            requests.append(_status_request(vendor, sandbox.base_url(vendor), job_id))
        address = urlsplit(sandbox.url)
        host, port = str(address.hostname), int(address.port or 80)

        async def everyone() -> None:
            await asyncio.gather(*(_raw_poller(host, port, request, rounds, times) for request in requests))

        began = time.perf_counter()
        asyncio.run(everyone())
        elapsed = time.perf_counter() - began
    print(
        f"status call under load, {clients} concurrent connections: p50 {_ms(_percentile(times, 0.5))}  p99 "
        f"{_ms(_percentile(times, 0.99))}  ({len(times)} calls, {len(times) / elapsed:.0f} calls/s overall)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="start-up measurements (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=2000, help="status calls per vendor (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=50, help="status calls per concurrent client (default: 50)")
    args = parser.parse_args()
    measure_start(args.runs)
    measure_sequential(args.calls)
    measure_load(args.clients, args.rounds)


if __name__ == "__main__":
    main()
