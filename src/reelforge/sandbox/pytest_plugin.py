"""A pytest fixture for projects that test against the sandbox: `reelforge_sandbox`.

Installed with `reelforge[sandbox]` (registered through the `pytest11` entry point), so a test only asks for it:

    def test_my_pipeline(reelforge_sandbox):
        client = reelforge_hera.Client(base_url=reelforge_sandbox.base_url("hera"), api_key="any")
        ...
        assert [e["event"] for e in reelforge_sandbox.log].count("job_created") == 1

Each test gets its own sandbox on a free loopback port, stopped afterwards. The marker
`@pytest.mark.reelforge_sandbox(speed=..., faults=..., vendors=...)` sets its arguments (speed defaults to
50: a whole job takes about 80 ms, and a poller still sees it queued and running). Nothing heavy is imported
until a test asks for the fixture, so having the plugin installed costs other test runs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from reelforge.sandbox.server import Sandbox

__all__ = ["DEFAULT_SPEED", "reelforge_sandbox"]

DEFAULT_SPEED: Final = 50.0
_ARGUMENTS: Final = frozenset({"speed", "faults", "vendors", "state_file"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reelforge_sandbox(speed=50, faults=None, vendors=all, state_file=None): arguments of the "
        "reelforge_sandbox fixture's Sandbox",
    )


@pytest.fixture
def reelforge_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running sandbox for one test (see the module docstring)."""
    from reelforge.sandbox.server import Sandbox

    arguments: dict[str, Any] = {"speed": DEFAULT_SPEED}
    marker = request.node.get_closest_marker("reelforge_sandbox")
    if marker is not None:
        unknown = set(marker.kwargs) - _ARGUMENTS
        if marker.args or unknown:
            raise pytest.UsageError(
                f"@pytest.mark.reelforge_sandbox takes keyword arguments {sorted(_ARGUMENTS)}, "
                f"not {[*marker.args, *sorted(unknown)]}"
            )
        arguments.update(marker.kwargs)
    with Sandbox(**arguments) as sandbox:
        yield sandbox
