"""Benchmark: the spec diff on two 1,000-operation documents. Prints figures; exits 1 over the target (`nox -s bench_diff`).

`make_specs()` builds the pair deterministically: 250 resources with four operations each (list, create, get,
delete), every schema behind a $ref, shared error and pagination components; the new document plants known
changes (PLANTED) so the run does real work and a test can check what it finds. Two figures, each the median of
several runs:

1. `compare(old, new)` in-process on the loaded documents (resolving, normalizing, classifying, sorting);
2. `python -m generator diff OLD NEW --format json` as a whole command on JSON files, start-up included.

The target for both is under 2 s.
"""

from __future__ import annotations

import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = 250
TARGET_SECONDS = 2.0

PLANTED = {
    "request-property-max-length-decreased": 25,  # every 10th resource: title 200 -> 100 (create only)
    "api-removed-without-deprecation": 10,  # every 25th resource: its delete operation
    "new-optional-request-property": 13,  # every 20th resource: an optional `note`
    "response-property-enum-value-added": 24,  # every 33rd resource (8): `archived`, in list, create and get
    "response-optional-property-added": 990,  # the shared Error gains `trace_id`: the 400 of the 990 kept operations
    "endpoint-added": 20,  # twenty new paths
}


def _resource(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    name = f"Resource{i}"
    item = {
        "type": "object",
        "required": ["id", "status", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "created_at": {"type": "string", "format": "date-time"},
            "title": {"type": "string", "maxLength": 200},
            "size": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 40}},
            "owner": {"$ref": "#/components/schemas/Owner"},
            "url": {"type": ["string", "null"]},
        },
    }
    create = {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string", "maxLength": 200, "description": f"The title of the {name}."},
            "size": {"type": "integer", "minimum": 0, "maximum": 1000},
            "tags": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
            "mode": {"type": "string", "enum": ["fast", "quality"]},
            "options": {
                "type": "object",
                "properties": {"seed": {"type": "integer"}, "style": {"type": "string", "pattern": "^[a-z]+$"}},
            },
        },
    }
    return item, create


def _operation(op_id: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    error = {
        "description": "Invalid",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {"operationId": op_id, **extra, "responses": {**responses, "400": error}}


def _json_response(ref: str) -> dict[str, Any]:
    return {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}


def make_old() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
        "Owner": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    }
    for i in range(RESOURCES):
        item, create = _resource(i)
        schemas[f"Item{i}"] = item
        schemas[f"Create{i}"] = create
        schemas[f"Page{i}"] = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/Item{i}"}},
                "next": {"type": ["string", "null"]},
            },
        }
        body = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/Create{i}"}}},
        }
        paths[f"/v1/resource{i}"] = {
            "get": _operation(
                f"list_resource{i}",
                {"200": _json_response(f"#/components/schemas/Page{i}")},
                parameters=[{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
            ),
            "post": _operation(
                f"create_resource{i}", {"201": _json_response(f"#/components/schemas/Item{i}")}, requestBody=body
            ),
        }
        paths[f"/v1/resource{i}/{{id}}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": _operation(f"get_resource{i}", {"200": _json_response(f"#/components/schemas/Item{i}")}),
            "delete": _operation(f"delete_resource{i}", {"204": {"description": "Deleted"}}),
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Benchmark", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            },
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
    }


def make_new(old: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(old)
    schemas = new["components"]["schemas"]
    for i in range(RESOURCES):
        if i % 10 == 0:
            schemas[f"Create{i}"]["properties"]["title"]["maxLength"] = 100
        if i % 25 == 0:
            del new["paths"][f"/v1/resource{i}/{{id}}"]["delete"]
        if i % 20 == 0:
            schemas[f"Create{i}"]["properties"]["note"] = {"type": "string"}
        if i % 33 == 0:
            schemas[f"Item{i}"]["properties"]["status"]["enum"].append("archived")
    schemas["Error"]["properties"]["trace_id"] = {"type": "string"}
    for j in range(20):
        new["paths"][f"/v1/extra{j}"] = {
            "get": _operation(f"extra{j}", {"200": _json_response("#/components/schemas/Owner")})
        }
    return new


def make_specs() -> tuple[dict[str, Any], dict[str, Any]]:
    old = make_old()
    return old, make_new(old)


def _median(runs: int, action: Any) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from generator.diff import compare

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    old, new = make_specs()
    operations = sum(1 for item in old["paths"].values() for key in item if key != "parameters")
    changes = compare(old, new)
    in_process = _median(runs, lambda: compare(old, new))
    with tempfile.TemporaryDirectory() as scratch:
        old_file, new_file = Path(scratch) / "old.json", Path(scratch) / "new.json"
        old_file.write_text(json.dumps(old), encoding="utf-8")
        new_file.write_text(json.dumps(new), encoding="utf-8")
        command = [sys.executable, "-m", "generator", "diff", str(old_file), str(new_file), "--format", "json"]
        whole = _median(runs, lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True))
    print(
        f"spec diff, {operations} operations in the old document, {len(changes)} changes found, median of {runs} runs"
    )
    print(f"  compare() in-process: {in_process:.3f} s")
    print(f"  python -m generator diff OLD NEW --format json (whole command): {whole:.3f} s")
    slow = max(in_process, whole) >= TARGET_SECONDS
    print(f"target: under {TARGET_SECONDS:.1f} s: {'MISSED' if slow else 'met'}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
