"""The sandbox on a loopback port for each test that asks for it, and a check that no test leaves one running."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from reelforge.sandbox.pytest_plugin import DEFAULT_SPEED
from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import Recorder

# The plugin's default (a whole job takes about 80 ms, and a poller still sees it running).
SPEED = DEFAULT_SPEED


@pytest.fixture
def sandbox(reelforge_sandbox: Sandbox) -> Sandbox:
    """The `reelforge_sandbox` fixture users get from the plugin, under a shorter name."""
    return reelforge_sandbox


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A real HTTP transport for the generated clients that records every exchange; closed after the test."""
    with Recorder() as transport:
        yield transport


@pytest.fixture(autouse=True)
def _no_sandbox_left_running() -> Iterator[None]:
    """After each test (and its fixtures) no sandbox thread it started is still alive."""
    before = {thread.ident for thread in threading.enumerate()}
    yield
    left = [t for t in threading.enumerate() if t.name == "reelforge-sandbox" and t.ident not in before]
    assert not left, "the test left a sandbox running: stop it, or use `with Sandbox(...)`"
