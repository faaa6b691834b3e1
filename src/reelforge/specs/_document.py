"""An OpenAPI 3.0 or 3.1 document read as data: references, pointers, operations, and the schemas around them.

One definition of each idea, for every reader in the project (the generator's checks, the sandbox, the tests and
the facade):

- a `$ref` is local (`#/...`); following one that loops, or leads nowhere, is a SpecError naming the pointer;
- an operation's parameters are its path item's, overridden by its own of the same name and location;
- an operation's *success response* is its lowest documented 2xx code (concrete codes before `2XX`), and its
  success schema the JSON schema of that response (None when it has no JSON body);
- the *error schema* for a status is the JSON schema of the response documented for that status, else its
  range (`4XX`), else `default`;
- the schemas a value at a JSONPath may have are found through properties and items, looking into every
  branch of allOf, anyOf and oneOf.

Only the standard library is imported at module level: the generator reads specs before any package of the
project is installed, and `import reelforge` stays cheap. Validation imports openapi-schema-validator when used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from reelforge.specs._jsonpath import JSONPath

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "Spec",
    "SpecError",
    "Success",
    "merge_schemas",
    "pointer",
    "pointer_parts",
]

HTTP_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_REFS: Final = 64
_VALIDATORS: Final = 256  # validators a Spec keeps
_MAX_DEPTH: Final = 32
# Keywords that only annotate; a `$ref` whose siblings are all annotations is just its target.
_ANNOTATIONS: Final = frozenset({"description", "summary", "title", "deprecated", "example", "examples"})


class SpecError(ValueError):
    """Something the spec does not say, or says in a way this reader cannot follow; `pointer` is where."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


def pointer(parts: Iterable[object]) -> str:
    """The RFC 6901 JSON pointer of a path of keys and indexes ("" for the whole document)."""
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in parts]
    return "/" + "/".join(escaped) if escaped else ""


def pointer_parts(text: str) -> list[str]:
    """The unescaped keys of a JSON pointer, or of a `#`-fragment (`#/a/b~1c` -> ["a", "b/c"])."""
    text = text.removeprefix("#")
    if text == "":
        return []
    if not text.startswith("/"):
        raise SpecError(f"{text!r} is not a JSON pointer (it starts with '/')")
    return [part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/")]


def merge_schemas(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Two schemas that both apply (allOf) as one: properties and required united, other keywords overridden."""
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(merged.get(key), Mapping) and isinstance(value, Mapping):
            merged[key] = {**merged[key], **value}
        elif key == "required" and isinstance(merged.get(key), list) and isinstance(value, list):
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True, slots=True)
class Success:
    """An operation's success response: its code as documented ("200", "2XX"), the status a server answers
    with (the code, or 200 for a range), and its JSON schema (None when it has no JSON body)."""

    code: str
    status: int
    schema: Any


@dataclass(frozen=True)
class Operation:
    """One operation of a Spec: where it is, and what it takes and answers."""

    spec: Spec = field(repr=False)
    path: str
    method: str
    # An operation is its spec, path and method: comparing (and hashing) the node would be slow, and fail.
    node: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def operation_id(self) -> str:
        return str(self.node.get("operationId", f"{self.method} {self.path}"))

    @property
    def pointer(self) -> str:
        return pointer(["paths", self.path, self.method])

    @property
    def path_item(self) -> Mapping[str, Any]:
        item = self.spec.resolve((self.spec.document.get("paths") or {}).get(self.path) or {})
        return item if isinstance(item, Mapping) else {}

    def extension(self, name: str) -> Any:
        """The value of an `x-` key of the operation (None when absent)."""
        return self.node.get(name)

    @cached_property
    def parameters(self) -> dict[tuple[str, str], Mapping[str, Any]]:
        """(name, in) -> parameter, references resolved: the path item's, overridden by the operation's own."""
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        for holder, where in ((self.path_item, pointer(["paths", self.path])), (self.node, self.pointer)):
            for index, raw in enumerate(holder.get("parameters") or []):
                parameter = self.spec.resolve(raw, at=f"{where}/parameters/{index}")
                if isinstance(parameter, Mapping):
                    found[(str(parameter.get("name")), str(parameter.get("in")))] = parameter
        return found

    def path_parameters(self) -> list[str]:
        return [name for name, location in self.parameters if location == "path"]

    @property
    def security(self) -> list[Mapping[str, Any]]:
        """The security requirements in force: the operation's own, else the document's ([] for none)."""
        declared = self.node.get("security", self.spec.document.get("security"))
        return list(declared or [])

    @property
    def request_body(self) -> Mapping[str, Any] | None:
        body = self.spec.resolve(self.node.get("requestBody"), at=f"{self.pointer}/requestBody")
        return body if isinstance(body, Mapping) else None

    def request_schema(self, media_type: str = "application/json") -> Any:
        """The schema of the request body in `media_type` (None when the operation takes none)."""
        return self.spec.media_schema(self.request_body, media_type)

    def request_example(self, media_type: str = "application/json") -> Any:
        """The documented example of the request body: the media type's `example`, else its first `examples`
        value, else its schema's `example`; None when none is documented."""
        body = self.request_body or {}
        media = self.spec.resolve((body.get("content") or {}).get(media_type)) or {}
        if "example" in media:
            return media["example"]
        for example in (media.get("examples") or {}).values():
            example = self.spec.resolve(example)
            if isinstance(example, Mapping) and "value" in example:
                return example["value"]
        schema = self.spec.resolve_schema(media.get("schema"), at=f"{self.pointer}/requestBody")
        return schema.get("example") if isinstance(schema, Mapping) else None

    @property
    def responses(self) -> Mapping[str, Any]:
        return self.node.get("responses") or {}

    @cached_property
    def success(self) -> Success | None:
        """The success response (see the module's docstring); None when no 2xx is documented."""
        codes = sorted(str(code) for code in self.responses if str(code).startswith("2"))
        if not codes:
            return None
        code = codes[0]
        schema = self.spec.media_schema(self.response(code), "application/json")
        return Success(code, int(code) if code.isdigit() else 200, schema)

    @property
    def success_schema(self) -> Any:
        """The JSON schema of the success response (None when it has no JSON body, or there is none)."""
        return self.success.schema if self.success is not None else None

    def response(self, code: str) -> Mapping[str, Any] | None:
        """The response documented under `code` exactly, references resolved."""
        if code not in self.responses:
            return None
        found = self.spec.resolve(self.responses[code], at=f"{self.pointer}/responses/{code}")
        return found if isinstance(found, Mapping) else None

    def documented_code(self, status: int) -> str | None:
        """The response code that covers `status`: itself, its range (4XX), or default."""
        for code in (str(status), f"{str(status)[0]}XX", "default"):
            if code in self.responses:
                return code
        return None

    def error_schema(self, status: int) -> tuple[str, Any] | None:
        """(code, JSON schema) documented for an error status (see `documented_code`); None when no response
        covers it, or the one that does has no JSON body."""
        code = self.documented_code(status)
        if code is None:
            return None
        schema = self.spec.media_schema(self.response(code), "application/json")
        return (code, schema) if schema is not None else None


class Spec:
    """An OpenAPI document (a parsed effective spec), read without changing it.

    `label` names the document in errors ("generated/hera/openapi.json", "reelforge_hera's spec").
    """

    def __init__(self, document: Mapping[str, Any], label: str = "the spec") -> None:
        if not isinstance(document, Mapping):
            raise SpecError(f"{label}: not an OpenAPI document (the top level is not an object)")
        self.document = document
        self.label = label
        self._validators: OrderedDict[tuple[int, bool], tuple[Any, Validator]] = OrderedDict()
        self._validators_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Spec({self.label!r})"

    @property
    def openapi_30(self) -> bool:
        """True for OpenAPI 3.0 (nullable, boolean exclusiveMinimum), False for 3.1."""
        return str(self.document.get("openapi", "3.1")).startswith("3.0")

    # --- references ----------------------------------------------------------------------------------------

    def at(self, ref: str, *, at: str = "") -> Any:
        """The node a local reference (`#/components/schemas/Video`) or JSON pointer (`/components/...`) names.

        A reference is a URI fragment, so it is percent-decoded first (`#/paths/~1v~1%7Bid%7D`); a bare
        pointer is taken as it is.
        """
        if not isinstance(ref, str) or not (ref.startswith(("#", "/")) or ref == ""):
            raise SpecError(
                f"{self.label}: {at or '/'}: the reference {ref!r} is not local; only #/... references are read",
                at,
            )
        node: Any = self.document
        for key in pointer_parts(unquote(ref) if ref.startswith("#") else ref):
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isascii() and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise SpecError(f"{self.label}: {at or '/'}: the reference {ref!r} leads nowhere (no {key!r})", at)
        return node

    def lookup(self, node: Any, at: str = "") -> tuple[Any, str]:
        """Follow a chain of `$ref`s from `node` (found at pointer `at`): (the target, its pointer).

        Siblings of a `$ref` are not merged here (see `resolve_schema` for schemas). A loop is a SpecError.
        """
        node, at, _ = self._follow(node, at)
        return node, at

    def _follow(self, node: Any, at: str) -> tuple[Any, str, list[Mapping[str, Any]]]:
        """Follow a chain of `$ref`s: (the target, its pointer, each referring node on the way, outermost first)."""
        seen: list[str] = []
        holders: list[Mapping[str, Any]] = []
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                # A `$ref` is a URI: "/components/..." would be another document on the same host, not a pointer.
                raise SpecError(
                    f"{self.label}: {at or '/'}/$ref: the reference {ref!r} is not local; only #/... references "
                    "are read",
                    at,
                )
            if ref in seen or len(seen) >= _MAX_REFS:
                raise SpecError(f"{self.label}: {at or '/'}: $ref loop: {' -> '.join([*seen, ref])}", at)
            seen.append(ref)
            holders.append(node)
            node = self.at(ref, at=f"{at}/$ref")
            at = pointer(pointer_parts(unquote(ref)))
        return node, at, holders

    def resolve(self, node: Any, *, at: str = "") -> Any:
        """`node` with its chain of `$ref`s followed (parameters, bodies, responses, schemas)."""
        return self.lookup(node, at)[0]

    def resolve_schema(self, schema: Any, *, at: str = "") -> Any:
        """A schema with its `$ref`s followed; in OpenAPI 3.1, constraints beside a `$ref` are merged in (3.0
        ignores them, as the specification says)."""
        target, _, holders = self._follow(schema, at)
        if self.openapi_30 or not isinstance(target, Mapping):
            return target
        # Every link of a chain may add constraints; the nearer a link is to the schema, the more it says.
        for holder in reversed(holders):
            siblings = {k: v for k, v in holder.items() if k != "$ref" and k not in _ANNOTATIONS}
            if siblings:
                target = merge_schemas(target, siblings)
        return target

    # --- operations ----------------------------------------------------------------------------------------

    def operations(self) -> Iterator[Operation]:
        """Every operation, in document order."""
        for path, item in (self.document.get("paths") or {}).items():
            item = self.resolve(item, at=pointer(["paths", path]))
            if not isinstance(item, Mapping):
                continue
            for method in HTTP_METHODS:
                node = item.get(method)
                if isinstance(node, Mapping):
                    yield Operation(self, path, method, node)

    @cached_property
    def _by_id(self) -> dict[str, Operation]:
        return {operation.operation_id: operation for operation in self.operations()}

    def operation(self, operation_id: str) -> Operation:
        """The operation with this operationId; SpecError listing the known ones otherwise."""
        try:
            return self._by_id[operation_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id)) or "none"
            raise SpecError(f"{self.label}: no operation has operationId {operation_id!r} (known: {known})") from None

    def has_operation(self, operation_id: str) -> bool:
        return operation_id in self._by_id

    def operation_at(self, path: str, method: str) -> Operation:
        for operation in self.operations():
            if operation.path == path and operation.method == method.lower():
                return operation
        raise SpecError(f"{self.label}: no operation {method.upper()} {path}")

    # --- schemas -------------------------------------------------------------------------------------------

    def media_schema(self, holder: Any, media_type: str) -> Any:
        """The schema of one media type of a request body or response (None when it documents none)."""
        holder = self.resolve(holder)
        if not isinstance(holder, Mapping):
            return None
        media = (holder.get("content") or {}).get(media_type)
        return media.get("schema") if isinstance(media, Mapping) else None

    def branches(self, schema: Any) -> list[Mapping[str, Any]]:
        """A schema and every branch of its allOf, anyOf and oneOf (nested), references followed."""
        return self._branches(schema, ())

    def _branches(self, schema: Any, inside: tuple[int, ...]) -> list[Mapping[str, Any]]:
        # `inside`: the schemas being expanded, by identity. A branch that leads back to one of them
        # (`A: {allOf: [A]}`) adds nothing new, and expanding it again would never end (or only after 2**depth).
        target = self.resolve_schema(schema)
        if not isinstance(target, Mapping) or id(schema) in inside or id(target) in inside:
            return []
        if len(inside) > 2 * _MAX_DEPTH:
            return []
        inside = (*inside, id(schema), id(target))
        found = [target]
        for key in ("allOf", "anyOf", "oneOf"):
            for part in target.get(key) or []:
                found.extend(self._branches(part, inside))
        return found

    def merged(self, schema: Any) -> Mapping[str, Any]:
        """One schema from a schema and its allOf parts (references followed); anyOf/oneOf are kept as they are."""
        return self._merged(schema, ())

    def _merged(self, schema: Any, inside: tuple[int, ...]) -> Mapping[str, Any]:
        target = self.resolve_schema(schema)
        if not isinstance(target, Mapping) or id(schema) in inside or id(target) in inside:
            return {}  # an allOf that leads back to itself adds nothing (see `_branches`)
        if "allOf" not in target or len(inside) > 2 * _MAX_DEPTH:
            return target
        inside = (*inside, id(schema), id(target))
        merged: dict[str, Any] = {k: v for k, v in target.items() if k != "allOf"}
        for part in target["allOf"]:
            merged = merge_schemas(merged, self._merged(part, inside))
        return merged

    def schemas_at(self, schema: Any, path: JSONPath | str) -> list[Mapping[str, Any]]:
        """Every schema the value at `path` may have in an instance of `schema` (none when the path leaves it)."""
        steps = (JSONPath.parse(path) if isinstance(path, str) else path).steps
        nodes = self.branches(schema) if schema is not None else []
        for step in steps:
            following: list[Mapping[str, Any]] = []
            for node in nodes:
                child = node.get("items") if step.name is None else (node.get("properties") or {}).get(step.name)
                if child is not None:
                    following.extend(self.branches(child))
            nodes = following
        return nodes

    def schema_at(self, schema: Any, path: JSONPath | str) -> Mapping[str, Any] | None:
        """The first schema of `schemas_at` (the one the value's own schema declares), or None."""
        found = self.schemas_at(schema, path)
        return found[0] if found else None

    # --- validation ----------------------------------------------------------------------------------------

    def validator(self, schema: Any, *, formats: bool = True) -> Validator:
        """A JSON Schema validator for a schema of this document (its dialect: 3.0's or 3.1's), which follows
        every `#/...` reference into the document.

        Validators are kept (the most recent _VALIDATORS of them): one that has validated before has resolved its
        references already, which is most of the cost of a check (the facade checks every request body)."""
        key = (id(schema), formats)
        with self._validators_lock:
            kept = self._validators.get(key)
            if kept is not None and kept[0] is schema:
                self._validators.move_to_end(key)
                return kept[1]
        made = self._new_validator(schema, formats)
        with self._validators_lock:
            # The entry holds the schema itself, so its id cannot be reused by another object while it is kept.
            self._validators[key] = (schema, made)
            while len(self._validators) > _VALIDATORS:
                self._validators.popitem(last=False)
        return made

    def _new_validator(self, schema: Any, formats: bool) -> Validator:
        from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker

        # The schema is checked as an allOf of the document itself, so references resolve against it; the
        # document's other keys are no JSON Schema keywords, and validators ignore them.
        root = {**self.document, "allOf": [schema]}
        if self.openapi_30:
            return OAS30Validator(root, format_checker=oas30_format_checker if formats else None)  # type: ignore[no-any-return]
        return OAS31Validator(root, format_checker=oas31_format_checker if formats else None)  # type: ignore[no-any-return]

    def errors(self, schema: Any, instance: Any) -> list[tuple[str, str]]:
        """(JSON pointer into `instance`, message) for everything wrong with `instance` against `schema`."""
        found = self.validator(schema).iter_errors(instance)
        ordered = sorted(found, key=lambda e: (list(map(str, e.absolute_path)), e.message))
        return [(pointer(error.absolute_path), error.message) for error in ordered]

    def is_valid(self, schema: Any, instance: Any) -> bool:
        return bool(self.validator(schema).is_valid(instance))
