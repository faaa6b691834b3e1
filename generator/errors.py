"""The one error type the pipeline stops with.

Every failure a maintainer can cause (an edited spec, a bad overlay, an invalid effective spec, a generator
warning) is a `PipelineError` whose message names the file, and the action or JSON pointer, and whose `fix`
says what to do. Only `generator.__main__` turns it into an exit code.
"""

from __future__ import annotations

__all__ = ["PipelineError"]


class PipelineError(Exception):
    """A problem in the pipeline's inputs, with what to do about it."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if self.fix is None else f"{self.message}\n  fix: {self.fix}"
