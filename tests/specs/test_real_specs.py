"""The five effective specs, as committed in generated/: every reelforge extension reads, every path parses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reelforge.specs import ErrorsExtension, JobExtension, JSONPath, Spec, UploadExtension, parse_document

REPO = Path(__file__).resolve().parents[2]
VENDORS = ("hera", "hedra", "magichour", "argil", "oxen")


def read(vendor: str) -> Spec:
    path = REPO / "generated" / vendor / "openapi.json"
    return Spec(parse_document(path.read_text(encoding="utf-8"), str(path)), f"generated/{vendor}/openapi.json")


def jsonpaths(node: Any) -> list[str]:
    """Every string of an extension that is a JSONPath (they all start with '$')."""
    if isinstance(node, dict):
        return [path for value in node.values() for path in jsonpaths(value)]
    if isinstance(node, list):
        return [path for value in node for path in jsonpaths(value)]
    return [node] if isinstance(node, str) and node.startswith("$") else []


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_extension_of_a_real_spec_reads(vendor: str) -> None:
    spec = read(vendor)
    jobs = JobExtension.all_in(spec)
    assert jobs, f"{vendor} has no create operation"
    for job in jobs:
        assert spec.has_operation(job.status_operation)
        assert all(spec.has_operation(name) for name in job.operations)
        assert job.states["succeeded"] and job.states["failed"]
        assert job.job_id_parameter in spec.operation(job.status_operation).path_parameters()
        assert spec.operation(job.status_operation).success_schema is not None
    for upload in UploadExtension.all_in(spec):
        assert spec.has_operation(upload.operation)
    errors = ErrorsExtension.of(spec)
    assert 400 <= errors.validation_status < 500
    assert errors.read_message(errors.fill("not_found", message="gone", status=404, problems=[])) == "gone"
    extensions = [spec.document["x-reelforge-errors"]]
    extensions += [op.node[key] for op in spec.operations() for key in op.node if key.startswith("x-reelforge-")]
    for text in (path for extension in extensions for path in jsonpaths(extension)):
        assert str(JSONPath.parse(text)) == text  # every path is written canonically, too
