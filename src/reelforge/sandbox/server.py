"""Run the sandbox app on a real socket in a background thread (uvicorn), as a context manager.

Usage: `with Sandbox(speed=50) as sandbox:` then
`reelforge_hera.Client(base_url=sandbox.base_url("hera"), api_key="any")`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Final, Self

import uvicorn

from reelforge.sandbox.app import VENDORS, build_app, vendor_spec
from reelforge.sandbox.faults import FaultPlan
from reelforge.sandbox.state import SandboxState

__all__ = ["Sandbox"]

_START_TIMEOUT: Final = 10.0


class Sandbox:
    """The sandbox served on `host:port` (port 0: any free port) while the `with` block runs."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        vendors: Sequence[str] = VENDORS,
        faults: FaultPlan | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.speed = speed
        self.vendors = tuple(vendors)
        self.state = SandboxState()
        self.faults = faults  # rules from a fault file (faults.py); the X-Reelforge-Fault header works regardless
        self._prefixes = {vendor: vendor_spec(vendor).prefix for vendor in self.vendors}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:54321 (once started)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self.port}"

    def base_url(self, vendor: str) -> str:
        """The base_url a vendor's client uses against this sandbox, e.g. http://127.0.0.1:54321/hera/v1."""
        return self.url + self._prefixes[vendor]

    @property
    def log(self) -> list[dict[str, Any]]:
        """A copy of the events so far (job_created, job_create_repeated, job_started, job_canceled,
        request_rejected), each a dict with `event`, `at` (time.time()) and details such as vendor and job_id."""
        with self.state.lock:
            return list(self.state.log)

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        app = build_app(self.vendors, speed=self.speed, state=self.state, faults=self.faults)
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
        self._thread = threading.Thread(target=server.run, name="reelforge-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox did not start on {self.host}:{self.port}")
            time.sleep(0.005)
        self.port = int(server.servers[0].sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=_START_TIMEOUT)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
