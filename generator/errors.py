"""The one error type the pipeline stops with.

Every failure a maintainer can cause (an edited spec, a bad overlay, an invalid effective spec, a generator
warning) is a `PipelineError` whose message names the file, and the action or JSON pointer, and whose `fix`
says what to do. Only `generator.__main__` turns it into an exit code. `spec_errors` turns what the spec reader
(reelforge.specs) refuses into one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reelforge.specs import JSONPathError, SpecError

__all__ = ["PipelineError", "spec_errors"]


class PipelineError(Exception):
    """A problem in the pipeline's inputs, with what to do about it."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if self.fix is None else f"{self.message}\n  fix: {self.fix}"


_PATH_FIX = "use member names, indexes and [*] only (the sandbox and the facade read no filters or slices)"
_REFERENCE_FIX = "correct the $ref (a local #/... reference to a node that exists, with no loop)"


@contextmanager
def spec_errors(where: str) -> Iterator[None]:
    """Stop with a PipelineError where the reader cannot follow the spec while `where` (a JSON pointer) is read.

    A check that cannot read what it checks (a `$ref` that leads nowhere, a JSONPath outside the subset) must
    fail, never pass unchecked. The reader's message names the document and the pointer at fault as far as it
    knows it; where that is not inside `where` (a schema reached from another one), `where` is added.
    """
    try:
        yield
    except SpecError as exc:
        message = str(exc) if exc.pointer.startswith(where) else f"{exc} (while reading {where})"
        fix = _PATH_FIX if isinstance(exc.__cause__, JSONPathError) else _REFERENCE_FIX
        raise PipelineError(message, fix=fix) from exc
