from __future__ import annotations

import copy

import pytest

from reelforge.sandbox.lifecycle import FAIL_MARKER, PHASE_SECONDS, JobLifecycle, JobState, should_fail
from reelforge.specs import REELFORGE_STATES, Spec
from tests.sandbox._specs import VENDORS, create_operations, document, status_response_pointer, validation_errors

JOB_ID = "6d1f0a3b-2c4e-4f5a-8b9c-0d1e2f3a4b5c"
URLS = ("https://files.sandbox.test/r/one.mp4", "https://files.sandbox.test/r/two.mp4")
EXPIRES = ("2026-01-02T12:00:00Z", "2026-01-02T12:00:00Z")
# What a new job shows at each vendor (Magic Hour: the first queued value of its states list).
FIRST_STATUS = {"hera": "in-progress", "hedra": "queued", "magichour": "queued", "argil": "IDLE", "oxen": "queued"}


def _lifecycle(vendor: str) -> JobLifecycle:
    (create,) = create_operations(vendor)
    return JobLifecycle.from_spec(Spec(document(vendor), vendor), create)


def _sample_times(lifecycle: JobLifecycle, started: bool, fail: bool) -> list[float]:
    steps = lifecycle.timeline(started=started, fail=fail)
    times = {0.0, steps[-1].at + 100.0}
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        times.add(step.at)
        if following is not None:
            times.add((step.at + following.at) / 2)
    return sorted(times)


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_vendor_has_one_job_kind(vendor: str) -> None:
    assert len(create_operations(vendor)) == 1


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_states_of_the_status_values_match_the_spec(vendor: str) -> None:
    lifecycle = _lifecycle(vendor)
    job = lifecycle.job
    listed = {value: state for state in REELFORGE_STATES for value in job.states[state]}
    assert set(lifecycle.status_values) == set(listed)
    for value in lifecycle.status_values:
        assert lifecycle.state_of(value) == listed[value]
    with pytest.raises(ValueError, match="not a status"):
        lifecycle.state_of("no-such-status")


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_first_status(vendor: str) -> None:
    lifecycle = _lifecycle(vendor)
    assert lifecycle.first_status == FIRST_STATUS[vendor]
    for started in (False, True):
        assert lifecycle.timeline(started=started)[0].vendor_status == FIRST_STATUS[vendor]
        assert lifecycle.state_at(0.0, started=started).vendor_status == FIRST_STATUS[vendor]


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("fail", [False, True])
def test_the_timeline_runs_in_order_to_its_end(vendor: str, fail: bool) -> None:
    lifecycle = _lifecycle(vendor)
    steps = lifecycle.timeline(started=True, fail=fail)
    states = [lifecycle.state_of(step.vendor_status) for step in steps]
    order = {state: index for index, state in enumerate(REELFORGE_STATES)}
    assert [order[s] for s in states[:-1]] == sorted(order[s] for s in states[:-1])
    assert all(state in ("queued", "running") for state in states[:-1])
    assert states[-1] == ("failed" if fail else "succeeded")
    assert [step.at for step in steps] == sorted({step.at for step in steps})
    assert [step.progress for step in steps] == sorted(step.progress for step in steps)
    assert all(0.0 <= step.progress <= 1.0 for step in steps)
    total = sum(PHASE_SECONDS.values())
    assert steps[-1].at <= total
    if not fail:
        assert steps[-1].progress == 1.0
        assert [s.vendor_status for s in steps if lifecycle.state_of(s.vendor_status) == "running"] == list(
            lifecycle.states["running"]
        )


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_job_that_needs_a_start_waits_for_it(vendor: str) -> None:
    lifecycle = _lifecycle(vendor)
    if vendor == "argil":
        assert lifecycle.needs_start
    waiting = lifecycle.state_at(10_000.0, speed=100.0, started=False)
    if lifecycle.needs_start:
        assert waiting == JobState(lifecycle.first_status, "queued", 0.0, None, False)
        assert lifecycle.timeline(started=False) == lifecycle.timeline(started=False, fail=True)[:1]
    else:
        assert waiting.terminal  # the start flag means nothing to a vendor without a start call
    assert lifecycle.state_at(10_000.0, started=True).terminal


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_fail_marker_ends_in_the_failed_value(vendor: str) -> None:
    lifecycle = _lifecycle(vendor)
    prompt = f"A red fox in the snow {FAIL_MARKER}"
    assert should_fail(prompt)
    assert should_fail("a [FAIL] in capitals")
    assert not should_fail("A red fox in the snow")
    assert not should_fail(None)
    end = lifecycle.state_at(60.0, fail=should_fail(prompt))
    assert end.vendor_status == lifecycle.states["failed"][0]
    assert (end.reelforge_state, end.terminal, end.eta_seconds) == ("failed", True, 0.0)
    ok = lifecycle.state_at(60.0, fail=should_fail("A red fox"))
    assert ok.vendor_status == lifecycle.states["succeeded"][0]
    assert (ok.reelforge_state, ok.progress, ok.terminal) == ("succeeded", 1.0, True)


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("fail", [False, True])
def test_speed_scales_every_duration(vendor: str, fail: bool) -> None:
    lifecycle = _lifecycle(vendor)
    for at in _sample_times(lifecycle, started=True, fail=fail):
        slow = lifecycle.state_at(at, speed=1.0, fail=fail)
        fast = lifecycle.state_at(at / 10, speed=10.0, fail=fail)
        assert (fast.vendor_status, fast.reelforge_state, fast.terminal) == (
            slow.vendor_status,
            slow.reelforge_state,
            slow.terminal,
        )
        assert fast.progress == pytest.approx(slow.progress)
        assert slow.eta_seconds is not None
        assert fast.eta_seconds == pytest.approx(slow.eta_seconds / 10)
    end = lifecycle.timeline(fail=fail)[-1].at
    assert lifecycle.state_at(end / 10, speed=10.0, fail=fail).terminal
    assert not lifecycle.state_at(end / 10 * 0.99, speed=10.0, fail=fail).terminal
    assert not lifecycle.state_at(end / 10, speed=1.0, fail=fail).terminal
    with pytest.raises(ValueError, match="speed"):
        lifecycle.state_at(1.0, speed=0.0)


@pytest.mark.parametrize("vendor", VENDORS)
def test_progress_and_eta_move_the_right_way(vendor: str) -> None:
    lifecycle = _lifecycle(vendor)
    times = [i / 10 for i in range(60)]
    states = [lifecycle.state_at(t) for t in times]
    progress = [state.progress for state in states]
    assert progress == sorted(progress)
    etas = [state.eta_seconds for state in states]
    assert all(eta is not None for eta in etas)
    assert etas == sorted(etas, reverse=True)  # type: ignore[type-var]
    assert etas[-1] == 0.0


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize(("started", "fail"), [(True, False), (True, True), (False, False)])
def test_every_status_body_on_the_timeline_validates(vendor: str, started: bool, fail: bool) -> None:
    lifecycle = _lifecycle(vendor)
    job = lifecycle.job
    ptr = status_response_pointer(vendor, lifecycle.create_operation_id)
    for at in _sample_times(lifecycle, started=started, fail=fail):
        state = lifecycle.state_at(at, fail=fail, started=started)
        body = lifecycle.status_body(state, JOB_ID, URLS, "the model refused the prompt", EXPIRES)
        assert validation_errors(vendor, ptr, body) == [], (at, state, body)
        assert job.status.find(body) == [state.vendor_status]
        urls = [url for url in job.result_urls.find(body) if isinstance(url, str) and url]
        errors = job.error_message.find(body) if job.error_message is not None else []
        if state.reelforge_state == "succeeded":
            assert urls == (list(URLS) if not job.result_urls.is_singular else [URLS[0]])
            if job.result_expires_at is not None:
                assert job.result_expires_at.find(body) == list(EXPIRES)
        else:
            assert urls == []
        if state.reelforge_state == "failed" and job.error_message is not None:
            assert errors and all(message == "the model refused the prompt" for message in errors)
        else:
            assert [message for message in errors if message] == []
        if job.progress is not None:
            (value,) = job.progress.path.find(body)
            assert value == pytest.approx(state.progress * job.progress.scale)
        if lifecycle.job_id_field is not None:
            assert body[lifecycle.job_id_field] == JOB_ID


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_job_id_lands_in_the_status_body(vendor: str) -> None:
    # Every vendor's status answer repeats the id the create answer gave, under the same name.
    assert _lifecycle(vendor).job_id_field is not None


def test_from_spec_refuses_what_it_cannot_play() -> None:
    spec = Spec(document("oxen"), "oxen")
    with pytest.raises(ValueError, match="no operation"):
        JobLifecycle.from_spec(spec, "no_such_operation")
    status_op = _lifecycle("oxen").job.status_operation
    with pytest.raises(ValueError, match="no x-reelforge-job"):
        JobLifecycle.from_spec(spec, status_op)


def test_from_spec_refuses_states_that_disagree_with_the_status_enum() -> None:
    spec = copy.deepcopy(dict(document("hedra")))
    (create,) = create_operations("hedra")
    job = next(
        op["x-reelforge-job"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == create
    )
    job["states"]["running"] = job["states"]["running"][:1]  # one enum value in no list
    with pytest.raises(ValueError, match="disagree"):
        JobLifecycle.from_spec(Spec(spec), create)
    job["states"]["running"] = [*job["states"]["running"], "finalizing", job["states"]["queued"][0]]  # in two
    with pytest.raises(ValueError, match="more than one"):
        JobLifecycle.from_spec(Spec(spec), create)
