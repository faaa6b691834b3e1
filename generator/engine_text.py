"""Reading text out of openapi-python-client's parsed objects, for lookups, Markdown and our own templates.

The engine wraps every string from a spec (UntrustedString) and every type it writes (PythonCode) so that
spec text cannot become code by accident. These helpers unwrap them where the text is used as data; code
written from them goes through an escaping filter.
"""

from __future__ import annotations

from typing import Any

__all__ = ["code", "raw"]


def raw(value: Any) -> str:
    """The text of a spec string the engine wraps (UntrustedString)."""
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter() if getter is not None else value)


def code(value: Any) -> str:
    """The text of a type string the engine produced (PythonCode)."""
    unwrap = getattr(value, "as_unembedded_code", None)
    return str(unwrap() if unwrap is not None else value)
