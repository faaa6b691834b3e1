"""The OpenAPI Overlay engine: Overlay Specification 1.0.x and 1.1.x documents applied to a JSON-like document.

`load_overlay` reads an Overlay document and checks its structure (fields, types, versions, JSONPath syntax)
before anything is applied, so a typo fails at load time with the file and the field path. `apply_overlays`
then applies the overlays in order, and within each overlay its actions in order, each action on the result of
the one before (Overlay 1.1.0, "Overlay Object": "Actions are applied to the result of the previous action").
The input document is never mutated: the engine works on a deep copy.

Rules, each from the Overlay Specification text ("Action Object" unless said otherwise):

* `target` and `copy` are RFC 9535 JSONPath queries (`jsonpath_rfc9535`), compiled once at load time.
* `remove: true` removes each selected node from the map or array it is contained in. `update` "has no
  impact if the `remove` field of this action object is `true`"; `copy` likewise. Between `update` and `copy`
  the 1.1.0 text says each has no impact when the other is given; this engine lets `update` win.
* `update` on an object node: the value MUST be an object, merged recursively. On an array node: an array is
  concatenated, an object or primitive is appended as one item. On a primitive node (1.1 only): the value MUST
  be a primitive, which replaces the node. Anything else is an error naming the node's normalized path.
* Recursive merge: a property only in the target stays; a property only in the update is inserted; in both,
  primitive replaces primitive, array concatenates with array, object merges with object, and "other property
  value combinations are incompatible and result in an error".
* `copy` (1.1 only) selects a single node whose value is merged into each target node by the same rules.
* A 1.1 action whose target selects two or more nodes for `update` or `copy` requires them to be "all objects
  or all arrays or all primitives".
* Overlay 1.0 documents get the same rules, except: no `copy` and no `info.description` (both new in 1.1); an
  `update` on a primitive node is an error (1.0: a target "MUST be zero or more objects or arrays (not
  primitive types or null values)"; primitive updates are a 1.1 feature); and an array `update` on an array
  node is an error, because 1.0 calls the update "an entry to append" while 1.1 concatenates, so the author
  must say which by declaring 1.1. Removing primitive nodes stays allowed under 1.0, as the specification
  repository's 1.0 compliant sets (remove-example, many-operations) do.
* A node that one target selects more than once (overlapping descendant queries, repeated union selectors) is
  changed once.
* Strictness beyond the spec: a target (or copy source) selecting nothing is an error unless
  `allow_empty_targets` is set (the spec lets such an action succeed without change), because in a vendored
  spec it almost always means the upstream document moved.
"""

from __future__ import annotations

import copy as copying
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonpath_rfc9535 import JSONPathEnvironment, JSONPathError, JSONPathQuery

from generator.documents import load_document
from generator.errors import PipelineError

__all__ = [
    "SUPPORTED_VERSIONS",
    "Action",
    "Overlay",
    "OverlayError",
    "apply_overlay",
    "apply_overlays",
    "load_overlay",
    "normalized_path",
    "parse_overlay",
]

SUPPORTED_VERSIONS = ("1.0", "1.1")
"""The Overlay feature sets (`major.minor`) this engine implements; any patch version of them is accepted."""

_VERSION = re.compile(r"^(?P<feature_set>1\.[01])\.(?:0|[1-9][0-9]*)$")
_ROOT_FIELDS = ("overlay", "info", "extends", "actions")
_INFO_FIELDS = {"1.0": ("title", "version"), "1.1": ("title", "version", "description")}
_ACTION_FIELDS = {
    "1.0": ("target", "description", "update", "remove"),
    "1.1": ("target", "description", "update", "remove", "copy"),
}
_ALLOW_EMPTY_HINT = "pass --allow-empty-targets (allow_empty_targets=True) to let it match nothing"

_ENVIRONMENT = JSONPathEnvironment()

Location = tuple[int | str, ...]


class OverlayError(PipelineError):
    """An Overlay document that is malformed, or an action that cannot be applied."""


@dataclass(frozen=True)
class Action:
    """One Action Object, validated, with its JSONPath queries compiled."""

    index: int
    target: str
    query: JSONPathQuery = field(repr=False, compare=False)
    description: str | None = None
    has_update: bool = False
    update: Any = None
    remove: bool = False
    copy: str | None = None
    copy_query: JSONPathQuery | None = field(default=None, repr=False, compare=False)
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """What the action does, after precedence: "remove", "update", "copy" or "none"."""
        if self.remove:
            return "remove"
        if self.has_update:
            return "update"
        if self.copy is not None:
            return "copy"
        return "none"


@dataclass(frozen=True)
class Overlay:
    """A loaded, structurally valid Overlay document."""

    path: Path
    version: str
    info: Mapping[str, Any]
    extends: str | None
    actions: tuple[Action, ...]
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def feature_set(self) -> str:
        """The `major.minor` part of `version` ("1.0" or "1.1"): patch versions are not distinguished."""
        return self.version.rsplit(".", 1)[0]


# --------------------------------------------------------------------------------------------------------------
# Loading and the structure check


def _kind(value: Any) -> str:
    """The JSON type name of a value, as error messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


class _Checker:
    """Structure errors for one file, each naming the file and the field path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str, fix: str) -> OverlayError:
        prefix = f"{self.path}: {where}: " if where else f"{self.path}: "
        return OverlayError(prefix + problem, fix=fix)

    def require_type(self, where: str, value: Any, expected: str, fix: str) -> None:
        if _kind(value) != expected:
            article = "an" if expected[0] in "aeiou" else "a"
            raise self.fail(where, f"must be {article} {expected}, got {_kind(value)}", fix)

    def require_fields(self, where: str, mapping: Mapping[str, Any], required: Sequence[str], fix: str) -> None:
        for name in required:
            if name not in mapping:
                raise self.fail(_join(where, name), "required field missing", fix)

    def reject_unknown(
        self, where: str, mapping: Mapping[str, Any], allowed: Sequence[str], version_note: str = ""
    ) -> None:
        for name in mapping:
            if name in allowed or name.startswith("x-"):
                continue
            listed = ", ".join(allowed)
            raise self.fail(
                _join(where, name),
                f"unknown field{version_note} (allowed: {listed}, and x-* extensions)",
                "remove the field, correct its spelling, or prefix it with x- if it is an extension",
            )


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _extensions(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if key.startswith("x-")}


def _compile(check: _Checker, where: str, expression: str, index: int, action: Mapping[str, Any]) -> JSONPathQuery:
    try:
        return _ENVIRONMENT.compile(expression)
    except JSONPathError as exc:
        description = action.get("description")
        about = f" ({description!r})" if isinstance(description, str) else ""
        raise check.fail(
            where,
            f"action {index}{about}: {expression!r} is not a valid RFC 9535 JSONPath query: {exc}",
            "correct the JSONPath expression (RFC 9535 syntax: e.g. $.paths['/items'].get, "
            "$..parameters[?@.name == 'id'])",
        ) from exc


def _parse_action(check: _Checker, raw: Any, index: int, feature_set: str) -> Action:
    where = f"actions[{index}]"
    check.require_type(where, raw, "object", "write each action as a mapping with at least a `target`")
    allowed = _ACTION_FIELDS[feature_set]
    if feature_set == "1.0" and "copy" in raw:
        raise check.fail(
            f"{where}.copy",
            "the copy action needs Overlay 1.1 (this document declares overlay 1.0.x)",
            "declare `overlay: 1.1.0`, or express the change as an update",
        )
    check.reject_unknown(where, raw, allowed)
    check.require_fields(where, raw, ("target",), "give the action a `target` JSONPath expression, e.g. $.info")
    target = raw["target"]
    check.require_type(f"{where}.target", target, "string", "write the target as a JSONPath string, e.g. $.info")
    description = raw.get("description")
    if "description" in raw:
        check.require_type(f"{where}.description", description, "string", "write the description as text")
    remove = raw.get("remove", False)
    if "remove" in raw:
        check.require_type(f"{where}.remove", remove, "boolean", "write `remove: true` (or leave it out)")
    copy_source = raw.get("copy")
    if "copy" in raw:
        check.require_type(
            f"{where}.copy", copy_source, "string", "write the copy source as a JSONPath string, e.g. $.paths['/a']"
        )
    if not ("update" in raw or "remove" in raw or "copy" in raw):
        modifiers = "`update`, `remove` or `copy`" if feature_set == "1.1" else "`update` or `remove`"
        raise check.fail(
            where,
            f"action {index} has no modifier: an Action Object needs {modifiers}",
            "add what the action should do to its target, or delete the action",
        )
    query = _compile(check, f"{where}.target", target, index, raw)
    copy_query = _compile(check, f"{where}.copy", copy_source, index, raw) if copy_source is not None else None
    return Action(
        index=index,
        target=target,
        query=query,
        description=description,
        has_update="update" in raw,
        update=raw.get("update"),
        remove=bool(remove),
        copy=copy_source,
        copy_query=copy_query,
        extensions=_extensions(raw),
    )


def _parse_overlay(path: Path, raw: Any) -> Overlay:
    check = _Checker(path)
    if _kind(raw) != "object":
        raise check.fail(
            "",
            f"an Overlay document must be an object (a mapping), got {_kind(raw)}",
            "start the file with `overlay: 1.1.0`, `info:` and `actions:`",
        )
    check.require_fields("", raw, ("overlay",), "add `overlay: 1.1.0` (the Overlay Specification version)")
    version = raw["overlay"]
    check.require_type(
        "overlay", version, "string", "write the version as a string, e.g. `overlay: 1.1.0` (not a number such as 1.1)"
    )
    matched = _VERSION.match(version)
    if matched is None:
        raise check.fail(
            "overlay",
            f"unsupported Overlay Specification version {version!r} (supported: 1.0.x and 1.1.x)",
            "declare `overlay: 1.1.0` (or 1.0.0)",
        )
    feature_set = matched["feature_set"]
    check.reject_unknown("", raw, _ROOT_FIELDS)

    check.require_fields("", raw, ("info",), "add `info:` with `title:` and `version:`")
    info = raw["info"]
    check.require_type("info", info, "object", "write info as a mapping with `title:` and `version:`")
    check.require_fields("info", info, ("title", "version"), "give info both a `title` and a `version` (strings)")
    check.require_type("info.title", info["title"], "string", "write the title as text")
    check.require_type(
        "info.version",
        info["version"],
        "string",
        "write the overlay's own version as a string, quoted if it looks like a number: '1.0'",
    )
    if feature_set == "1.0" and "description" in info:
        raise check.fail(
            "info.description",
            "info.description needs Overlay 1.1 (this document declares 1.0.x)",
            "declare `overlay: 1.1.0`, or move the text to an x- extension",
        )
    check.reject_unknown("info", info, _INFO_FIELDS[feature_set])
    if "description" in info:
        check.require_type("info.description", info["description"], "string", "write the description as text")

    extends = raw.get("extends")
    if "extends" in raw:
        check.require_type("extends", extends, "string", "write extends as a URI reference string")
        if not extends or any(ch.isspace() for ch in extends):
            raise check.fail(
                "extends",
                f"{extends!r} is not a URI reference",
                "write a URI reference such as ./openapi.yaml (percent-encode spaces)",
            )

    check.require_fields("", raw, ("actions",), "add `actions:` with at least one action")
    raw_actions = raw["actions"]
    check.require_type("actions", raw_actions, "array", "write actions as a list of action mappings")
    if not raw_actions:
        raise check.fail("actions", "must contain at least one action", "add an action or delete the overlay file")
    actions = tuple(_parse_action(check, item, index, feature_set) for index, item in enumerate(raw_actions))
    first_seen: dict[str, int] = {}
    for index, item in enumerate(raw_actions):
        canonical = json.dumps(item, sort_keys=True, default=repr)
        if canonical in first_seen:
            raise check.fail(
                f"actions[{index}]",
                f"duplicates actions[{first_seen[canonical]}] (the actions of an overlay must be unique)",
                "delete one of the two identical actions",
            )
        first_seen[canonical] = index
    return Overlay(
        path=path,
        version=version,
        info=dict(info),
        extends=extends,
        actions=actions,
        extensions=_extensions(raw),
    )


def load_overlay(path: Path) -> Overlay:
    """Read an Overlay document (YAML or JSON) and check its structure; raise OverlayError when it is invalid."""
    return _parse_overlay(path, load_document(path))


def parse_overlay(raw: Any, path: Path) -> Overlay:
    """Check an already parsed Overlay document; `path` names it in errors."""
    return _parse_overlay(path, raw)


# --------------------------------------------------------------------------------------------------------------
# Applying


def normalized_path(location: Location) -> str:
    """The RFC 9535 normalized path (section 2.7) of a location: $['paths']['/items'][0]."""
    parts = ["$"]
    for step in location:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(f"['{_escape_name(step)}']")
    return "".join(parts)


_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "'": "\\'", "\\": "\\\\"}


def _escape_name(name: str) -> str:
    out: list[str] = []
    for ch in name:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _shape(value: Any) -> str:
    """Object, array or primitive: the three kinds the merge rules distinguish (null is a primitive)."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "primitive"


class _Context:
    """Where an action is, for its error messages."""

    def __init__(self, overlay: Overlay, action: Action) -> None:
        self.overlay = overlay
        self.action = action

    def error(self, problem: str, fix: str) -> OverlayError:
        action = self.action
        about = f" ({action.description!r})" if action.description else ""
        return OverlayError(
            f"{self.overlay.path}: action {action.index}{about}, target {action.target}: {problem}", fix=fix
        )


def _resolve(root: Any, location: Location) -> Any:
    node = root
    for step in location:
        node = node[step]
    return node


def _merge_property(ctx: _Context, target: Any, value: Any, location: Location, source: str) -> Any:
    """Merge `value` into `target` for a property present in both; returns the merged value (mutates objects)."""
    target_shape, value_shape = _shape(target), _shape(value)
    if target_shape == "object" and value_shape == "object":
        for key, item in value.items():
            if key in target:
                target[key] = _merge_property(ctx, target[key], item, (*location, key), source)
            else:
                target[key] = copying.deepcopy(item)
        return target
    if target_shape == "array" and value_shape == "array":
        target.extend(copying.deepcopy(value))
        return target
    if target_shape == "primitive" and value_shape == "primitive":
        return copying.deepcopy(value)
    raise ctx.error(
        f"cannot merge: at {normalized_path(location)} the document has {_described(target)} but the {source} "
        f"has {_described(value)} (Overlay merge: primitive replaces primitive, array concatenates with array, "
        "object merges with object; other combinations are incompatible)",
        f"to replace the value at {normalized_path(location)} with one of another kind, remove it in an earlier "
        "action and add it again; otherwise give a value of the same kind",
    )


def _described(value: Any) -> str:
    """A value's kind for messages, with a short primitive's JSON text: an object, a string ("abc"), null."""
    kind = _kind(value)
    if kind == "null":
        return "null"
    article = "an" if kind[0] in "aeiou" else "a"
    if _shape(value) != "primitive":
        return f"{article} {kind}"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{article} {kind} ({text})" if len(text) <= 40 else f"{article} {kind}"


def _merge_node(ctx: _Context, node: Any, value: Any, location: Location, source: str) -> Any:
    """Apply an update (or copied) value to one selected node; returns the node's new value."""
    node_shape, value_shape = _shape(node), _shape(value)
    feature_set = ctx.overlay.feature_set
    if node_shape == "array":
        if value_shape == "array":
            if feature_set == "1.0":
                raise ctx.error(
                    f"the {source} is an array and the target {normalized_path(location)} is an array: Overlay 1.0 "
                    "says an update on an array is one entry to append, Overlay 1.1 concatenates the two arrays",
                    "declare `overlay: 1.1.0` to concatenate, or give the single item to append as the update",
                )
            node.extend(copying.deepcopy(value))
        else:
            node.append(copying.deepcopy(value))
        return node
    if node_shape == "object":
        if value_shape != "object":
            raise ctx.error(
                f"the target {normalized_path(location)} is an object, so the {source} must be an object of "
                f"properties to merge into it, got {_described(value)}",
                "give the properties to merge (e.g. `update: {description: ...}`), or target the property itself",
            )
        return _merge_property(ctx, node, value, location, source)
    if feature_set == "1.0":
        raise ctx.error(
            f"the target {normalized_path(location)} is {_described(node)}: in Overlay 1.0 a target must select "
            "objects or arrays, not primitive or null values",
            "target the containing object and update the property in it, or declare `overlay: 1.1.0`",
        )
    if value_shape != "primitive":
        raise ctx.error(
            f"the target {normalized_path(location)} is {_described(node)}, so the {source} must be a primitive "
            f"value to replace it, got {_described(value)}",
            "target the containing object and update the property in it (or remove the property first)",
        )
    return copying.deepcopy(value)


def _select(query: JSONPathQuery, root: Any) -> list[Location]:
    """The distinct locations a query selects, in the order it selects them."""
    seen: set[Location] = set()
    locations: list[Location] = []
    for node in query.finditer(root):
        location: Location = tuple(node.location)
        if location not in seen:
            seen.add(location)
            locations.append(location)
    return locations


def _empty(ctx: _Context, what: str, allow_empty_targets: bool) -> None:
    if not allow_empty_targets:
        raise ctx.error(
            f"{what} matched no node in the document",
            "correct the JSONPath (did the upstream spec rename or move it?), delete the action, or "
            + _ALLOW_EMPTY_HINT,
        )


def _remove(ctx: _Context, root: Any, locations: list[Location]) -> Any:
    if () in locations:
        raise ctx.error("remove: true would remove the root of the document", "target the nodes inside the root")
    # Descending order: array items from the highest index down, and descendants before their ancestors, so no
    # removal shifts or detaches a node still to be removed. Siblings share a container, so keys compare alike.
    for location in sorted(locations, reverse=True):
        parent = _resolve(root, location[:-1])
        del parent[location[-1]]
    return root


def _apply_action(ctx: _Context, root: Any, allow_empty_targets: bool) -> Any:
    action = ctx.action
    locations = _select(action.query, root)
    if not locations:
        _empty(ctx, "the target", allow_empty_targets)
        return root
    kind = action.kind
    if kind == "none":
        return root
    if kind == "remove":
        return _remove(ctx, root, locations)

    if kind == "update":
        value, source = action.update, "update"
    else:
        assert action.copy_query is not None
        sources = _select(action.copy_query, root)
        if not sources:
            _empty(ctx, f"the copy source {action.copy}", allow_empty_targets)
            return root
        if len(sources) > 1:
            shown = ", ".join(normalized_path(location) for location in sources[:5])
            more = ", ..." if len(sources) > 5 else ""
            raise ctx.error(
                f"the copy source {action.copy} matched {len(sources)} nodes ({shown}{more}); it must select "
                "exactly one",
                "narrow the copy JSONPath to a single node",
            )
        value, source = copying.deepcopy(_resolve(root, sources[0])), f"copy source {action.copy}"

    if ctx.overlay.feature_set == "1.1" and len(locations) > 1:
        shapes = {_shape(_resolve(root, location)) for location in locations}
        if len(shapes) > 1:
            listed = ", ".join(
                f"{normalized_path(location)} ({_shape(_resolve(root, location))})" for location in locations[:6]
            )
            raise ctx.error(
                f"the target selects {len(locations)} nodes of different kinds ({listed}); for an update or copy "
                "they must be all objects, all arrays or all primitives",
                "narrow the target JSONPath (e.g. with a filter such as [?@.type == 'string'])",
            )
    for location in locations:
        merged = _merge_node(ctx, _resolve(root, location), value, location, source)
        if location:
            _resolve(root, location[:-1])[location[-1]] = merged
        else:
            root = merged
    return root


def _apply_in_place(document: Any, overlay: Overlay, allow_empty_targets: bool) -> Any:
    for action in overlay.actions:
        document = _apply_action(_Context(overlay, action), document, allow_empty_targets)
    return document


def apply_overlay(document: Any, overlay: Overlay, *, allow_empty_targets: bool = False) -> Any:
    """Apply one overlay's actions in order to a copy of `document`; return the result."""
    return _apply_in_place(copying.deepcopy(document), overlay, allow_empty_targets)


def apply_overlays(document: Any, overlays: Sequence[Overlay], *, allow_empty_targets: bool = False) -> Any:
    """Apply overlays in order, each on the result of the one before, to a copy of `document`; return the result."""
    result = copying.deepcopy(document)
    for overlay in overlays:
        result = _apply_in_place(result, overlay, allow_empty_targets)
    return result
