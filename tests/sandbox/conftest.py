"""The sandbox on a loopback port for each test that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelforge.sandbox.server import Sandbox
from tests.sandbox._drive import Recorder

# Fast enough that a whole job takes about 80 ms, slow enough that a poller still sees it running.
SPEED = 50.0


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED) as running:
        yield running


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A real HTTP transport for the generated clients that records every exchange; closed after the test."""
    with Recorder() as transport:
        yield transport
