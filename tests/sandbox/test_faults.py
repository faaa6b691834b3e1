"""Fault injection over loopback: the header and fault files, through the generated clients and raw httpx."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from reelforge.sandbox.errors import ErrorKind, error_answer
from reelforge.sandbox.faults import FAULT_HEADER, SPELLINGS, Fault, FaultFileError, FaultPlan, parse_fault
from reelforge.sandbox.media import is_valid_mp4, result_video
from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import API_KEY, CREDENTIAL_HEADERS, DRIVERS, Recorder, poll
from tests.sandbox._specs import VENDORS, create_operations, operations
from tests.sandbox.conftest import SPEED

CREATES = {
    "hera": "create_video",
    "hedra": "create_generation",
    "magichour": "create_animation",
    "argil": "create_video",
    "oxen": "enqueue_generation",
}
HERA_BODY = {"prompt": "x", "outputs": [{"format": "mp4", "aspect_ratio": "16:9", "fps": "30", "resolution": "1080p"}]}


def _terminal(vendor: str) -> set[str]:
    create_id = create_operations(vendor)[0]
    job = next(op for _, _, op in operations(vendor) if op.get("operationId") == create_id)["x-reelforge-job"]
    return {*job["states"]["succeeded"], *job["states"]["failed"], *job["states"]["canceled"]}


class Served(Protocol):
    """What the tests use of a running sandbox: a Sandbox, or a test's view of a shared one."""

    @property
    def url(self) -> str: ...

    @property
    def log(self) -> list[dict[str, Any]]: ...

    def base_url(self, vendor: str) -> str: ...


@dataclass
class _Since:
    """A shared sandbox as one test sees it: only the log events since the test began."""

    running: Sandbox
    start: int

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def log(self) -> list[dict[str, Any]]:
        return self.running.log[self.start :]

    def base_url(self, vendor: str) -> str:
        return self.running.base_url(vendor)


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED) as running:
        yield running


@pytest.fixture
def sandbox(shared_sandbox: Sandbox) -> Served:
    """One server for the header tests of this module (a start and stop each costs ~0.1 s); each test reads
    only its own part of the log. Tests of fault files start a Sandbox of their own."""
    return _Since(shared_sandbox, len(shared_sandbox.log))


def _client(vendor: str, sandbox: Served, recorder: Recorder, fault: str | None = None, timeout: float = 10.0) -> Any:
    module = importlib.import_module(f"reelforge_{vendor}")
    return module.Client(
        base_url=sandbox.base_url(vendor),
        api_key=API_KEY,
        headers={FAULT_HEADER: fault} if fault is not None else {},
        timeout=httpx.Timeout(timeout),
        httpx_args={"transport": recorder},
    )


def _api_error(vendor: str) -> type[Exception]:
    error: type[Exception] = importlib.import_module(f"reelforge_{vendor}.errors").ApiError
    return error


def _events(sandbox: Served, event: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.log if e["event"] == event]


def _hera_create(sandbox: Served, fault: str | None = None) -> httpx.Response:
    headers = {**CREDENTIAL_HEADERS["hera"], **({FAULT_HEADER: fault} if fault else {})}
    return httpx.post(sandbox.base_url("hera") + "/videos", json=HERA_BODY, headers=headers, timeout=10)


@pytest.fixture
def uvicorn_errors() -> Iterator[list[logging.LogRecord]]:
    """What uvicorn logs at WARNING and above while the test runs (its loggers do not propagate)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


# --- spellings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("429", Fault("status", status=429)),
        ("429 retry-after=3", Fault("status", status=429, retry_after=3)),
        ("500", Fault("status", status=500)),
        ("502", Fault("status", status=502)),
        ("503 Retry-After=0", Fault("status", status=503, retry_after=0)),
        ("drop-before", Fault("drop-before")),
        (" drop-after ", Fault("drop-after")),
        ("slow=0.25", Fault("slow", seconds=0.25)),
        ("cut", Fault("cut", fraction=0.5)),
        ("cut=0", Fault("cut", fraction=0.0)),
    ],
)
def test_spellings_parse_and_round_trip(text: str, fault: Fault) -> None:
    assert parse_fault(text) == fault
    assert parse_fault(fault.spelling) == fault


@pytest.mark.parametrize(
    "text", ["", "404", "500 retry-after=2", "429 retry-after=x", "429 retry-after", "slow", "slow=-1", "cut=1", "boom"]
)
def test_bad_spellings_name_the_text_and_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_fault(text)
    assert repr(text) in str(caught.value)
    assert all(repr(spelling) in str(caught.value) for spelling in SPELLINGS)


# --- error answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("fault", ["429", "429 retry-after=2", "500", "502", "503 retry-after=1"])
def test_error_faults_raise_the_clients_api_error(vendor: str, fault: str, sandbox: Served, recorder: Recorder) -> None:
    spelled = parse_fault(fault)
    assert spelled.status is not None
    client = _client(vendor, sandbox, recorder, fault)
    with pytest.raises(_api_error(vendor)) as caught:
        DRIVERS[vendor]().create(client, "a lighthouse")
    error: Any = caught.value
    assert error.status_code == spelled.status
    assert error.headers.get("retry-after") == (str(spelled.retry_after) if spelled.retry_after is not None else None)
    kind: ErrorKind = "rate_limited" if spelled.status == 429 else "server_error"
    assert json.loads(error.content) == error_answer(vendor, kind, status=spelled.status)[1]
    assert not _events(sandbox, "job_created")
    [injected] = _events(sandbox, "fault_injected")
    assert injected | {"at": 0} == {
        "event": "fault_injected",
        "at": 0,
        "vendor": vendor,
        "operation": CREATES[vendor],
        "fault": spelled.spelling,
        "source": "header",
        "method": "POST",
        "path": recorder.exchanges[-1][0].url.path,
    }


def test_bad_header_answers_400_naming_it_and_acts_on_nothing(sandbox: Served) -> None:
    answer = _hera_create(sandbox, "teapot=418")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")
    assert FAULT_HEADER in answer.text and "'teapot=418'" in answer.text and "'drop-after'" in answer.text
    assert not _events(sandbox, "job_created")
    assert not _events(sandbox, "fault_injected")


# --- dropped connections ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_drop_before_creates_nothing_and_the_server_keeps_serving(
    vendor: str, sandbox: Served, recorder: Recorder, uvicorn_errors: list[logging.LogRecord]
) -> None:
    driver = DRIVERS[vendor]()
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        driver.create(_client(vendor, sandbox, recorder, "drop-before"), "a lighthouse")
    assert not _events(sandbox, "job_created")
    assert [e["fault"] for e in _events(sandbox, "fault_injected")] == ["drop-before"]
    job_id = driver.create(_client(vendor, sandbox, recorder), "a lighthouse")  # the next request is fine
    assert [e["job_id"] for e in _events(sandbox, "job_created")] == [job_id]
    assert not uvicorn_errors


@pytest.mark.parametrize("vendor", VENDORS)
def test_drop_after_creates_the_job_once_and_it_can_be_found(
    vendor: str, sandbox: Served, recorder: Recorder, uvicorn_errors: list[logging.LogRecord]
) -> None:
    driver = DRIVERS[vendor]()
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        driver.create(_client(vendor, sandbox, recorder, "drop-after"), "a lighthouse")
    [created] = _events(sandbox, "job_created")  # the lost answer: the job exists, exactly once
    client = _client(vendor, sandbox, recorder)
    if driver.start is not None:
        driver.start(client, created["job_id"])
    model, _ = poll(driver, client, created["job_id"], _terminal(vendor))
    assert driver.result_url(model).startswith(sandbox.url + "/files/")
    assert len(_events(sandbox, "job_created")) == 1
    assert not uvicorn_errors


def test_slow_answer_times_out_the_client_but_the_job_exists(sandbox: Served, recorder: Recorder) -> None:
    driver = DRIVERS["hera"]()
    with pytest.raises(httpx.ReadTimeout):
        driver.create(_client("hera", sandbox, recorder, "slow=5", timeout=0.2), "a lighthouse")
    [created] = _events(sandbox, "job_created")  # created before the wait began
    assert driver.status(_client("hera", sandbox, recorder), created["job_id"]).video_id == created["job_id"]


def test_slow_answer_arrives_in_full_when_the_client_waits(sandbox: Served) -> None:
    answer = _hera_create(sandbox, "slow=0.05")
    assert answer.status_code == 200
    assert [e["job_id"] for e in _events(sandbox, "job_created")] == [answer.json()["video_id"]]


# --- cut downloads ---------------------------------------------------------------------------------------


def _result_url(sandbox: Served) -> str:
    driver = DRIVERS["hera"]()
    with Recorder() as recorder:
        client = _client("hera", sandbox, recorder)
        job_id = driver.create(client, "a lighthouse")
        model, _ = poll(driver, client, job_id, _terminal("hera"))
    return driver.result_url(model)


@pytest.mark.parametrize(("fault", "fraction"), [("cut", 0.5), ("cut=0.25", 0.25), ("cut=0", 0.0)])
def test_cut_download_is_short_and_a_range_request_completes_it(
    fault: str, fraction: float, sandbox: Served, uvicorn_errors: list[logging.LogRecord]
) -> None:
    video = result_video()
    url = _result_url(sandbox)
    received = bytearray()
    with httpx.Client(timeout=10) as http:
        cut_off = pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body")
        with cut_off, http.stream("GET", url, headers={FAULT_HEADER: fault}) as response:
            assert response.status_code == 200
            assert int(response.headers["content-length"]) == len(video)
            for chunk in response.iter_raw():
                received += chunk
        assert bytes(received) == video[: int(len(video) * fraction)]
        rest = http.get(url, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    whole = bytes(received) + rest.content
    assert whole == video and is_valid_mp4(whole)
    [injected] = _events(sandbox, "fault_injected")
    assert (injected["vendor"], injected["operation"], injected["fault"]) == (None, "download", f"cut={fraction:g}")
    assert not uvicorn_errors


def test_error_fault_on_a_download_answers_plain_text(sandbox: Served) -> None:
    answer = httpx.get(_result_url(sandbox), headers={FAULT_HEADER: "503 retry-after=4"})
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "4")
    assert answer.headers["content-type"].startswith("text/plain")


# --- fault files -----------------------------------------------------------------------------------------


def _plan(tmp_path: Path, rules: list[dict[str, Any]], suffix: str = ".yaml") -> FaultPlan:
    path = tmp_path / f"faults{suffix}"
    text = json.dumps({"faults": rules}) if suffix == ".json" else _yaml({"faults": rules})
    path.write_text(text, encoding="utf-8")
    return FaultPlan.from_file(path)


def _yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_file_rule_skip_times_and_matching(tmp_path: Path, suffix: str) -> None:
    rules: list[dict[str, Any]] = [
        {"fault": "503", "vendor": "hera", "operation": "create_video", "method": "post", "skip": 1, "times": 2},
        {"fault": "429", "vendor": "hera", "operation": "create_video", "method": "GET", "times": "always"},
        {"fault": "500", "vendor": "oxen", "times": None},
    ]
    with Sandbox(speed=SPEED, faults=_plan(tmp_path, rules, suffix)) as sandbox:
        statuses = [_hera_create(sandbox).status_code for _ in range(4)]
        assert statuses == [200, 503, 503, 200]
        assert [e["source"] for e in _events(sandbox, "fault_injected")] == ["file", "file"]
        # Another vendor's rule fires on every one of its requests, and never on Hera's.
        oxen = httpx.get(sandbox.base_url("oxen") + "/api/ai/models", headers=CREDENTIAL_HEADERS["oxen"])
        assert oxen.status_code == 500 and oxen.json() == error_answer("oxen", "server_error")[1]
        assert _hera_create(sandbox).status_code == 200
        assert len(_events(sandbox, "job_created")) == 3


def test_header_wins_over_the_file_and_leaves_its_counters_alone(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"fault": "502", "vendor": "hera"}])
    with Sandbox(speed=SPEED, faults=plan) as sandbox:
        assert _hera_create(sandbox, "429").status_code == 429
        assert _hera_create(sandbox).status_code == 502  # the rule still had its one firing left
        assert _hera_create(sandbox).status_code == 200
        assert [(e["fault"], e["source"]) for e in _events(sandbox, "fault_injected")] == [
            ("429", "header"),
            ("502", "file"),
        ]


def test_download_rule_drops_the_first_download_only(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"fault": "drop-before", "operation": "download"}])
    with Sandbox(speed=SPEED, faults=plan) as sandbox:
        url = _result_url(sandbox)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url)
        assert is_valid_mp4(httpx.get(url).content)


@pytest.mark.parametrize(
    ("content", "where", "expected"),
    [
        ({"faults": [{"fault": "418"}]}, "faults[0].fault", "status 418"),
        ({"faults": [{"fault": "429"}, {"fault": "429", "vendor": "sora"}]}, "faults[1].vendor", "'sora'"),
        ({"faults": [{"fault": "500", "skip": -1}]}, "faults[0].skip", "whole number >= 0"),
        ({"faults": [{"fault": "500", "times": "twice"}]}, "faults[0].times", '"always"'),
        ({"faults": [{"fault": "500", "retries": 2}]}, "faults[0]", "unknown field 'retries'"),
        ({"faults": [{"vendor": "hera"}]}, "faults[0].fault", "missing"),
        ({"faults": ["500"]}, "faults[0]", "expected a mapping"),
        ({"faults": {"fault": "500"}}, "'faults' must be a list", "dict"),
        ([{"fault": "500"}], "one key, 'faults'", "list of rules"),
        (
            {"faults": [{"fault": "cut=0.5", "vendor": "hera", "operation": "download"}]},
            "faults[0].vendor",
            "no vendor",
        ),
    ],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_bad_fault_files_name_the_file_rule_and_field(
    tmp_path: Path, suffix: str, content: Any, where: str, expected: str
) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(json.dumps(content) if suffix == ".json" else _yaml(content), encoding="utf-8")
    with pytest.raises(FaultFileError) as caught:
        FaultPlan.from_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert where in message and expected in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # YAML 1.1 reads an unquoted on/off/yes/no as a boolean: as a key that would be the field True, as a
        # value a rule that means something else. Each is refused, by the name the author wrote.
        ("faults:\n  - fault: '500'\n    on: create_video\n", "faults[0]: unknown field 'on'"),
        ("faults:\n  - fault: '500'\n    no: 2\n", "faults[0]: unknown field 'no'"),
        ("faults:\n  - fault: on\n", "faults[0].fault: expected a string, not the boolean true"),
        (
            "faults:\n  - fault: '500'\n    vendor: no\n",
            "faults[0].vendor: expected a non-empty string, not the boolean false",
        ),
        ("faults:\n  - fault: '500'\n    times: off\n", "faults[0].times: expected a whole number >= 0"),
        # A key given twice is an error, not its last value quietly winning.
        ("faults:\n  - fault: '500'\n    times: 1\n    times: always\n", "duplicate mapping key 'times'"),
    ],
)
def test_yaml_traps_in_a_fault_file_are_refused_by_name(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FaultFileError) as caught:
        FaultPlan.from_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_a_quoted_yaml_word_is_the_text_written(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("faults:\n  - fault: '503'\n    method: 'on'\n    'no': \n", encoding="utf-8")
    with pytest.raises(FaultFileError, match=r"faults\[0\]: unknown field 'no'"):
        FaultPlan.from_file(path)
    path.write_text("faults:\n  - fault: '503'\n    method: 'on'\n", encoding="utf-8")
    assert FaultPlan.from_file(path).rules[0].method == "ON"  # the text, upper-cased as methods are


def test_unparsable_and_missing_files_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("faults: [\n", encoding="utf-8")
    with pytest.raises(FaultFileError, match=rf"^{broken}: not valid YAML"):
        FaultPlan.from_file(broken)
    broken_json = tmp_path / "broken.json"
    broken_json.write_text("{", encoding="utf-8")
    with pytest.raises(FaultFileError, match=rf"^{broken_json}: not valid JSON"):
        FaultPlan.from_file(broken_json)
    with pytest.raises(FaultFileError, match="cannot read"):
        FaultPlan.from_file(tmp_path / "absent.yaml")
    with pytest.raises(FaultFileError, match=rf"^{tmp_path}: is a folder"):
        FaultPlan.from_file(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("# réglé\nfaults: []\n".encode("latin-1"))
    with pytest.raises(FaultFileError, match=rf"^{latin1}: not UTF-8 text \(byte 3\); save the fault file as UTF-8"):
        FaultPlan.from_file(latin1)


def test_a_rule_for_a_vendor_not_served_is_refused_by_name(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"fault": "500", "vendor": "hera"}])
    sandbox = Sandbox(speed=SPEED, faults=plan, vendors=["argil"])
    with pytest.raises(
        FaultFileError, match=r"faults\[0\]\.vendor: 'hera' is not served by this sandbox \(it serves argil\)"
    ):
        sandbox.start()


def test_the_sandbox_log_is_never_faulted_nor_counted(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"fault": "503", "times": 1}])
    with Sandbox(speed=SPEED, faults=plan) as sandbox:
        log = httpx.get(sandbox.url + "/_sandbox/log", headers={FAULT_HEADER: "500"})
        assert log.status_code == 200 and log.json() == []
        assert _hera_create(sandbox).status_code == 503  # the rule's one firing was still there
        assert [e["event"] for e in sandbox.log] == ["fault_injected"]


def test_slow_delays_a_download_too(sandbox: Served) -> None:
    url = _result_url(sandbox)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, headers={FAULT_HEADER: "slow=2"}, timeout=0.5)
    assert is_valid_mp4(httpx.get(url, headers={FAULT_HEADER: "slow=0.2"}, timeout=5).content)


def test_stopping_ends_a_slow_answer_without_an_answer(uvicorn_errors: list[logging.LogRecord]) -> None:
    import threading
    import time

    outcome: list[BaseException | int] = []
    with Sandbox(speed=SPEED) as sandbox:

        def call() -> None:
            try:
                outcome.append(_hera_create(sandbox, "slow=30").status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 10
        while not [e for e in sandbox.log if e["event"] == "job_created"] and time.monotonic() < deadline:
            time.sleep(0.01)
    caller.join(10)
    [result] = outcome
    assert isinstance(result, httpx.RemoteProtocolError), result  # no answer at all, not a 500
    # Not cancelled at the end of uvicorn's grace period (which logs an error and a traceback): ended at once.
    assert [record.getMessage() for record in uvicorn_errors] == []


def test_an_unknown_operation_is_refused_before_the_server_starts(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"fault": "500", "vendor": "hera", "operation": "create_vidoe"}])
    sandbox = Sandbox(speed=SPEED, faults=plan)
    with pytest.raises(FaultFileError, match=r"faults\[0\]\.operation: 'create_vidoe'.*create_video"):
        sandbox.start()
    with pytest.raises(RuntimeError, match="not running"):
        sandbox.url  # noqa: B018  # nothing was left running


def test_plan_counters_hold_under_concurrent_requests(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    plan = _plan(tmp_path, [{"fault": "503", "vendor": "hera", "skip": 3, "times": 5}])
    with Sandbox(speed=SPEED, faults=plan) as sandbox, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _hera_create(sandbox).status_code, range(20)))
    assert sorted(statuses) == [200] * 15 + [503] * 5
    assert len(_events(sandbox, "job_created")) == 15


def test_without_uvicorns_transport_a_drop_starts_an_answer_it_never_finishes() -> None:
    """Under another ASGI server `send` has no transport to abort: the fallback starts an answer and stops, so
    the server closes the connection mid-answer (driven here as a bare ASGI call, as any server would)."""
    import asyncio

    from reelforge.sandbox.routes import build_app

    app = build_app(["hera"], speed=SPEED)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/hera/v1/videos/x",
        "raw_path": b"/hera/v1/videos/x",
        "root_path": "",
        "query_string": b"",
        "headers": [(FAULT_HEADER.lower().encode(), b"drop-before")],
    }
    asyncio.run(app(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start"]
    [injected] = [e for e in app.state.sandbox.log if e["event"] == "fault_injected"]
    assert (injected["vendor"], injected["operation"]) == ("hera", "get_video")


def test_a_request_no_route_takes_still_gets_the_vendors_error_shape(sandbox: Served) -> None:
    answer = httpx.get(sandbox.base_url("argil") + "/no/such/path", headers={FAULT_HEADER: "502"})
    assert (answer.status_code, answer.json()) == (502, error_answer("argil", "server_error", status=502)[1])
    [injected] = _events(sandbox, "fault_injected")
    assert (injected["vendor"], injected["operation"]) == ("argil", None)
