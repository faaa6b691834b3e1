"""Answers: an operation's documented success answer, and the vendor's error answer to a refused request.

A success answer is the example instance of the operation's success schema (reelforge.specs: the lowest
documented 2xx code), with the call's facts written in along JSONPaths; an operation whose success response
has no JSON body answers with its status and no body. An error answer is the vendor's own (errors.py), and is
logged as `request_rejected`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse, Response

from reelforge.sandbox.catalog import ServedOperation, ServedVendor
from reelforge.sandbox.errors import ErrorKind, Problem, error_answer
from reelforge.sandbox.examples import example_instance
from reelforge.sandbox.state import SandboxState
from reelforge.specs import JSONPath, Operation, Step

__all__ = ["Answers", "iso_time", "success_of"]


def iso_time(timestamp: float) -> str:
    """A wall-clock time.time() reading as the vendors write times: ISO 8601 in UTC, to the millisecond."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def success_of(operation: Operation) -> tuple[int, Any]:
    """The status to answer an operation's success with, and its JSON schema (None when it has no JSON body;
    200 and None for an operation that documents no 2xx)."""
    success = operation.success
    return (success.status, success.schema) if success is not None else (200, None)


class Answers:
    """The answers of one vendor's operations."""

    def __init__(self, vendor: ServedVendor, state: SandboxState) -> None:
        self.vendor = vendor
        self.spec = vendor.spec
        self.state = state

    def error(self, kind: ErrorKind, problems: Sequence[Problem] = (), **details: Any) -> Response:
        """The vendor's answer to a refused request, logged as `request_rejected` with `details`."""
        status, body = error_answer(self.vendor.vendor, kind, problems)
        with self.state.lock:
            self.state.record("request_rejected", vendor=self.vendor.vendor, status=status, reason=kind, **details)
        return JSONResponse(body, status_code=status)

    def documented(
        self,
        op: ServedOperation,
        values: Mapping[JSONPath, Any] | None = None,
        echo: Any = None,
        lists: Mapping[JSONPath, list[str]] | None = None,
    ) -> Response:
        """The operation's documented success answer: its example instance, with the request's fields of the same
        names echoed where that stays valid, and `values` (path -> value) and `lists` (a path with one [*] ->
        one value per item) written in."""
        status_code, schema = success_of(op.operation)
        if schema is None:
            return Response(status_code=status_code)
        answer = example_instance(self.spec, schema)
        if isinstance(echo, Mapping) and isinstance(answer, dict):
            top = self.spec.schema_at(schema, JSONPath(()))
            properties = (top.get("properties") or {}) if top is not None else {}
            echoed = {**answer, **{k: v for k, v in echo.items() if k in properties}}
            if self.spec.is_valid(schema, echoed):
                answer = echoed
        for path, items in (lists or {}).items():
            self._set_items(schema, answer, path, items)
        for path, value in (values or {}).items():
            path.set(answer, value)
        return JSONResponse(answer, status_code=status_code)

    def _set_items(self, schema: Any, answer: Any, path: JSONPath, values: list[str]) -> None:
        """Write `values` at a path with one [*], one per item, sizing the array to fit (items start as the
        example instance of the item schema)."""
        split = path.split_at_wildcard()
        if split is None:
            raise ValueError(f"{path} has no [*] to write {len(values)} values along")
        array_path, rest = split
        arrays = array_path.find(answer)
        if not arrays or not isinstance(arrays[0], list) or len(arrays[0]) != len(values):
            item_schema = self.spec.schema_at(schema, array_path / Step(wildcard=True))
            array_path.set(answer, [example_instance(self.spec, item_schema) for _ in values])
        for index, value in enumerate(values):
            (array_path / Step(index=index) / rest).set(answer, value)
