"""Every check CI runs, runnable the same way locally: `python3 -m nox` (default sessions) or `-s NAME`.

Dependencies come from pyproject.toml's dependency groups, one group per session, and the vendors from the
generator's registry (generator/vendors.py); nothing is repeated here. Every session writes its bytecode and tool
caches outside the working tree (tests/support.py: hermetic_env), so a run leaves the checkout as it found it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import nox

ROOT = Path(__file__).parent
# The registry and the cache settings are the repository's own modules, imported with this interpreter (outside
# any virtual environment; both need only the standard library) and without leaving bytecode beside them.
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT))
from tests.support import VENDORS, cache_root, hermetic_env

PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
CACHE = cache_root(ROOT)

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True


_Body = Callable[[nox.Session], None]


def _session(*, default: bool = True) -> Callable[[_Body], object]:
    """nox.session, with the session's bytecode and caches (hypothesis, ruff, mypy) kept in CACHE, and no pytest
    cache."""

    def decorate(body: _Body) -> object:
        @functools.wraps(body)
        def run(session: nox.Session) -> None:
            session.env.update(hermetic_env(CACHE))
            body(session)

        return nox.session(default=default)(run)

    return decorate


def _install(session: nox.Session, group: str) -> None:
    session.install("--disable-pip-version-check", *nox.project.dependency_groups(PYPROJECT, group))


@_session(default=False)
def demo(session: nox.Session) -> None:
    """The main job: regenerate every client, start the sandbox, and run one whole job per vendor into ./out."""
    _install(session, "generate")
    session.run("python", "-m", "generator", "generate", "--force")
    _install_generated(session)
    _install_project(session)
    session.run("reelforge", "demo", "--out", "out", *session.posargs)


@_session(default=False)
def generate(session: nox.Session) -> None:
    """Regenerate every client and show what was made (after --, arguments of `python -m generator generate`)."""
    _install(session, "generate")
    session.run("python", "-m", "generator", "generate", *(session.posargs or ["--force"]))


@_session()
def check(session: nox.Session) -> None:
    """Fail when generated/ differs from what the pipeline makes (the drift check)."""
    _install(session, "generate")
    session.run("python", "-m", "generator", "check")


@_session()
def lint(session: nox.Session) -> None:
    """Run ruff (lint and format check) on hand-written code."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


def _install_generated(session: nox.Session) -> None:
    # Reinstalled every run (a reused environment must not keep yesterday's build); dependencies come from the
    # session's group, so this also proves each distribution builds and installs.
    packages = (f"./generated/{vendor}" for vendor in VENDORS)
    session.install("--disable-pip-version-check", "--force-reinstall", "--no-deps", *packages)


def _install_project(session: nox.Session) -> None:
    # The facade with its sandbox extra, built and installed as users get it (so the `reelforge` command and the
    # packaged assets are the real ones); its dependencies come first, the project itself is reinstalled every run.
    project = PYPROJECT["project"]
    # Its own dependencies but the generated clients, which _install_generated installs from generated/.
    needed = [d for d in project["dependencies"] if not d.startswith("reelforge-")]
    session.install("--disable-pip-version-check", *needed, *project["optional-dependencies"]["sandbox"])
    session.install("--disable-pip-version-check", "--force-reinstall", "--no-deps", ".")


@_session()
def typecheck(session: nox.Session) -> None:
    """Run mypy --strict on the generator, the tests, and every generated package as installed."""
    _install(session, "typecheck")
    _install_generated(session)
    _install_project(session)
    session.run("mypy", "generator", "tests", "benchmarks", "noxfile.py", "src")
    # The public API as a user types it (typing_tests/: checked, never run).
    session.run("mypy", "--strict", "typing_tests")
    session.run("mypy", "--strict", *(arg for vendor in VENDORS for arg in ("-p", f"reelforge_{vendor}")))


@_session()
def tests(session: nox.Session) -> None:
    """Run the test suite, with the five generated packages installed as users install them."""
    _install(session, "test")
    _install_generated(session)
    _install_project(session)
    session.run("pytest", *session.posargs)


@_session(default=False)
def conformance_thorough(session: nox.Session) -> None:
    """Run the conformance suite with 20 times more generated examples per check."""
    _install(session, "test")
    _install_generated(session)
    _install_project(session)
    session.run("pytest", "tests/conformance", *session.posargs, env={"REELFORGE_CONFORMANCE_EXAMPLES": "20"})


@_session(default=False)
def bench(session: nox.Session) -> None:
    """Time regeneration (all vendors, and a run with nothing changed) and print the figures."""
    _install(session, "generate")
    session.run("python", "benchmarks/bench_generate.py", *session.posargs)


@_session(default=False)
def update_spec(session: nox.Session) -> None:
    """Vendor a new upstream document, regenerate, and print the diff (after --: VENDOR FILE)."""
    if len(session.posargs) != 2:
        session.error("usage: python3 -m nox -s update_spec -- VENDOR FILE")
    vendor, document = session.posargs
    _install(session, "diff")
    session.run("python", "-m", "generator", "vendor", vendor, document)
    session.run("python", "-m", "generator", "generate", vendor)
    session.run("python", "-m", "generator", "diff", "--base", "HEAD")


@_session(default=False)
def spec_diff(session: nox.Session) -> None:
    """Write the markdown diff against a base ref to a file, and annotate it (after --: REF [FILE])."""
    ref = session.posargs[0] if session.posargs else "origin/main"
    output = session.posargs[1] if len(session.posargs) > 1 else "spec-diff.md"
    _install(session, "diff")
    session.run("python", "-m", "generator", "diff", "--base", ref, "--format", "github")
    session.run("python", "-m", "generator", "diff", "--base", ref, "--format", "markdown", "--output", output)


@_session(default=False)
def bench_facade(session: nox.Session) -> None:
    """Measure the facade: a submit against a raw httpx POST, `import reelforge` against `import httpx`, and waits."""
    _install(session, "test")
    _install_generated(session)
    _install_project(session)
    session.run("python", "benchmarks/bench_facade.py", *session.posargs)


@_session(default=False)
def bench_diff(session: nox.Session) -> None:
    """Time the spec diff on two 1,000-operation documents and print the figures."""
    _install(session, "diff")
    session.run("python", "benchmarks/bench_diff.py", *session.posargs)


@_session(default=False)
def bench_sandbox(session: nox.Session) -> None:
    """Measure the sandbox: start-up time and p50/p99 latency of a status call on loopback, alone and under load."""
    _install(session, "test")
    _install_generated(session)
    _install_project(session)
    session.run("python", "benchmarks/bench_sandbox.py", *session.posargs)
    session.run("python", "benchmarks/bench_sandbox_state.py")
