"""Waiting for a job: when to poll next (one pure function), and the polling loop as steps (transport.py).

The schedule starts quick and backs off. Blind (a vendor that reports neither progress nor eta), the next poll
comes after 40 % of the time waited so far (at least MIN_DELAY, at most MAX_BLIND_DELAY), so a job is seen
done within about 40 % of its length (30 s at most) at the cost of a few dozen calls for a 10-minute job.
Steered (the vendor reports an eta, or progress from which the rate is estimated), it sleeps through most of the
predicted remaining time (never more than MAX_STEERED_DELAY at once, in case the prediction is wrong) and then
polls every 5 % of the predicted length: a 10-minute job is seen done within max(MIN_DELAY, 5 %) with about a
dozen status calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from reelforge.errors import AuthenticationError, NotFound, RateLimited, ReelforgeError, VendorError, WaitTimeout
from reelforge.jobs import Job
from reelforge.transport import Notify, Sleep, Steps

__all__ = [
    "MAX_BLIND_DELAY",
    "MAX_STEERED_DELAY",
    "MIN_DELAY",
    "Observation",
    "PollSchedule",
    "Simulation",
    "next_delay",
    "predicted_remaining",
    "simulate",
    "wait_steps",
]

MIN_DELAY: Final = 0.1
MAX_BLIND_DELAY: Final = 30.0
MAX_STEERED_DELAY: Final = 120.0
BLIND_GROWTH: Final = 0.4  # blind: the next poll after this fraction of the time waited so far
TOLERANCE: Final = 0.05  # steered: detect the end within this fraction of the predicted length
STEERED_FRACTION: Final = 0.6  # steered: sleep this fraction of the predicted remaining time
_RETRY_BASE: Final = 0.25  # the first pause after a transient error with no Retry-After, doubling after
_RETRY_MAX: Final = 30.0


@dataclass(frozen=True, slots=True)
class Observation:
    """What one status call said: seconds since the wait began, progress (0..1) and eta where reported."""

    elapsed: float
    progress: float | None = None
    eta_seconds: float | None = None


PollSchedule = Callable[[Sequence[Observation]], float]
"""Seconds to wait before the next status call, from what the calls so far said."""


def predicted_remaining(history: Sequence[Observation]) -> float | None:
    """Seconds left, from the latest eta, else from the rate of progress between the latest sample and the
    latest earlier one that was lower (one sample: progress is taken to have started at 0 when the wait did);
    None when nothing is known."""
    if not history:
        return None
    last = history[-1]
    if last.eta_seconds is not None:
        return max(0.0, last.eta_seconds)
    samples = [(o.elapsed, o.progress) for o in history if o.progress is not None]
    if not samples:
        return None
    t2, p2 = samples[-1]
    if p2 >= 1:
        return 0.0
    for t1, p1 in reversed(samples[:-1]):
        if p1 < p2 and t1 < t2:
            return (1 - p2) * (t2 - t1) / (p2 - p1)
    if p2 > 0 and t2 > 0:
        return t2 * (1 - p2) / p2
    return None


def _single_sample(history: Sequence[Observation]) -> bool:
    """True when the only estimate is one progress sample with no eta (it overestimates after a queue)."""
    last = history[-1]
    return last.eta_seconds is None and sum(1 for o in history if o.progress is not None and o.progress > 0) < 2


def next_delay(history: Sequence[Observation]) -> float:
    """The default poll schedule (see the module docstring); pure, so tests and benchmarks compute it."""
    elapsed = history[-1].elapsed if history else 0.0
    blind = min(MAX_BLIND_DELAY, max(MIN_DELAY, BLIND_GROWTH * elapsed))
    remaining = predicted_remaining(history)
    if remaining is None:
        return blind
    tolerance = max(MIN_DELAY, min(MAX_BLIND_DELAY, TOLERANCE * (elapsed + remaining)))
    if remaining <= tolerance:
        return tolerance
    if _single_sample(history):
        # The time waited may include a queue: poll again soon for a rate instead of trusting it.
        return min(blind, max(tolerance, STEERED_FRACTION * remaining))
    return max(tolerance, min(MAX_STEERED_DELAY, STEERED_FRACTION * remaining))


@dataclass(frozen=True, slots=True)
class Simulation:
    """A simulated wait: the status calls made, and how long after the job's end the last one came."""

    calls: int
    detection_delay: float


def simulate(
    length: float,
    *,
    progress: Callable[[float], float | None] = lambda t: None,
    eta: Callable[[float], float | None] = lambda t: None,
    schedule: PollSchedule = next_delay,
) -> Simulation:
    """Poll a job that ends `length` seconds after the wait began, reporting `progress(t)` and `eta(t)` while
    it runs, under `schedule` (the first call is made at once)."""
    history: list[Observation] = []
    now = 0.0
    calls = 0
    while True:
        calls += 1
        if now >= length:
            return Simulation(calls, now - length)
        history.append(Observation(now, progress(now), eta(now)))
        now += schedule(history)


def _retryable(error: Exception) -> bool:
    """Transient while polling: no answer at all, 429, 5xx. A 401, 403 or 404 is final."""
    if isinstance(error, AuthenticationError | NotFound):
        return False
    if isinstance(error, RateLimited):
        return True
    return isinstance(error, VendorError) and (error.status is None or error.status >= 500)


def wait_steps(
    job: Job,
    poll: Callable[[Job], Steps[Job]],
    *,
    timeout: float,
    on_progress: Callable[[Job], object] | None = None,
    schedule: PollSchedule = next_delay,
    clock: Callable[[], float] = time.monotonic,
) -> Steps[Job]:
    """Poll `job` (each poll is `poll(job)`'s steps) until it is terminal or `timeout` seconds have passed.

    Returns the terminal job (whatever its state: the caller decides what a failure raises); WaitTimeout at the
    deadline, with the last state seen. Transient errors are retried within the deadline (honouring a 429's
    Retry-After); others are raised at once.
    """
    start = clock()
    deadline = start + timeout
    history: list[Observation] = []
    failures = 0
    last_error: ReelforgeError | None = None
    seen = (job.state, job.progress)
    while True:
        try:
            job = yield from poll(job)
        except ReelforgeError as exc:
            if not _retryable(exc):
                raise
            failures += 1
            last_error = exc
            pause = exc.retry_after if isinstance(exc, RateLimited) and exc.retry_after is not None else None
            if pause is None:
                pause = min(_RETRY_MAX, _RETRY_BASE * 2 ** (failures - 1))
            left = deadline - clock()
            if pause > left:
                raise WaitTimeout(job, timeout) from exc
            yield Sleep(pause)
            continue
        failures = 0
        if on_progress is not None and (job.state, job.progress) != seen:
            seen = (job.state, job.progress)
            yield Notify(on_progress, job)
        if job.done:
            return job
        now = clock()
        history.append(Observation(now - start, job.progress, job.eta_seconds))
        left = deadline - now
        if left <= 0:
            raise WaitTimeout(job, timeout) from last_error
        yield Sleep(min(schedule(history), left))
