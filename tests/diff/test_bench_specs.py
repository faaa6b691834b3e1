"""The benchmark's 1,000-operation pair is deterministic and the diff finds exactly what it plants, so the timing
in `nox -s bench_diff` measures real work (the timing itself is the benchmark's job, not a test's)."""

from __future__ import annotations

import collections
import importlib.util
import json
from types import ModuleType

from generator.diff import compare
from tests.support import REPO


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_diff", REPO / "benchmarks" / "bench_diff.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pair_is_deterministic_and_has_1000_operations() -> None:
    bench = _bench()
    first, second = bench.make_specs(), bench.make_specs()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    old = first[0]
    assert sum(1 for item in old["paths"].values() for key in item if key != "parameters") == 1000


def test_the_diff_finds_exactly_the_planted_changes() -> None:
    bench = _bench()
    old, new = bench.make_specs()
    found = collections.Counter(change.id for change in compare(old, new))
    assert dict(found) == bench.PLANTED
