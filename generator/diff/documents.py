"""The two OpenAPI documents of a diff, read the way a client sees them.

- Loading: YAML or JSON, string keys (generator.documents); anything that is not an OpenAPI 3.x document is a
  PipelineError naming the file.
- `$ref`s are followed by reelforge.specs (local ones: `#/...`; a loop or a reference that leads nowhere is a
  PipelineError), with the place they point to kept as the JSON pointer of what is found there, so a change is
  located where a maintainer would edit it.
- Schemas are normalized before they are compared: allOf branches merged into one schema; OpenAPI 3.0
  `nullable: true`, 3.1 `type: [x, "null"]` and a `{"type": "null"}` branch of anyOf/oneOf all read as
  "nullable"; `const` reads as a one-value enum. Properties and items stay unnormalized until a comparison
  reaches them, so recursive schemas cost nothing here; the comparison stops recursing on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from generator.documents import load_document, parse_document
from generator.errors import PipelineError
from reelforge import specs

__all__ = ["Document", "Node", "Schema", "check_openapi", "load_openapi", "parse_openapi"]

Node = tuple[Any, str]
"""A raw value of the document and the JSON pointer where it sits."""

_FIX = "pass an OpenAPI 3.0 or 3.1 document (YAML or JSON)"


def check_openapi(document: Any, source: str) -> dict[str, Any]:
    """`document` if it is an OpenAPI 3.x document, else a PipelineError naming `source`."""
    if not isinstance(document, dict):
        raise PipelineError(f"{source}: not an OpenAPI document (the top level is not a mapping)", fix=_FIX)
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = "no 'openapi' field" if version is None else f"'openapi' is {version!r}"
        if "swagger" in document:
            found = f"a Swagger {document['swagger']} document"
        raise PipelineError(f"{source}: not an OpenAPI 3.x document ({found})", fix=_FIX)
    for key in ("paths", "components"):
        if key in document and not isinstance(document[key], dict):
            raise PipelineError(f"{source}: '{key}' must be a mapping", fix=_FIX)
    return document


def load_openapi(path: Path) -> dict[str, Any]:
    return check_openapi(load_document(path), str(path))


def parse_openapi(text: str, source: str) -> dict[str, Any]:
    return check_openapi(parse_document(text, source), source)


@dataclass
class Schema:
    """A schema as compared: types without "null", nullability apart, allOf merged, refs followed.

    `origin` maps each keyword that was set to the JSON pointer of the schema object that set it, so a change to
    `maxLength` is located at `<that pointer>/maxLength` even when the schema came from a `$ref` or an allOf.
    """

    pointer: str
    types: frozenset[str] = frozenset()
    format: str | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    enum_keyword: str = "enum"  # "const" when a const set it
    limits: dict[str, float] = field(default_factory=dict)
    pattern: str | None = None
    properties: dict[str, tuple[Node, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    items: tuple[Node, ...] = ()
    alternatives: tuple[str, tuple[Node, ...]] | None = None  # ("oneOf" | "anyOf", non-null branches)
    discriminator: tuple[str, dict[str, str]] | None = None  # (propertyName, mapping value -> $ref)
    deprecated: bool = False
    read_only: bool = False
    write_only: bool = False
    description: str | None = None
    origin: dict[str, str] = field(default_factory=dict)

    def at(self, keyword: str) -> str:
        """The JSON pointer of `keyword` where it was set (or where it would go)."""
        return f"{self.origin.get(keyword, self.pointer)}/{keyword}"

    def enum_at(self, index: int | None = None) -> str:
        """The JSON pointer of the allowed values, or of the index-th one (a `const` has one, at `.../const`)."""
        if self.enum_keyword == "const":
            return f"{self.origin.get('enum', self.pointer)}/const"
        return self.at("enum") if index is None else f"{self.at('enum')}/{index}"

    @property
    def has_object_shape(self) -> bool:
        return bool(self.properties or self.required)


_LIMITS = (
    "maximum",
    "exclusiveMaximum",
    "maxLength",
    "maxItems",
    "minimum",
    "exclusiveMinimum",
    "minLength",
    "minItems",
)
_UPPER = frozenset(("maximum", "exclusiveMaximum", "maxLength", "maxItems"))


@contextmanager
def _reading() -> Iterator[None]:
    """A reference the reader cannot follow (it leads nowhere, or loops) stops the diff, naming where it is."""
    try:
        yield
    except specs.SpecError as exc:
        raise PipelineError(str(exc), fix="correct the reference, or break the loop") from exc


class Document:
    """One OpenAPI document: `$ref` lookup and normalized schemas (cached by pointer)."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source
        self.spec = specs.Spec(data, source)
        self._schemas: dict[str, Schema] = {}
        self._normalizing: set[str] = set()

    # -- references --------------------------------------------------------------------------------------------

    def lookup(self, ref: Any, at: str) -> Node:
        """The value one `$ref` found at pointer `at` points to, and its pointer.

        One link only: a schema's siblings of `$ref` count at every link of a chain, so `_normalize` walks chains
        itself (and `resolve` follows whole chains of the other objects).
        """
        if not isinstance(ref, str) or not ref.startswith("#"):
            # Spec.at would read a bare "/components/..." as a pointer; as a `$ref` it names another document.
            raise PipelineError(
                f"{self.source}: {at}/$ref is {ref!r}; only references inside the document (#/...) are supported",
                fix="bundle the document into one file first",
            )
        with _reading():
            return self.spec.at(ref, at=f"{at}/$ref"), specs.pointer(specs.pointer_parts(unquote(ref)))

    def resolve(self, node: Any, at: str) -> Node:
        """Follow a chain of `$ref`s (Parameter, Request Body, Response, Path Item objects); siblings are ignored."""
        with _reading():
            found: Node = self.spec.lookup(node, at)
            return found

    # -- schemas -----------------------------------------------------------------------------------------------

    def schema(self, node: Any, pointer: str) -> Schema:
        """The normalized schema of the raw schema `node` found at `pointer`."""
        cached = self._schemas.get(pointer)
        if cached is not None:
            return cached
        if pointer in self._normalizing:
            # allOf or $ref chains that loop back without going through a property: nothing more to learn.
            return Schema(pointer)
        self._normalizing.add(pointer)
        try:
            result = self._normalize(node, pointer)
        finally:
            self._normalizing.discard(pointer)
        self._schemas[pointer] = result
        return result

    def schema_of(self, nodes: tuple[Node, ...], pointer: str) -> Schema:
        """One schema for the nodes that define a property (several when allOf branches each define it)."""
        if len(nodes) == 1:
            return self.schema(*nodes[0])
        return _merge([self.schema(*n) for n in nodes], pointer)

    def _normalize(self, node: Any, pointer: str) -> Schema:
        if not isinstance(node, dict):
            return Schema(pointer)  # `true` / `{}`: anything
        if "$ref" in node:
            target = self.schema(*self.lookup(node["$ref"], pointer))
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if not siblings:
                return target
            # 3.1 allows keywords beside a $ref; they apply too (and their description is the more specific one).
            return _merge([self._own(siblings, pointer), target], pointer, outer_nullable=_says_nullable(siblings))
        own = self._own(node, pointer)
        parts = [own]
        for index, branch in enumerate(node.get("allOf") or ()):
            parts.append(self.schema(branch, f"{pointer}/allOf/{index}"))
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword)
            if not isinstance(branches, list):
                continue
            kept: list[Node] = []
            for index, branch in enumerate(branches):
                branch_pointer = f"{pointer}/{keyword}/{index}"
                if self._is_null(branch, branch_pointer):
                    own.nullable = True
                else:
                    kept.append((branch, branch_pointer))
            if len(kept) == 1:
                parts.append(self.schema(*kept[0]))  # `anyOf: [X, {type: null}]` is a nullable X
            elif kept:
                own.alternatives = (keyword, tuple(kept))
        if len(parts) == 1:
            return own
        return _merge(parts, pointer, outer_nullable=own.nullable)

    def _is_null(self, branch: Any, pointer: str) -> bool:
        branch, _ = self.resolve(branch, pointer)
        if not isinstance(branch, dict):
            return False
        kind = branch.get("type")
        return (
            kind == "null"
            or kind == ["null"]
            or branch.get("enum") == [None]
            or ("const" in branch and branch["const"] is None)
        )

    def _own(self, node: dict[str, Any], pointer: str) -> Schema:
        """The keywords of one schema object, without following its allOf/oneOf/anyOf."""
        schema = Schema(pointer)
        origin = schema.origin
        kind = node.get("type")
        if isinstance(kind, str):
            kinds = {kind}
        elif isinstance(kind, list):
            kinds = {k for k in kind if isinstance(k, str)}
        else:
            kinds = set()
        if "null" in kinds:
            kinds.discard("null")
            schema.nullable = True
        if kinds:
            schema.types = frozenset(kinds)
            origin["type"] = pointer
        if node.get("nullable") is True:
            schema.nullable = True
        if isinstance(node.get("format"), str):
            schema.format = node["format"]
            origin["format"] = pointer
        values: list[Any] | None = None
        if isinstance(node.get("enum"), list):
            values = list(node["enum"])
            origin["enum"] = pointer
        elif "const" in node:
            values = [node["const"]]
            origin["enum"] = pointer
            schema.enum_keyword = "const"
        if values is not None:
            if None in values:
                schema.nullable = True
                values = [v for v in values if v is not None]
            schema.enum = tuple(values)
        for keyword in _LIMITS:
            value = node.get(keyword)
            # OpenAPI 3.0's boolean exclusiveMaximum/Minimum only qualify maximum/minimum: not limits of their own.
            if isinstance(value, int | float) and not isinstance(value, bool):
                schema.limits[keyword] = value
                origin[keyword] = pointer
        if isinstance(node.get("pattern"), str):
            schema.pattern = node["pattern"]
            origin["pattern"] = pointer
        properties = node.get("properties")
        if isinstance(properties, dict):
            schema.properties = {
                name: ((value, pointer + specs.pointer(["properties", name])),) for name, value in properties.items()
            }
        required = node.get("required")
        if isinstance(required, list):
            schema.required = tuple(name for name in required if isinstance(name, str))
            origin["required"] = pointer
        if "items" in node and isinstance(node["items"], dict):
            schema.items = ((node["items"], f"{pointer}/items"),)
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            mapping = discriminator.get("mapping")
            refs = {k: v for k, v in mapping.items() if isinstance(v, str)} if isinstance(mapping, dict) else {}
            schema.discriminator = (discriminator["propertyName"], refs)
        schema.deprecated = node.get("deprecated") is True
        schema.read_only = node.get("readOnly") is True
        schema.write_only = node.get("writeOnly") is True
        if isinstance(node.get("description"), str):
            schema.description = node["description"]
            origin["description"] = pointer
        return schema


def _says_nullable(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return node.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind)


def _merge(parts: list[Schema], pointer: str, *, outer_nullable: bool = False) -> Schema:
    """allOf: one schema that every part constrains; the tighter bound wins, properties and required add up."""
    merged = Schema(pointer)
    typed = [p for p in parts if p.types]
    if typed:
        types = typed[0].types
        for part in typed[1:]:
            types = (types & part.types) or part.types
        merged.types = types
    constraining = [p for p in parts if p.types or p.enum is not None]
    # A 3.0 `nullable: true` beside an allOf makes the whole nullable (the usual way to say "a nullable $ref").
    merged.nullable = outer_nullable or (
        all(p.nullable for p in constraining) if constraining else any(p.nullable for p in parts)
    )
    properties: dict[str, tuple[Node, ...]] = {}
    required: list[str] = []
    items: tuple[Node, ...] = ()
    for part in parts:
        for keyword, where in part.origin.items():
            merged.origin.setdefault(keyword, where)
        if merged.format is None:
            merged.format = part.format
        if merged.enum is None and part.enum is not None:
            merged.enum = part.enum
            merged.enum_keyword = part.enum_keyword
            merged.origin["enum"] = part.origin.get("enum", part.pointer)
        for keyword, value in part.limits.items():
            current = merged.limits.get(keyword)
            tighter = current is None or (value < current if keyword in _UPPER else value > current)
            if tighter:
                merged.limits[keyword] = value
                merged.origin[keyword] = part.origin.get(keyword, part.pointer)
        if merged.pattern is None:
            merged.pattern = part.pattern
        for name, nodes in part.properties.items():
            properties[name] = properties.get(name, ()) + nodes
        required.extend(name for name in part.required if name not in required)
        items += part.items
        if merged.alternatives is None:
            merged.alternatives = part.alternatives
        if merged.discriminator is None:
            merged.discriminator = part.discriminator
        merged.deprecated |= part.deprecated
        merged.read_only |= part.read_only
        merged.write_only |= part.write_only
        if merged.description is None:
            merged.description = part.description
    merged.properties = properties
    merged.required = tuple(required)
    merged.items = items
    return merged
