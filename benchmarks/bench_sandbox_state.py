"""Benchmark: what a --state file costs the sandbox. Prints figures, no target.

Run: `python benchmarks/bench_sandbox_state.py`.

For each mode (in memory, SQLite file in a temporary folder), a fresh sandbox on loopback and Oxen's generated
client over one keep-alive connection: 200 creates, then 1,000 status calls spread over those jobs. The speed is
so high that every job has succeeded by its first status call, so 200 of the status calls also write the job's
new result token through (the rest only read). Then the store alone, without HTTP: STORE_CHANGES times what a
create does to it (add_job and a log entry) and what a status call that hands out a URL does (add_file, save_job).
Each figure is the median of RUNS runs. The worktree's src/ is put first on sys.path, so the figures are this
checkout's.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CREATES = 200
STATUS_CALLS = 1_000
STORE_CHANGES = 1_000
RUNS = 3


def _run(state_file: Path | None) -> tuple[float, float]:
    """Seconds for CREATES creates and for STATUS_CALLS status calls on one fresh sandbox."""
    from reelforge_oxen import Client
    from reelforge_oxen.api.queue import enqueue_generation, get_generation
    from reelforge_oxen.models import OxenQueueRequest

    from reelforge.sandbox.server import Sandbox

    with Sandbox(speed=1e6, vendors=["oxen"], state_file=state_file) as sandbox:
        client = Client(base_url=sandbox.base_url("oxen"), api_key="bench")
        body = OxenQueueRequest(model="wan-2.2-t2v-fast", prompt="a lighthouse at dusk", num_generations=1)
        began = time.perf_counter()
        ids = [enqueue_generation.sync(client=client, body=body).generations[0].generation_id for _ in range(CREATES)]
        created = time.perf_counter()
        for index in range(STATUS_CALLS):
            get_generation.sync(ids[index % CREATES], client=client)
        polled = time.perf_counter()
        client.get_httpx_client().close()
    return created - began, polled - created


def _store(state_file: Path | None) -> tuple[float, float]:
    """Seconds for STORE_CHANGES create-like and STORE_CHANGES status-like changes to a SandboxState."""
    from reelforge.sandbox.catalog import lifecycle_for
    from reelforge.sandbox.state import Job, ResultFile, SandboxState

    lifecycle = lifecycle_for("oxen", "enqueue_generation")
    assert lifecycle is not None
    state = SandboxState(state_file, lifecycle_for=lifecycle_for)
    jobs = [Job("oxen", f"job-{i}", lifecycle, created_at=time.time(), fail=False) for i in range(STORE_CHANGES)]
    began = time.perf_counter()
    for job in jobs:
        state.add_job(job)
        state.record("job_created", vendor=job.vendor, job_id=job.job_id, operation="enqueue_generation")
    created = time.perf_counter()
    for job in jobs:
        job.result_tokens = [f"token-{job.job_id}"]
        state.add_file(job.result_tokens[0], ResultFile(None))
        state.save_job(job)
    saved = time.perf_counter()
    state.close()
    return created - began, saved - created


def _medians(measure: Callable[[Path | None], tuple[float, float]], on_file: bool) -> tuple[float, float]:
    firsts: list[float] = []
    seconds: list[float] = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            first, second = measure(Path(folder) / "state.db" if on_file else None)
        firsts.append(first)
        seconds.append(second)
    return statistics.median(firsts), statistics.median(seconds)


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    _run(None)  # warm-up: the first sandbox in a process reads and indexes the spec
    print(f"sandbox state: {CREATES} creates, then {STATUS_CALLS} status calls; median of {RUNS} runs")
    for label, on_file in (("in memory", False), ("SQLite file", True)):
        creates, statuses = _medians(_run, on_file)
        print(
            f"  {label:<12} creates {creates:6.3f} s ({creates / CREATES * 1000:5.2f} ms each)"
            f"   status {statuses:6.3f} s ({statuses / STATUS_CALLS * 1000:5.2f} ms each)"
        )
    print(f"the store alone: {STORE_CHANGES} create-like, then {STORE_CHANGES} status-like changes; median of {RUNS}")
    for label, on_file in (("in memory", False), ("SQLite file", True)):
        creates, saves = _medians(_store, on_file)
        print(
            f"  {label:<12} creates {creates:6.3f} s ({creates / STORE_CHANGES * 1e6:6.1f} us each)"
            f"   result URLs {saves:6.3f} s ({saves / STORE_CHANGES * 1e6:6.1f} us each)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
