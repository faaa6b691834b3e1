"""What must report nothing: a document against itself in another syntax (YAML vs JSON), in another key order,
with its unordered lists (parameters, enum values, required names) shuffled; and the real effective specs."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diff import compare, diff_files
from generator.diff.documents import load_openapi
from tests.diff.conftest import CASES, case_names
from tests.support import REPO

VENDOR_SPECS = sorted((REPO / "generated").glob("*/openapi.json"))
_UNORDERED = {"parameters", "enum", "required"}


def _reordered(node: Any, rng: random.Random, *, lists: bool = False, key: str = "") -> Any:
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {k: _reordered(v, rng, lists=lists, key=k) for k, v in items}
    if isinstance(node, list):
        values = [_reordered(v, rng, lists=lists) for v in node]
        if lists and key in _UNORDERED:
            rng.shuffle(values)
        return values
    return node


def test_the_real_effective_specs_are_all_here() -> None:
    assert [p.parent.name for p in VENDOR_SPECS] == sorted(["argil", "hedra", "hera", "magichour", "oxen"])


@pytest.mark.parametrize("name", case_names())
def test_yaml_and_json_of_the_same_document_report_nothing(name: str, tmp_path: Path) -> None:
    as_json = tmp_path / "new.json"
    as_json.write_text(json.dumps(load_openapi(CASES / name / "new.yaml"), indent=1), encoding="utf-8")
    assert diff_files(CASES / name / "new.yaml", as_json).changes == ()
    assert diff_files(as_json, CASES / name / "new.yaml").changes == ()


@pytest.mark.parametrize("spec", VENDOR_SPECS, ids=lambda p: p.parent.name)
def test_a_vendor_spec_as_yaml_reports_nothing(spec: Path, tmp_path: Path) -> None:
    as_yaml = tmp_path / "openapi.yaml"
    as_yaml.write_text(yaml.safe_dump(json.loads(spec.read_text(encoding="utf-8"))), encoding="utf-8")
    assert diff_files(spec, as_yaml).changes == ()


@pytest.mark.parametrize("spec", VENDOR_SPECS, ids=lambda p: p.parent.name)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_vendor_spec_in_any_key_order_reports_nothing(spec: Path, seed: int) -> None:
    document = json.loads(spec.read_text(encoding="utf-8"))
    assert compare(document, _reordered(document, random.Random(seed))) == ()


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(case_names()), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_shuffled_keys_parameters_enums_and_required_report_nothing(name: str, seed: int) -> None:
    document = load_openapi(CASES / name / "old.yaml")
    assert compare(document, _reordered(document, random.Random(seed), lists=True)) == ()


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(case_names()), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_key_order_does_not_change_what_a_pair_reports(name: str, seed: int) -> None:
    old = load_openapi(CASES / name / "old.yaml")
    new = load_openapi(CASES / name / "new.yaml")
    rng = random.Random(seed)
    assert compare(_reordered(old, rng), _reordered(new, rng)) == compare(old, new)


def test_reordering_the_servers_is_not_nothing() -> None:
    """The first server is the clients' default base URL: its order matters, unlike the lists above."""
    document = load_openapi(CASES / "api-server-added-and-removed" / "old.yaml")
    swapped = json.loads(json.dumps(document))
    swapped["servers"].reverse()
    assert [c.id for c in compare(document, swapped)] == ["api-server-url-changed"]
