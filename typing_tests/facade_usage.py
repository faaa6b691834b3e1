"""The facade's public API as a user writes it: type-checked with mypy --strict, never run.

If a public type stops fitting this ordinary use (a method's result, an error's attributes, the async side),
the type check fails, before a user's editor does.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import reelforge
from reelforge import (
    AsyncStudio,
    AuthenticationError,
    ConfigurationError,
    InvalidRequest,
    Job,
    JobFailed,
    JobState,
    RateLimited,
    ReelforgeError,
    Studio,
    UnsupportedInput,
    VideoRequest,
    WaitTimeout,
)
from reelforge.catalog import CreateOperation, vendors


def report(job: Job) -> None:
    percent: float | None = None if job.progress is None else job.progress * 100
    print(job.vendor, job.id, job.state.value, percent, job.eta_seconds)


def make_one(folder: Path) -> list[Path]:
    request = VideoRequest(prompt="A red fox running through snow", duration=8, aspect_ratio="16:9")
    with Studio(keys={"hera": "key"}, base_urls={"hera": "http://127.0.0.1:8000/hera/v1"}, timeout=30) as studio:
        job: Job = studio.submit("hera", request)
        try:
            done: Job = studio.wait(job, timeout=900, on_progress=report)
        except JobFailed as failed:
            reason: str | None = failed.reason
            print(failed.job.id, reason)
            return []
        except WaitTimeout as late:
            again: Job = studio.job(late.job.vendor, late.job.id)
            done = studio.wait(again)
        paths: list[Path] = studio.download(done, folder)
        return paths


def handle_errors(studio: Studio) -> None:
    try:
        studio.submit("hedra", VideoRequest(prompt="x", reference_images=["https://example.com/a.png"]))
    except InvalidRequest as invalid:
        for problem in invalid.problems:
            print(problem.field, problem.rule, problem.value)
        field: str = invalid.field
        print(field)
    except UnsupportedInput as unsupported:
        name: str = unsupported.input
        print(name, unsupported.vendor, unsupported.operation)
    except RateLimited as limited:
        wait_for: float | None = limited.retry_after
        print(wait_for)
    except AuthenticationError as refused:
        status: int | None = refused.status
        print(status, refused.vendor_message)
    except ConfigurationError as config:
        variable: str | None = config.variable
        print(variable)
    except ReelforgeError as other:
        print(other.vendor, other.operation, other.__cause__)


def round_trip(job: Job) -> Job:
    text: str = job.to_json()
    back: Job = Job.from_json(text)
    finished: bool = back.state in (JobState.succeeded, JobState.failed) or back.done
    print(finished, back.result_urls, back.warnings, back.created_at.isoformat())
    return back


def lenient(folder: str) -> list[Path]:
    with Studio(strict=False) as studio:
        return studio.generate("oxen", VideoRequest(prompt="A fox", seed=7, count=1), folder, timeout=60)


def catalog() -> None:
    found: dict[str, tuple[CreateOperation, ...]] = vendors()
    for vendor, operations in found.items():
        for operation in operations:
            print(vendor, operation.operation, operation.accepted, operation.required, dict(operation.limits))


async def make_many(folder: Path) -> list[list[Path]]:
    async with AsyncStudio() as studio:
        requests = [VideoRequest(prompt=f"A fox, take {n}") for n in range(3)]
        jobs: list[Job] = [await studio.submit("magichour", request) for request in requests]

        async def finish(job: Job) -> list[Path]:
            done = await studio.wait(job, timeout=600, on_progress=report)
            return await studio.download(done, folder)

        results: list[list[Path]] = list(await asyncio.gather(*(finish(job) for job in jobs)))
        canceled: Job = await studio.cancel(jobs[0])
        print(canceled.state, reelforge.__all__)
        return results
