"""Run the sandbox app on a real socket in a background thread (uvicorn), as a context manager.

Usage: `with Sandbox(speed=50) as sandbox:` then
`reelforge_hera.Client(base_url=sandbox.base_url("hera"), api_key="any")`. With `state_file=path` the jobs,
result URLs and log are kept in that SQLite file, so the next sandbox started on it still knows them.
"""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Self

import uvicorn

from reelforge.registry import VENDORS
from reelforge.sandbox.catalog import lifecycle_for, served_vendor
from reelforge.sandbox.faults import FaultMiddleware, FaultPlan
from reelforge.sandbox.routes import LOG_PATH, build_app
from reelforge.sandbox.state import SandboxState

__all__ = ["Sandbox", "SandboxProcess", "listen"]

_START_TIMEOUT: Final = 10.0


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, bound here so that a taken port is a clear error before any thread starts
    (uvicorn serves on it and closes it when it stops)."""
    try:
        family, kind, protocol, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise OSError(f"cannot listen on {host}:{port}: unknown host ({exc.strerror}); try 127.0.0.1") from exc
    # The protocol matters: asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets whose protocol says
    # TCP, and with Nagle on every answer waits for the client's delayed ACK (44 ms a status call instead of 1).
    listener = socket.socket(family, kind, protocol)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is still free
    try:
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        hint = "it is in use: pick another port, or 0 for any free one" if exc.errno == errno.EADDRINUSE else ""
        raise OSError(f"cannot listen on {host}:{port}: {hint or exc.strerror}") from exc
    return listener


class Sandbox:
    """The sandbox served on `host:port` (port 0: any free port) while the `with` block runs."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        vendors: Sequence[str] = VENDORS,
        faults: FaultPlan | Path | str | None = None,
        state_file: Path | str | None = None,
    ) -> None:
        self.host = host
        self.port = port  # the port asked for; once started, the one bound (a free one for 0)
        self._requested_port = port  # so a restarted port-0 sandbox takes any free port again
        self.speed = speed
        self.vendors = tuple(vendors)
        # With a file, start() loads it and stop() closes it (so nothing is held open between runs); until the
        # first start this is an empty in-memory state.
        self.state_file = Path(state_file) if state_file is not None else None
        self.state = SandboxState()
        # Rules from a fault file (faults.py), read now so a bad file fails here (FaultFileError); the
        # X-Reelforge-Fault header works regardless.
        self.faults = faults if isinstance(faults, FaultPlan) or faults is None else FaultPlan.from_file(faults)
        self._prefixes = {vendor: served_vendor(vendor).prefix for vendor in self.vendors}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._app: FaultMiddleware | None = None

    @property
    def url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:54321 (once started)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal goes in brackets
        return f"http://{host}:{self.port}"

    def base_url(self, vendor: str) -> str:
        """The base_url a vendor's client uses against this sandbox, e.g. http://127.0.0.1:54321/hera/v1."""
        return self.url + self._prefixes[vendor]

    @property
    def log(self) -> list[dict[str, Any]]:
        """A copy of the events so far, oldest first (with a state file, also those of earlier runs): each a dict
        with `event`, `at` (time.time()) and details such as vendor and job_id. The events are listed in
        docs/sandbox.md (job_created, job_started, request_rejected, upload_received, fault_injected, ...)."""
        with self.state.lock:
            return list(self.state.log)

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        # The port first: a taken port must not leave a new state file behind.
        listener = listen(self.host, self._requested_port)
        try:
            if self.state_file is not None:
                listeners = self.state.listeners
                self.state = SandboxState(self.state_file, lifecycle_for=lifecycle_for)  # raises StateFileError
                self.state.listeners.extend(listeners)
            app = build_app(self.vendors, speed=self.speed, state=self.state, faults=self.faults)
            self._app = app
        except BaseException:
            listener.close()
            self.state.close()
            raise
        self.port = int(listener.getsockname()[1])
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="reelforge-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                listener.close()
                raise RuntimeError(f"the sandbox did not start on {self.host}:{self.port}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if self._app is not None:
            self._app.stopping = True  # slow answers still waiting close their connections now
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=_START_TIMEOUT)
        self._server = None
        self._thread = None
        self._app = None
        self.state.close()  # after the server thread is gone: no request writes to it any more

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


class SandboxProcess:
    """`reelforge sandbox` in a child process (its own interpreter, so its own GIL) while the `with` block runs.

    For load tests and benchmarks, where a server sharing the client's process would measure the clients' work
    as the server's. `args` are extra command-line arguments (e.g. ["--speed", "50"]).
    """

    def __init__(self, args: Sequence[str] = (), host: str = "127.0.0.1") -> None:
        self.args = list(args)
        self.host = host
        self.url = ""
        self.returncode: int | None = None  # the process's exit status once stopped
        self.errors = ""  # what the process wrote to stderr, once stopped
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None

    def base_url(self, vendor: str) -> str:
        return self.url + served_vendor(vendor).prefix

    @property
    def log(self) -> list[dict[str, Any]]:
        """The child's log so far (as `Sandbox.log`), read from its `/_sandbox/log`."""
        if not self.url:
            raise RuntimeError("the sandbox process is not running")
        import httpx  # here, not at the top: starting a sandbox needs no HTTP client

        answer = httpx.get(self.url + LOG_PATH, timeout=_START_TIMEOUT)
        answer.raise_for_status()
        events: list[dict[str, Any]] = answer.json()
        return events

    def start(self) -> Self:
        # --quiet: nobody reads the child's stdout after its first lines, and a full pipe would block it; its
        # events are in `log`. stderr goes to a file for the same reason, and is kept in `errors`.
        command = [sys.executable, "-m", "reelforge", "sandbox", "--quiet", "--host", self.host, "--port", "0"]
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        process = subprocess.Popen([*command, *self.args], stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._process = process
        assert process.stdout is not None
        first = process.stdout.readline()  # "reelforge sandbox on http://HOST:PORT (...)", or "" when it failed
        if not first.startswith("reelforge sandbox on "):
            self.stop()
            raise RuntimeError(f"the sandbox process did not start (exit {self.returncode}): {first}{self.errors}")
        self.url = first.split()[3]
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_START_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.returncode = process.returncode
        if process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.seek(0)
            self.errors = self._stderr.read()
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
