"""Each generated README's client example runs unchanged against the sandbox, with only the two variables it
names set (the base URL and the key), in a fresh interpreter as a user would paste it."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelforge.sandbox.server import Sandbox
from tests.support import REPO, VENDORS, run_python

_BLOCK = re.compile(r"```(python|bash)\n(.*?)```", re.DOTALL)


def _blocks(vendor: str) -> tuple[str, str]:
    """(the export line, the client example) of the vendor's README."""
    readme = (REPO / "generated" / vendor / "README.md").read_text(encoding="utf-8")
    blocks = _BLOCK.findall(readme)
    (export,) = [code for kind, code in blocks if kind == "bash" and code.startswith("export ")]
    (example,) = [code for kind, code in blocks if kind == "python" and "from reelforge import" not in code]
    return export, example


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # The README names port 8000; any free port stands in for it, the rest of each URL is the README's.
    with Sandbox(speed=50) as running:
        yield running


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_readme_example_runs_unchanged_against_the_sandbox(vendor: str, sandbox: Sandbox, tmp_path: Path) -> None:
    export, example = _blocks(vendor)
    variables = dict(pair.split("=", 1) for pair in export.removeprefix("export ").split())
    package = importlib.import_module(f"reelforge_{vendor}")
    # Exactly the two variables the client reads.
    assert sorted(variables) == sorted([package.API_KEY_ENV, package.BASE_URL_ENV])
    url_variable = package.BASE_URL_ENV
    assert variables[url_variable].startswith("http://127.0.0.1:8000/")
    variables[url_variable] = variables[url_variable].replace("http://127.0.0.1:8000", sandbox.url)
    (tmp_path / "example.py").write_text(example, encoding="utf-8")

    done = run_python("example.py", cwd=tmp_path, env=variables, timeout=60)

    assert done.returncode == 0, done.stderr
    job_id, status = done.stdout.split()
    created = [e for e in sandbox.log if e["event"] == "job_created" and e["job_id"] == job_id]
    assert [e["vendor"] for e in created] == [vendor]
    assert status  # the job's status as the vendor spells it, read back through the client
