"""The JSONPath subset the x-reelforge-* extensions use: parse, evaluate, write, render.

Grammar (a subset of RFC 9535, so any RFC 9535 implementation reads these paths the same way):

    path  := "$" step*
    step  := "." name            member, name = [A-Za-z_][A-Za-z0-9_]*
           | "['" text "']"      member, text with RFC 9535's escapes (\\' \\\\ \\n \\uXXXX ...); double quotes work too
           | "[" integer "]"     array index, negative counts from the end (no leading zeros, no -0)
           | "[*]" | ".*"        every item of an array (every member value of an object, when reading)

Filters, slices, unions and descendant steps are refused: every reader of the extensions (the generator's
checks, the sandbox, the facade) must be able to both read and write along a path, and must agree on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["JSONPath", "JSONPathError", "Step"]


class JSONPathError(ValueError):
    """A path outside the subset, or one that cannot be written along in a given value."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step: an object member (`name`), an array item (`index`), or every array item (`wildcard`)."""

    name: str | None = None
    index: int | None = None
    wildcard: bool = False

    @property
    def is_member(self) -> bool:
        return self.name is not None

    def render(self) -> str:
        if self.name is not None:
            return f".{self.name}" if _PLAIN_NAME.fullmatch(self.name) else f"['{_escape(self.name)}']"
        return "[*]" if self.wildcard else f"[{self.index}]"


# RFC 9535's member-name-shorthand has no "-" (`$.a-b` is a syntax error there) and its integers no leading zeros
# or "-0"; its blank space is exactly space, tab, LF and CR. Anything looser would accept paths that other
# RFC 9535 implementations (the pipeline's jsonpath_rfc9535) refuse or read differently.
_PLAIN_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPE: Final = r"""\\(?:[bfnrt/\\]|u[0-9A-Fa-f]{4})"""
_STEP: Final = re.compile(
    rf"""\.(?P<dotname>[A-Za-z_][A-Za-z0-9_]*)
      | \.\*(?P<dotwild>)
      | \[[ \t\n\r]*(?P<index>0|-?[1-9][0-9]*)[ \t\n\r]*\]
      | \[[ \t\n\r]*\*[ \t\n\r]*\](?P<wild>)
      | \[[ \t\n\r]*'(?P<squoted>(?:[^'\\\x00-\x1f\ud800-\udfff]|{_ESCAPE}|\\')*)'[ \t\n\r]*\]
      | \[[ \t\n\r]*"(?P<dquoted>(?:[^"\\\x00-\x1f\ud800-\udfff]|{_ESCAPE}|\\")*)"[ \t\n\r]*\]""",
    re.VERBOSE,
)
# RFC 9535 indexes are I-JSON integers.
_MAX_INDEX: Final = 2**53 - 1
_UNESCAPED: Final = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\", "'": "'", '"': '"'}
_ESCAPED: Final = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'"}


def _unescape(text: str, path: str) -> str:
    """A quoted member name's text with its escapes decoded (surrogate pairs joined)."""
    if "\\" not in text:
        return text
    decoded = re.sub(
        r"\\(?:u([0-9A-Fa-f]{4})|(.))",
        lambda m: chr(int(m[1], 16)) if m[1] else _UNESCAPED[m[2]],
        text,
    )
    try:
        return decoded.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise JSONPathError(f"{path!r}: a \\u escape is half of a surrogate pair") from None


def _escape(name: str) -> str:
    """A member name as the text of a single-quoted name selector (RFC 9535 escapes)."""
    return "".join(_ESCAPED.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in name)


@dataclass(frozen=True, slots=True)
class JSONPath:
    """A parsed path; `str()` gives back the canonical text (`$.a['b c'][0][*]`)."""

    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, text: str) -> JSONPath:
        """Parse `text`; JSONPathError names the position where it leaves the subset."""
        if not isinstance(text, str) or not text.startswith("$"):
            raise JSONPathError(f"a JSONPath starts with '$': {text!r}")
        steps: list[Step] = []
        position = 1
        while position < len(text):
            match = _STEP.match(text, position)
            if match is None:
                raise JSONPathError(
                    f"{text!r} leaves the simple JSONPath subset at position {position} "
                    "(use member names, indexes and [*]; no filters, slices, unions or '..')"
                )
            groups = match.groupdict()
            for key in ("dotname", "squoted", "dquoted"):
                if groups[key] is not None:
                    steps.append(Step(name=_unescape(groups[key], text)))
                    break
            else:
                if groups["index"] is not None:
                    index = int(groups["index"])
                    if abs(index) > _MAX_INDEX:
                        raise JSONPathError(f"{text!r}: index {index} at position {position} is too large")
                    steps.append(Step(index=index))
                else:
                    steps.append(Step(wildcard=True))
            position = match.end()
        return cls(tuple(steps))

    def __str__(self) -> str:
        return "$" + "".join(step.render() for step in self.steps)

    def __truediv__(self, other: JSONPath | Step) -> JSONPath:
        """This path followed by `other` (a path's steps, or one step)."""
        return JSONPath((*self.steps, *(other.steps if isinstance(other, JSONPath) else (other,))))

    @property
    def is_singular(self) -> bool:
        """True when the path selects at most one node (no wildcard)."""
        return not any(step.wildcard for step in self.steps)

    @property
    def last_name(self) -> str | None:
        """The member name of the last step (None when the path ends in an index or wildcard, or is `$`)."""
        return self.steps[-1].name if self.steps else None

    def head(self, count: int) -> JSONPath:
        """The first `count` steps."""
        return JSONPath(self.steps[:count])

    def split_at_wildcard(self) -> tuple[JSONPath, JSONPath] | None:
        """(the array before the first wildcard, the rest after it), or None without a wildcard."""
        for position, step in enumerate(self.steps):
            if step.wildcard:
                return JSONPath(self.steps[:position]), JSONPath(self.steps[position + 1 :])
        return None

    def find(self, value: Any) -> list[Any]:
        """Every node the path selects in `value`, in document order (none where a step does not apply)."""
        nodes = [value]
        for step in self.steps:
            nodes = list(_children(nodes, step))
        return nodes

    def first(self, value: Any, default: Any = None) -> Any:
        """The first node the path selects, or `default`."""
        found = self.find(value)
        return found[0] if found else default

    def set(self, value: Any, new: Any) -> Any:
        """Set every node the path selects to `new`, in place, and return `value` (`new` for `$`).

        Members missing (or null) on the way are created as objects, or arrays where the next step indexes;
        an empty array walked with [*], [0] or [-1] gets one item. JSONPathError where the path goes through
        a value of the wrong kind (a wildcard writes into arrays only), or indexes past the end of an array.
        """
        if not self.steps:
            return new
        _set(value, self.steps, new, self)
        return value


def _children(nodes: list[Any], step: Step) -> Iterator[Any]:
    for node in nodes:
        if step.name is not None:
            if isinstance(node, dict) and step.name in node:
                yield node[step.name]
        elif step.wildcard and isinstance(node, dict):
            yield from node.values()  # as RFC 9535 reads a wildcard on an object
        elif isinstance(node, list):
            if step.wildcard:
                yield from node
            elif step.index is not None and -len(node) <= step.index < len(node):
                yield node[step.index]


def _container_for(step: Step) -> Any:
    return {} if step.name is not None else []


def _set(node: Any, steps: tuple[Step, ...], new: Any, path: JSONPath) -> None:
    step, rest = steps[0], steps[1:]
    if step.name is not None:
        if not isinstance(node, dict):
            raise JSONPathError(f"{path}: member {step.name!r} of a value that is not an object")
        if not rest:
            node[step.name] = new
        else:
            if node.get(step.name) is None:
                node[step.name] = _container_for(rest[0])
            _set(node[step.name], rest, new, path)
        return
    if not isinstance(node, list):
        raise JSONPathError(f"{path}: an index or wildcard on a value that is not an array")
    if not node and (step.wildcard or step.index in (0, -1)):
        node.append(_container_for(rest[0]) if rest else None)
    if step.wildcard:
        targets: range = range(len(node))
    else:
        assert step.index is not None
        if not -len(node) <= step.index < len(node):
            raise JSONPathError(f"{path}: index {step.index} is outside an array of {len(node)} items")
        targets = range(step.index % len(node), step.index % len(node) + 1)
    for position in targets:
        if not rest:
            node[position] = new
        else:
            if node[position] is None:
                node[position] = _container_for(rest[0])
            _set(node[position], rest, new, path)
