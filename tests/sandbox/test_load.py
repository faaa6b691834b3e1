"""200 clients at once against one sandbox, and a sandbox that leaves nothing behind when it stops."""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import socket
import threading
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelforge.sandbox.demo import endpoint_module, run_job
from reelforge.sandbox.media import is_valid_mp4
from reelforge.sandbox.server import Sandbox, SandboxProcess
from reelforge.specs import JSONPath
from tests.sandbox._specs import VENDORS, create_operations, job_of, operations

CLIENTS = 200


@dataclass
class Outcome:
    vendor: str
    job_id: str
    statuses: list[str]
    result_urls: list[str]
    expect_failure: bool


def _example(vendor: str, prompt: str) -> Any:
    """The create call's documented example with its prompt (x-reelforge-job.prompt) replaced."""
    create_id = create_operations(vendor)[0]
    op = next(op for _, _, op in operations(vendor) if op.get("operationId") == create_id)
    example = json.loads(json.dumps(op["requestBody"]["content"]["application/json"]["example"]))
    return JSONPath.parse(op["x-reelforge-job"]["prompt"]).set(example, prompt)


async def _one_client(index: int, base_urls: Mapping[str, str]) -> Outcome:
    """Create a job through the vendor's generated client (async functions), start it where needed, and poll it
    to a terminal status, recording every status seen."""
    vendor = VENDORS[index % len(VENDORS)]
    job = job_of(vendor)
    fail = index % 10 == 9
    package = importlib.import_module(f"reelforge_{vendor}")
    create = endpoint_module(package, create_operations(vendor)[0])
    status_call = endpoint_module(package, job["status_operation"]).asyncio_detailed
    first = next(iter(typing.get_type_hints(status_call)))
    as_id: Any = uuid.UUID if typing.get_type_hints(status_call)[first] is uuid.UUID else str
    terminal = {*job["states"]["succeeded"], *job["states"]["failed"], *job["states"]["canceled"]}
    prompt = f"client {index}" + (" [fail]" if fail else "")
    async with package.Client(base_url=base_urls[vendor], api_key="load-test") as client:
        body_type = typing.get_type_hints(create.asyncio_detailed)["body"]
        created = json.loads(
            (await create.asyncio_detailed(client=client, body=body_type.from_dict(_example(vendor, prompt)))).content
        )
        job_id = str(JSONPath.parse(job["job_id"]).find(created)[0])
        if "start_operation" in job:
            start = endpoint_module(package, job["start_operation"]).asyncio_detailed
            await start(as_id(job_id), client=client)
        statuses: list[str] = []
        for _ in range(2000):
            body = json.loads((await status_call(as_id(job_id), client=client)).content)
            status = str(JSONPath.parse(job["status"]).find(body)[0])
            if not statuses or statuses[-1] != status:
                statuses.append(status)
            if status in terminal:
                urls = [u for u in JSONPath.parse(job["result_urls"]).find(body) if isinstance(u, str) and u]
                return Outcome(vendor, job_id, statuses, urls, fail)
            await asyncio.sleep(0.02)
    raise AssertionError(f"client {index}: {vendor} job {job_id} never ended: {statuses}")


def _order(vendor: str) -> list[str]:
    states = job_of(vendor)["states"]
    return [*states["queued"], *states["running"], *states["succeeded"], *states["failed"], *states["canceled"]]


def test_200_concurrent_clients_get_correct_answers() -> None:
    # The server in its own process, so 200 clients and the server do not share one interpreter.
    # Speed 4: a job takes 1 s, long enough that the pollers see it move, even with 200 clients on 2 cores.
    with SandboxProcess(["--speed", "4"]) as sandbox:
        base_urls = {vendor: sandbox.base_url(vendor) for vendor in VENDORS}

        async def everyone() -> list[Outcome]:
            return await asyncio.gather(*(_one_client(i, base_urls) for i in range(CLIENTS)))

        outcomes = asyncio.run(everyone())
        assert len({(o.vendor, o.job_id) for o in outcomes}) == CLIENTS, "two clients were given the same job"
        for outcome in outcomes:
            states = job_of(outcome.vendor)["states"]
            expected = states["failed"][0] if outcome.expect_failure else states["succeeded"][0]
            assert outcome.statuses[-1] == expected, outcome
            order = _order(outcome.vendor)
            positions = [order.index(s) for s in outcome.statuses]
            assert positions == sorted(positions), f"{outcome.vendor} status went backwards: {outcome.statuses}"
            assert bool(outcome.result_urls) != outcome.expect_failure, outcome
        moved = sum(len(outcome.statuses) > 1 for outcome in outcomes)
        print(f"{moved} of {CLIENTS} clients saw their job change status while polling")
        assert moved > 0
        # Every result URL of a sample downloads the real file.
        with httpx.Client() as downloads:
            for outcome in [o for o in outcomes if o.result_urls][:: CLIENTS // 10]:
                assert is_valid_mp4(downloads.get(outcome.result_urls[0]).content)


def _open_descriptors() -> set[str]:
    fd_dir = Path("/proc/self/fd")
    found = set()
    for entry in fd_dir.iterdir():
        try:
            found.add(f"{entry.name}->{os.readlink(entry)}")
        except OSError:  # the descriptor iterdir itself used, closed by now
            continue
    return found


def test_stop_leaves_no_threads_sockets_or_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Sandbox(speed=50) as warm_up:  # first use loads specs and assets once per process
        run_job("hera", warm_up.base_url("hera"), tmp_path / "warm-up")
    gc.collect()
    threads_before = {thread.ident for thread in threading.enumerate()}
    descriptors_before = _open_descriptors()
    files_before = sorted(tmp_path.rglob("*"))

    for _ in range(3):
        with Sandbox(speed=50) as sandbox:
            port = sandbox.port
            with httpx.Client() as client:
                assert client.get(sandbox.url + "/files/unknown.mp4").status_code == 404
        # The port is free again: a new sandbox can take it at once.
        with Sandbox(port=port, speed=50) as again:
            assert again.port == port

    gc.collect()
    assert {thread.ident for thread in threading.enumerate()} == threads_before
    assert _open_descriptors() == descriptors_before
    assert sorted(tmp_path.rglob("*")) == files_before


def test_the_listening_socket_says_tcp() -> None:
    # asyncio disables Nagle only on accepted sockets whose protocol is TCP; a listener made with protocol 0
    # made every status call wait ~40 ms for the client's delayed ACK.
    from reelforge.sandbox.server import listen

    listener = listen("127.0.0.1", 0)
    try:
        assert listener.proto == socket.IPPROTO_TCP
    finally:
        listener.close()
