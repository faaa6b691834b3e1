"""Classifying what changed between two OpenAPI documents, from the point of view of a client user.

A change is breaking when a client written against the old document fails against a server that follows the
new one: requests break when what the server accepts narrows, responses break when what it may send widens.
Operations are matched by method and path template (parameter names inside `{}` do not matter); parameters by
location and name; schemas by position, after documents.Document has followed $refs and merged allOf.

Only what a client can observe is compared. Key order, YAML vs JSON, examples, summaries, tags and operation
descriptions report nothing; schema and parameter descriptions report INFO, or WARN when the numbers in them
change on the request side (a limit stated only in prose, which no schema keyword can carry).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from generator.diff.changes import LOWER_LIMITS, UPPER_LIMITS, Change, level_of
from generator.diff.documents import Document, Node, Schema
from reelforge import specs

__all__ = ["diff_documents"]

_TEMPLATE = re.compile(r"\{[^}/]*\}")
# Numbers that stand as words ("40 seconds", "1-120"), not digits inside identifiers, versions or UUIDs.
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])")
_SPACE = re.compile(r"\s+")
_LIMIT_ORDER = (*UPPER_LIMITS, *LOWER_LIMITS)

# Each reelforge extension the diff follows: what it is, what losing it means, what changing it means.
_EXTENSIONS: dict[str, tuple[str, str, str]] = {
    "x-reelforge-job": (
        "job lifecycle",
        "the facade can no longer run this operation as a job",
        "the facade polls, waits or downloads differently",
    ),
    "x-reelforge-upload": (
        "upload flow",
        "input files can no longer be uploaded through this operation",
        "uploads go differently (the sandbox serves them from this)",
    ),
    "x-reelforge-inputs": (
        "common inputs",
        "the facade can no longer build this operation's request from a VideoRequest",
        "the facade builds the request body differently",
    ),
    "x-reelforge-errors": (
        "error shapes",
        "the sandbox can no longer answer errors as this vendor does",
        "the sandbox answers errors differently and messages are read from another place",
    ),
}


def diff_documents(old: Document, new: Document, vendor: str = "") -> list[Change]:
    """Every change from `old` to `new` that a client user should know about (unsorted)."""
    return _Diff(old, new, vendor).run()


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    node: dict[str, Any]
    pointer: str
    item: dict[str, Any]
    item_pointer: str

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class _Ctx:
    """Where a schema sits: which rule family applies and how a message names it."""

    operation: str
    request: bool
    root_prefix: str  # rule prefix at the schema's root: request-body, request-parameter, response-body
    nested_prefix: str  # rule prefix below it: request-property, request-parameter, response-property
    root_subject: str  # "the request body", "query parameter `limit`", "the 200 response body"
    nested_subject: str  # with {path}: "request property `{path}`"
    path: str = ""

    @property
    def prefix(self) -> str:
        return self.nested_prefix if self.path else self.root_prefix

    @property
    def subject(self) -> str:
        return self.nested_subject.format(path=self.path) if self.path else self.root_subject

    def child(self, name: str) -> _Ctx:
        return replace(self, path=f"{self.path}.{name}" if self.path else name)

    def items(self) -> _Ctx:
        return replace(self, path=f"{self.path}[]" if self.path else "[]")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _short(text: str, limit: int = 160) -> str:
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class _Diff:
    def __init__(self, old: Document, new: Document, vendor: str) -> None:
        self.old = old
        self.new = new
        self.vendor = vendor
        self.changes: list[Change] = []
        self._stack: set[tuple[str, str]] = set()

    def emit(self, rule_id: str, operation: str, location: str, message: str) -> None:
        self.changes.append(Change(rule_id, level_of(rule_id), self.vendor, operation, location, message))

    # -- the document --------------------------------------------------------------------------------------------

    def run(self) -> list[Change]:
        self._servers("", self.old.data.get("servers"), "/servers", self.new.data.get("servers"), "/servers")
        self._security_schemes()
        name = "x-reelforge-errors"
        self._extension(name, self.old.data.get(name), self.new.data.get(name), "", "", "")
        old_ops = _operations(self.old)
        new_ops = _operations(self.new)
        new_templates = {template for _, template in new_ops}
        for key, op in old_ops.items():
            if key in new_ops:
                continue
            deprecated = op.node.get("deprecated") is True
            whole_path = key[1] not in new_templates
            rule = ("api-path-removed" if whole_path else "api-removed") + (
                "-with-deprecation" if deprecated else "-without-deprecation"
            )
            what = "the operation (and its whole path)" if whole_path else "the operation"
            was = "deprecated" if deprecated else "not deprecated first"
            self.emit(rule, op.label, op.pointer, f"{what} was removed ({was}): code that calls it fails")
        for key, op in new_ops.items():
            if key not in old_ops:
                self.emit("endpoint-added", op.label, op.pointer, "new operation")
        for key, op in new_ops.items():
            if key in old_ops:
                self._operation(old_ops[key], op)
        return self.changes

    def _servers(self, operation: str, old: Any, old_pointer: str, new: Any, new_pointer: str) -> None:
        old_urls = _server_urls(old)
        new_urls = _server_urls(new)
        if [u.rstrip("/") for u in old_urls] == [u.rstrip("/") for u in new_urls]:
            return
        skip_old: set[int] = set()
        skip_new: set[int] = set()
        if old_urls[0].rstrip("/") != new_urls[0].rstrip("/"):
            skip_old.add(0)
            skip_new.add(0)
            where = f"{new_pointer}/0/url" if isinstance(new, list) and new else new_pointer
            self.emit(
                "api-server-url-changed",
                operation,
                where,
                f"the default server moved from {old_urls[0]} to {new_urls[0]}: clients that pin the old base URL "
                "keep calling it",
            )
        old_set = {u.rstrip("/") for u in old_urls}
        new_set = {u.rstrip("/") for u in new_urls}
        for index, url in enumerate(new_urls):
            if index not in skip_new and url.rstrip("/") not in old_set:
                self.emit("api-server-added", operation, f"{new_pointer}/{index}/url", f"new server {url}")
        for index, url in enumerate(old_urls):
            if index not in skip_old and url.rstrip("/") not in new_set:
                self.emit(
                    "api-server-removed",
                    operation,
                    f"{old_pointer}/{index}/url",
                    f"server {url} was removed: clients that use it may stop working",
                )

    def _security_schemes(self) -> None:
        old = _security_schemes(self.old)
        new = _security_schemes(self.new)
        for name in sorted(old.keys() - new.keys()):
            self.emit("api-security-component-removed", "", old[name][1], f"security scheme {name} was removed")
        for name in sorted(new.keys() - old.keys()):
            self.emit("api-security-component-added", "", new[name][1], f"new security scheme {name}")
        for name in sorted(old.keys() & new.keys()):
            (before, _), (after, where) = old[name], new[name]
            kind_before = (before.get("type"), str(before.get("scheme", "")).lower())
            kind_after = (after.get("type"), str(after.get("scheme", "")).lower())
            if kind_before != kind_after:
                self.emit(
                    "api-security-component-type-changed",
                    "",
                    f"{where}/type",
                    f"security scheme {name} changed from {_scheme(before)} to {_scheme(after)}: clients send "
                    "credentials the old way",
                )
            elif before.get("type") == "apiKey" and _key_place(before) != _key_place(after):
                self.emit(
                    "api-security-component-location-changed",
                    "",
                    f"{where}/name",
                    f"security scheme {name} moved the API key from {_scheme(before)} to {_scheme(after)}: clients "
                    "send it where the server no longer looks",
                )

    # -- one operation -----------------------------------------------------------------------------------------

    def _operation(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        if old.node.get("deprecated") is not True and new.node.get("deprecated") is True:
            self.emit("endpoint-deprecated", label, f"{new.pointer}/deprecated", "the operation was deprecated")
        elif old.node.get("deprecated") is True and new.node.get("deprecated") is not True:
            self.emit("endpoint-reactivated", label, new.pointer, "the operation is no longer deprecated")
        old_id, new_id = old.node.get("operationId"), new.node.get("operationId")
        if old_id is not None and old_id != new_id:
            became = f"became {new_id!r}" if new_id is not None else "was removed"
            self.emit(
                "api-operation-id-removed",
                label,
                f"{(new if new_id is not None else old).pointer}/operationId",
                f"operationId {old_id!r} {became}: generated clients name their functions after it",
            )
        elif old_id is None and new_id is not None:
            self.emit("api-operation-id-added", label, f"{new.pointer}/operationId", f"operationId {new_id!r} set")
        for name in ("x-reelforge-job", "x-reelforge-upload", "x-reelforge-inputs"):
            self._extension(name, old.node.get(name), new.node.get(name), new.label, old.pointer, new.pointer)
        self._inputs(old.node.get("x-reelforge-inputs"), new.node.get("x-reelforge-inputs"), new.label, new.pointer)
        if any("servers" in n for n in (old.node, old.item, new.node, new.item)):
            old_servers, old_where = _effective_servers(self.old, old)
            new_servers, new_where = _effective_servers(self.new, new)
            self._servers(label, old_servers, old_where, new_servers, new_where)
        self._security(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)

    def _extension(self, name: str, before: Any, after: Any, label: str, old_pointer: str, new_pointer: str) -> None:
        """Report an `x-reelforge-*` extension added, removed or changed (naming the keys that changed)."""
        if before == after:
            return
        what, lost, changed = _EXTENSIONS[name]
        if before is None:
            self.emit(f"{name}-added", label, f"{new_pointer}/{name}", f"{what} added")
        elif after is None:
            self.emit(f"{name}-removed", label, f"{old_pointer}/{name}", f"{what} removed: {lost}")
        else:
            which = ""
            if isinstance(before, dict) and isinstance(after, dict):
                keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
                which = f" ({', '.join(keys)})"
            self.emit(f"{name}-changed", label, f"{new_pointer}/{name}", f"{what} changed{which}: {changed}")

    def _inputs(self, before: Any, after: Any, label: str, where: str) -> None:
        """What of a changed x-reelforge-inputs breaks requests that worked: an input no longer mapped, or newly
        required."""
        if not isinstance(before, dict) or not isinstance(after, dict):
            return
        at = f"{where}/x-reelforge-inputs"
        mapped = set(after.get("inputs") or {})
        for name in sorted(set(before.get("inputs") or {}) - mapped):
            self.emit(
                "x-reelforge-inputs-input-removed",
                label,
                f"{at}/inputs",
                f"{name} is no longer mapped: a request that sets it raises UnsupportedInput",
            )
        for name in sorted(set(after.get("required") or ()) - set(before.get("required") or ())):
            self.emit(
                "x-reelforge-inputs-required-added",
                label,
                f"{at}/required",
                f"{name} is now required: a request without it raises InvalidRequest",
            )

    def _security(self, old: _Operation, new: _Operation) -> None:
        old_reqs, old_where = _effective_security(self.old, old)
        new_reqs, new_where = _effective_security(self.new, new)
        before = _alternatives(old_reqs)
        after = _alternatives(new_reqs)
        anonymous: frozenset[str] = frozenset()
        removed = sorted(before.keys() - after.keys(), key=sorted)
        added = sorted(after.keys() - before.keys(), key=sorted)
        label = new.label
        if anonymous not in after:
            for alternative in removed:
                if alternative == anonymous:
                    needs = " or ".join(_requirement(a) for a in sorted(after, key=sorted))
                    message = f"calls without credentials are no longer accepted: the operation now requires {needs}"
                else:
                    message = f"credentials {_requirement(alternative)} are no longer accepted"
                self.emit("api-security-removed", label, old_where, message)
        for alternative in added:
            if alternative == anonymous:
                self.emit("api-security-added", label, new_where, "the operation can now be called without credentials")
            elif anonymous not in removed:
                self.emit(
                    "api-security-added", label, new_where, f"the operation also accepts {_requirement(alternative)}"
                )
        for alternative in sorted(before.keys() & after.keys(), key=sorted):
            for scheme in sorted(alternative):
                more = sorted(after[alternative][scheme] - before[alternative][scheme])
                fewer = sorted(before[alternative][scheme] - after[alternative][scheme])
                if more:
                    self.emit(
                        "api-security-scope-added",
                        label,
                        new_where,
                        f"{scheme} now needs scope(s) {', '.join(more)}: tokens without them are refused",
                    )
                if fewer:
                    self.emit(
                        "api-security-scope-removed", label, new_where, f"{scheme} no longer needs {', '.join(fewer)}"
                    )

    # -- parameters --------------------------------------------------------------------------------------------

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        before = _parameters(self.old, old)
        after = _parameters(self.new, new)
        label = new.label
        for key in sorted(after.keys() - before.keys()):
            node, where = after[key]
            required = node.get("required") is True or key[0] == "path"
            name = f"{key[0]} parameter `{node['name']}`"
            if required:
                self.emit(
                    "new-required-request-parameter", label, where, f"new required {name}: existing calls lack it"
                )
            else:
                self.emit("new-optional-request-parameter", label, where, f"new optional {name}")
        for key in sorted(before.keys() - after.keys()):
            node, where = before[key]
            self.emit(
                "request-parameter-removed",
                label,
                where,
                f"{key[0]} parameter `{node['name']}` was removed: the server may reject or ignore it",
            )
        for key in sorted(before.keys() & after.keys()):
            (old_node, old_where), (new_node, new_where) = before[key], after[key]
            name = f"{key[0]} parameter `{new_node['name']}`"
            was_required = old_node.get("required") is True or key[0] == "path"
            is_required = new_node.get("required") is True or key[0] == "path"
            if is_required and not was_required:
                self.emit(
                    "request-parameter-became-required",
                    label,
                    f"{new_where}/required",
                    f"{name} became required: calls without it are rejected",
                )
            elif was_required and not is_required:
                self.emit("request-parameter-became-optional", label, new_where, f"{name} became optional")
            if new_node.get("deprecated") is True and old_node.get("deprecated") is not True:
                self.emit("request-parameter-deprecated", label, f"{new_where}/deprecated", f"{name} was deprecated")
            elif old_node.get("deprecated") is True and new_node.get("deprecated") is not True:
                self.emit("request-parameter-reactivated", label, new_where, f"{name} is no longer deprecated")
            ctx = _Ctx(label, True, "request-parameter", "request-parameter", name, f"{name} property `{{path}}`")
            self._description(ctx, old_node.get("description"), new_node.get("description"), f"{new_where}/description")
            old_schema = _parameter_schema(old_node, old_where)
            new_schema = _parameter_schema(new_node, new_where)
            if old_schema is not None and new_schema is not None:
                self._schema(self.old.schema(*old_schema), self.new.schema(*new_schema), ctx)

    # -- request body ------------------------------------------------------------------------------------------

    def _request_body(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        before = (
            self.old.resolve(old.node["requestBody"], f"{old.pointer}/requestBody")
            if "requestBody" in old.node
            else None
        )
        after = (
            self.new.resolve(new.node["requestBody"], f"{new.pointer}/requestBody")
            if "requestBody" in new.node
            else None
        )
        if before is None and after is None:
            return
        if before is None:
            assert after is not None
            if after[0].get("required") is True:
                self.emit("request-body-added-required", label, after[1], "a required request body was added")
            else:
                self.emit("request-body-added-optional", label, after[1], "an optional request body was added")
            return
        if after is None:
            self.emit(
                "request-body-removed",
                label,
                before[1],
                "the request body was removed: the server may reject or ignore it",
            )
            return
        (old_body, old_where), (new_body, new_where) = before, after
        if new_body.get("required") is True and old_body.get("required") is not True:
            self.emit(
                "request-body-became-required",
                label,
                f"{new_where}/required",
                "the request body became required: calls without one are rejected",
            )
        elif old_body.get("required") is True and new_body.get("required") is not True:
            self.emit("request-body-became-optional", label, new_where, "the request body became optional")
        old_media = _media_types(old_body, old_where)
        new_media = _media_types(new_body, new_where)
        for media in sorted(old_media.keys() - new_media.keys()):
            self.emit(
                "request-body-media-type-removed",
                label,
                old_media[media][1],
                f"the request body no longer accepts {media}: clients that send it are rejected",
            )
        for media in sorted(new_media.keys() - old_media.keys()):
            self.emit(
                "request-body-media-type-added", label, new_media[media][1], f"the request body also accepts {media}"
            )
        both = sorted(old_media.keys() & new_media.keys())
        for media in both:
            old_schema, new_schema = old_media[media][0], new_media[media][0]
            if old_schema is None or new_schema is None:
                continue
            subject = "the request body" + (f" ({media})" if len(both) > 1 else "")
            ctx = _Ctx(label, True, "request-body", "request-property", subject, "request property `{path}`")
            self._schema(self.old.schema(*old_schema), self.new.schema(*new_schema), ctx)

    # -- responses ---------------------------------------------------------------------------------------------

    def _responses(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        before = _responses(old)
        after = _responses(new)
        for status in sorted(before.keys() - after.keys()):
            success = status.startswith("2")
            rule = "response-success-status-removed" if success else "response-non-success-status-removed"
            why = ": clients that expect it fail" if success else ""
            self.emit(rule, label, before[status][1], f"the {status} response was removed{why}")
        for status in sorted(after.keys() - before.keys()):
            rule = "response-success-status-added" if status.startswith("2") else "response-non-success-status-added"
            self.emit(rule, label, after[status][1], f"new {status} response")
        for status in sorted(before.keys() & after.keys()):
            old_response, old_where = self.old.resolve(*before[status])
            new_response, new_where = self.new.resolve(*after[status])
            if not isinstance(old_response, dict) or not isinstance(new_response, dict):
                continue
            old_media = _media_types(old_response, old_where)
            new_media = _media_types(new_response, new_where)
            for media in sorted(old_media.keys() - new_media.keys()):
                self.emit(
                    "response-media-type-removed",
                    label,
                    old_media[media][1],
                    f"the {status} response no longer comes as {media}: clients that read it fail",
                )
            for media in sorted(new_media.keys() - old_media.keys()):
                self.emit(
                    "response-media-type-added",
                    label,
                    new_media[media][1],
                    f"the {status} response may come as {media}",
                )
            both = sorted(old_media.keys() & new_media.keys())
            for media in both:
                old_schema, new_schema = old_media[media][0], new_media[media][0]
                if old_schema is None or new_schema is None:
                    continue
                tag = f"{status}, {media}" if len(both) > 1 else status
                ctx = _Ctx(
                    label,
                    False,
                    "response-body",
                    "response-property",
                    f"the {tag} response body",
                    f"response property `{{path}}` ({tag})",
                )
                self._schema(self.old.schema(*old_schema), self.new.schema(*new_schema), ctx)

    # -- schemas -----------------------------------------------------------------------------------------------

    def _description(
        self, ctx: _Ctx, before: Any, after: Any, where: str, explained: frozenset[str] = frozenset()
    ) -> None:
        """INFO when a description changed; WARN when, on the request side, the numbers in it changed and no
        schema keyword that changed with it accounts for them (`explained`: the old and new values of the limits
        that changed), which is how a limit stated only in prose moves."""
        old_text = _SPACE.sub(" ", before).strip() if isinstance(before, str) else ""
        new_text = _SPACE.sub(" ", after).strip() if isinstance(after, str) else ""
        if old_text == new_text:
            return
        old_numbers = _NUMBER.findall(old_text)
        new_numbers = _NUMBER.findall(new_text)
        moved = set(Counter(old_numbers) - Counter(new_numbers)) | set(Counter(new_numbers) - Counter(old_numbers))
        if ctx.request and old_numbers and new_numbers and moved and not moved <= explained:
            self.emit(
                f"{ctx.prefix}-documented-limit-changed",
                ctx.operation,
                where,
                f"{ctx.subject}: its description now says {', '.join(new_numbers)} where it said "
                f"{', '.join(old_numbers)}, a limit in prose only that no client checks, so read it: "
                f'"{_short(new_text)}"',
            )
        else:
            self.emit(
                f"{ctx.prefix}-description-changed",
                ctx.operation,
                where,
                f'{ctx.subject}: description changed to "{_short(new_text)}"',
            )

    def _schema(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        pair = (old.pointer, new.pointer)
        if pair in self._stack:
            return  # a recursive schema: this pair is being compared further up
        self._stack.add(pair)
        try:
            self._schema_body(old, new, ctx)
        finally:
            self._stack.discard(pair)

    def _schema_body(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        prefix, subject, operation = ctx.prefix, ctx.subject, ctx.operation
        explained = frozenset(
            _number(value)
            for keyword in _LIMIT_ORDER
            if old.limits.get(keyword) != new.limits.get(keyword)
            for value in (old.limits.get(keyword), new.limits.get(keyword))
            if value is not None
        )
        self._description(ctx, old.description, new.description, new.at("description"), explained)
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types or old.format != new.format:
            before, after = _type_name(old_types, old.format), _type_name(new_types, new.format)
            if ctx.request and _accepts_all(new_types, new.format, old_types, old.format):
                self.emit(
                    f"{prefix}-type-generalized",
                    operation,
                    new.at("type"),
                    f"{subject} widened from {before} to {after}",
                )
            elif not ctx.request and _accepts_all(old_types, old.format, new_types, new.format):
                self.emit(
                    f"{prefix}-type-specialized",
                    operation,
                    new.at("type"),
                    f"{subject} narrowed from {before} to {after}",
                )
            else:
                consequence = (
                    "requests that were valid may be rejected" if ctx.request else "clients may fail to read it"
                )
                self.emit(
                    f"{prefix}-type-changed",
                    operation,
                    new.at("type" if old_types != new_types else "format"),
                    f"{subject} changed from {before} to {after}: {consequence}",
                )
                return
        if old.nullable != new.nullable:
            if new.nullable:
                consequence = "" if ctx.request else ": clients that expect a value get null"
                self.emit(
                    f"{prefix}-became-nullable", operation, new.pointer, f"{subject} became nullable{consequence}"
                )
            else:
                consequence = ": clients that send null are rejected" if ctx.request else ""
                self.emit(
                    f"{prefix}-became-not-nullable",
                    operation,
                    new.pointer,
                    f"{subject} became not nullable{consequence}",
                )
        self._enum(old, new, ctx)
        self._limits(old, new, ctx)
        self._pattern(old, new, ctx)
        self._alternatives(old, new, ctx)
        if old.has_object_shape or new.has_object_shape:
            self._properties(old, new, ctx)
        if old.items and new.items:
            self._schema(
                self.old.schema_of(old.items, f"{old.pointer}/items"),
                self.new.schema_of(new.items, f"{new.pointer}/items"),
                ctx.items(),
            )

    def _enum(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        prefix, subject, operation = ctx.prefix, ctx.subject, ctx.operation
        if old.enum is None and new.enum is None:
            return
        if old.enum is None:
            assert new.enum is not None
            values = ", ".join(_show(v) for v in new.enum)
            consequence = ": other values are rejected" if ctx.request else ""
            self.emit(
                f"{prefix}-became-enum", operation, new.enum_at(), f"{subject} was restricted to {values}{consequence}"
            )
            return
        if new.enum is None:
            consequence = "" if ctx.request else ": clients may get values they do not know"
            self.emit(
                f"{prefix}-became-not-enum",
                operation,
                old.enum_at(),
                f"{subject} is no longer a list of values{consequence}",
            )
            return
        old_keys = [_show(v) for v in old.enum]
        new_keys = [_show(v) for v in new.enum]
        for index, key in enumerate(new_keys):
            if key not in old_keys:
                consequence = "" if ctx.request else ": strict clients that only know the old values fail"
                self.emit(
                    f"{prefix}-enum-value-added",
                    operation,
                    new.enum_at(index),
                    f"{subject} has a new value {key}{consequence}",
                )
        for index, key in enumerate(old_keys):
            if key not in new_keys:
                consequence = ": clients that send it are rejected" if ctx.request else ""
                self.emit(
                    f"{prefix}-enum-value-removed",
                    operation,
                    old.enum_at(index),
                    f"{subject} lost the value {key}{consequence}",
                )

    def _limits(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        for keyword in _LIMIT_ORDER:
            before, after = old.limits.get(keyword), new.limits.get(keyword)
            if before == after:
                continue
            name = UPPER_LIMITS.get(keyword) or LOWER_LIMITS[keyword]
            if before is None:
                assert after is not None
                action, where, what = "set", new.at(keyword), f"{keyword} set to {_number(after)}"
            elif after is None:
                action, where, what = "unset", old.at(keyword), f"{keyword} {_number(before)} removed"
            else:
                action = "increased" if after > before else "decreased"
                verb = "raised" if after > before else "lowered"
                where, what = new.at(keyword), f"{keyword} {verb} from {_number(before)} to {_number(after)}"
            rule = f"{ctx.prefix}-{name}-{action}"
            level = level_of(rule)
            if ctx.request:
                consequence = (
                    "requests that were valid may be rejected" if level.rank > 1 else "every valid request still is"
                )
            else:
                consequence = (
                    "clients may get values outside the old bound" if level.rank > 1 else "old clients still read it"
                )
            self.emit(rule, ctx.operation, where, f"{ctx.subject} {what}: {consequence}")

    def _pattern(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        if old.pattern == new.pattern:
            return
        if old.pattern is None:
            rule, where, what = "pattern-added", new.at("pattern"), f"must now match {_show(new.pattern)}"
        elif new.pattern is None:
            rule, where, what = "pattern-removed", old.at("pattern"), f"no longer has to match {_show(old.pattern)}"
        else:
            rule, where = "pattern-changed", new.at("pattern")
            what = f"pattern changed from {_show(old.pattern)} to {_show(new.pattern)}"
        self.emit(f"{ctx.prefix}-{rule}", ctx.operation, where, f"{ctx.subject} {what}")

    def _alternatives(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        if old.alternatives is None or new.alternatives is None:
            return
        keyword = "one-of" if new.alternatives[0] == "oneOf" else "any-of"
        tag = _tag_property(self.old, old, self.new, new)
        before = _keyed_branches(self.old, old, tag)
        after = _keyed_branches(self.new, new, tag)
        for key, (_, where) in after.items():
            if key not in before:
                self.emit(
                    f"{ctx.prefix}-{keyword}-added", ctx.operation, where, f"{ctx.subject} has a new alternative {key}"
                )
        for key, (_, where) in before.items():
            if key not in after:
                self.emit(
                    f"{ctx.prefix}-{keyword}-removed", ctx.operation, where, f"{ctx.subject} lost the alternative {key}"
                )
        for key in before.keys() & after.keys():
            self._schema(self.old.schema(*before[key]), self.new.schema(*after[key]), ctx)

    def _properties(self, old: Schema, new: Schema, ctx: _Ctx) -> None:
        before = _properties(self.old, old, ctx.request)
        after = _properties(self.new, new, ctx.request)
        direction = "request" if ctx.request else "response"
        operation = ctx.operation
        for name in sorted(after.keys() - before.keys()):
            schema, required = after[name]
            child = ctx.child(name).subject
            if ctx.request:
                if required:
                    self.emit(
                        "new-required-request-property",
                        operation,
                        schema.pointer,
                        f"new required {child}: existing requests lack it",
                    )
                else:
                    self.emit("new-optional-request-property", operation, schema.pointer, f"new optional {child}")
            else:
                rule = "response-required-property-added" if required else "response-optional-property-added"
                self.emit(rule, operation, schema.pointer, f"new {'required' if required else 'optional'} {child}")
        for name in sorted(before.keys() - after.keys()):
            schema, required = before[name]
            child = ctx.child(name).subject
            if ctx.request:
                self.emit(
                    "request-property-removed",
                    operation,
                    schema.pointer,
                    f"{child} was removed: the server may reject or ignore it",
                )
            elif required:
                self.emit(
                    "response-required-property-removed",
                    operation,
                    schema.pointer,
                    f"required {child} was removed: clients that read it fail",
                )
            else:
                self.emit(
                    "response-optional-property-removed",
                    operation,
                    schema.pointer,
                    f"optional {child} was removed: clients lose data the server used to send",
                )
        for name in sorted(before.keys() & after.keys()):
            (old_schema, was_required), (new_schema, is_required) = before[name], after[name]
            child_ctx = ctx.child(name)
            child = child_ctx.subject
            if is_required != was_required:
                if ctx.request:
                    rule = "request-property-became-required" if is_required else "request-property-became-optional"
                    consequence = ": requests without it are rejected" if is_required else ""
                else:
                    rule = "response-property-became-required" if is_required else "response-property-became-optional"
                    consequence = "" if is_required else ": clients that expect it may not get it"
                state = "required" if is_required else "optional"
                self.emit(rule, operation, new_schema.pointer, f"{child} became {state}{consequence}")
            if new_schema.deprecated and not old_schema.deprecated:
                self.emit(
                    f"{direction}-property-deprecated",
                    operation,
                    f"{new_schema.pointer}/deprecated",
                    f"{child} was deprecated",
                )
            elif old_schema.deprecated and not new_schema.deprecated:
                self.emit(
                    f"{direction}-property-reactivated",
                    operation,
                    new_schema.pointer,
                    f"{child} is no longer deprecated",
                )
            self._schema(old_schema, new_schema, child_ctx)


# -- reading one document --------------------------------------------------------------------------------------


def _operations(doc: Document) -> dict[tuple[str, str], _Operation]:
    operations: dict[tuple[str, str], _Operation] = {}
    paths = doc.data.get("paths") or {}
    for path, raw_item in paths.items():
        item, item_pointer = doc.resolve(raw_item, specs.pointer(["paths", path]))
        if not isinstance(item, dict):
            continue
        template = _TEMPLATE.sub("{}", path)
        for method in specs.HTTP_METHODS:
            node = item.get(method)
            if isinstance(node, dict):
                operations[(method, template)] = _Operation(
                    method, path, node, f"{item_pointer}/{method}", item, item_pointer
                )
    return operations


def _server_urls(servers: Any) -> list[str]:
    urls = (
        [s["url"] for s in servers if isinstance(s, dict) and isinstance(s.get("url"), str)]
        if isinstance(servers, list)
        else []
    )
    return urls or ["/"]  # OpenAPI: no servers means the document's own location


def _effective_servers(doc: Document, op: _Operation) -> tuple[Any, str]:
    if "servers" in op.node:
        return op.node["servers"], f"{op.pointer}/servers"
    if "servers" in op.item:
        return op.item["servers"], f"{op.item_pointer}/servers"
    return doc.data.get("servers"), "/servers"


def _security_schemes(doc: Document) -> dict[str, tuple[dict[str, Any], str]]:
    components = doc.data.get("components") or {}
    schemes = components.get("securitySchemes") or {}
    result: dict[str, tuple[dict[str, Any], str]] = {}
    if isinstance(schemes, dict):
        for name, node in schemes.items():
            resolved, where = doc.resolve(node, specs.pointer(["components", "securitySchemes", name]))
            if isinstance(resolved, dict):
                result[name] = (resolved, where)
    return result


def _key_place(scheme: dict[str, Any]) -> tuple[str, str]:
    place = str(scheme.get("in", ""))
    name = str(scheme.get("name", ""))
    return place, name.lower() if place == "header" else name


def _scheme(scheme: dict[str, Any]) -> str:
    kind = scheme.get("type")
    if kind == "apiKey":
        return f"an API key in {scheme.get('in')} {scheme.get('name')!r}"
    if kind == "http":
        return f"HTTP {scheme.get('scheme')}"
    return str(kind)


def _effective_security(doc: Document, op: _Operation) -> tuple[Any, str]:
    if "security" in op.node:
        return op.node["security"], f"{op.pointer}/security"
    if "security" in doc.data:
        return doc.data["security"], "/security"
    return None, op.pointer


def _alternatives(requirements: Any) -> dict[frozenset[str], dict[str, frozenset[str]]]:
    """Security requirements as alternatives: scheme names -> scopes; the empty set is "no credentials"."""
    result: dict[frozenset[str], dict[str, frozenset[str]]] = {}
    for requirement in requirements if isinstance(requirements, list) else ():
        if isinstance(requirement, dict):
            scopes = {
                name: frozenset(v for v in value or () if isinstance(v, str)) for name, value in requirement.items()
            }
            result[frozenset(requirement)] = scopes
    return result or {frozenset(): {}}


def _requirement(alternative: frozenset[str]) -> str:
    return " + ".join(sorted(alternative)) if alternative else "no credentials"


def _parameters(doc: Document, op: _Operation) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """(in, name) -> (parameter, pointer); path parameters are keyed by their place in the path template instead
    (`/videos/{id}` and `/videos/{video_id}` send the same request), header names by their lower case."""
    places = {name[1:-1]: f"{{{index}}}" for index, name in enumerate(_TEMPLATE.findall(op.path))}
    result: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for owner, owner_pointer in ((op.item, op.item_pointer), (op.node, op.pointer)):  # the operation's win
        parameters = owner.get("parameters")
        if not isinstance(parameters, list):
            continue
        for index, raw in enumerate(parameters):
            node, where = doc.resolve(raw, f"{owner_pointer}/parameters/{index}")
            if isinstance(node, dict) and isinstance(node.get("name"), str) and isinstance(node.get("in"), str):
                place, name = node["in"], node["name"]
                if place == "header":
                    name = name.lower()
                elif place == "path":
                    name = places.get(name, name)
                result[(place, name)] = (node, where)
    return result


def _parameter_schema(node: dict[str, Any], where: str) -> Node | None:
    if "schema" in node:
        return node["schema"], f"{where}/schema"
    content = node.get("content")
    if isinstance(content, dict):
        for media, value in content.items():
            if isinstance(value, dict) and "schema" in value:
                return value["schema"], where + specs.pointer(["content", media, "schema"])
    return None


def _media_types(owner: dict[str, Any], where: str) -> dict[str, tuple[Node | None, str]]:
    """media type (lower case) -> (its schema node, or None; the media type's pointer)."""
    content = owner.get("content")
    result: dict[str, tuple[Node | None, str]] = {}
    if isinstance(content, dict):
        for media, value in content.items():
            pointer = where + specs.pointer(["content", media])
            schema = (value["schema"], f"{pointer}/schema") if isinstance(value, dict) and "schema" in value else None
            result[media.lower()] = (schema, pointer)
    return result


def _responses(op: _Operation) -> dict[str, Node]:
    responses = op.node.get("responses")
    if not isinstance(responses, dict):
        return {}
    return {
        str(status).upper(): (value, op.pointer + specs.pointer(["responses", status]))
        for status, value in responses.items()
    }


def _properties(doc: Document, schema: Schema, request: bool) -> dict[str, tuple[Schema, bool]]:
    """name -> (its schema, required) for the properties a message in this direction carries.

    A name listed in `required` without a definition is a property of any type (Magic Hour's create answer had
    one). readOnly properties are not sent in requests; writeOnly ones are not returned in responses.
    """
    required = set(schema.required)
    result: dict[str, tuple[Schema, bool]] = {}
    for name, nodes in schema.properties.items():
        prop = doc.schema_of(nodes, nodes[0][1])
        if (request and prop.read_only) or (not request and prop.write_only):
            continue
        result[name] = (prop, name in required)
    for index, name in enumerate(schema.required):
        if name not in schema.properties:
            result[name] = (Schema(f"{schema.at('required')}/{index}"), True)
    return result


def _tag_value(doc: Document, schema: Schema, node: Any, where: str, tag: str) -> str | None:
    """The value of the discriminating property `tag` that selects this branch, if the document says it."""
    if schema.discriminator is not None and isinstance(node, dict) and isinstance(node.get("$ref"), str):
        for value, ref in schema.discriminator[1].items():
            if ref == node["$ref"]:
                return value
    nodes = doc.schema(node, where).properties.get(tag)
    if nodes:
        prop = doc.schema_of(nodes, nodes[0][1])
        if prop.enum is not None and len(prop.enum) == 1:
            return str(prop.enum[0])
    return None


def _tag_property(old_doc: Document, old: Schema, new_doc: Document, new: Schema) -> str | None:
    """The property that tells the branches apart: the discriminator's, else one that every branch of both
    versions pins to a single value (`type: {enum: [VIDEO]}`)."""
    for schema in (new, old):
        if schema.discriminator is not None:
            return schema.discriminator[0]
    candidates: set[str] | None = None
    for doc, schema in ((old_doc, old), (new_doc, new)):
        assert schema.alternatives is not None
        for node, where in schema.alternatives[1]:
            branch = doc.schema(node, where)
            pinned = set()
            for name, nodes in branch.properties.items():
                prop = doc.schema_of(nodes, nodes[0][1])
                if prop.enum is not None and len(prop.enum) == 1:
                    pinned.add(name)
            candidates = pinned if candidates is None else candidates & pinned
    return min(candidates) if candidates else None


def _keyed_branches(doc: Document, schema: Schema, tag: str | None) -> dict[str, Node]:
    """oneOf/anyOf branches keyed by the value of the discriminating property (`type=VIDEO`), else by what they
    reference (`#/components/schemas/X`), else by position."""
    assert schema.alternatives is not None
    branches = schema.alternatives[1]
    if tag is not None:
        tagged = {_tag_value(doc, schema, node, where, tag): (node, where) for node, where in branches}
        if None not in tagged and len(tagged) == len(branches):
            return {f"{tag}={value}": branch for value, branch in tagged.items()}
    result: dict[str, Node] = {}
    for index, (node, where) in enumerate(branches):
        if isinstance(node, dict) and set(node) == {"$ref"} and isinstance(node["$ref"], str):
            result[node["$ref"]] = (node, where)
        else:
            result[f"#{index}"] = (node, where)
    return result


def _types(schema: Schema) -> frozenset[str]:
    if schema.types:
        return schema.types
    if schema.has_object_shape:
        return frozenset({"object"})
    if schema.items:
        return frozenset({"array"})
    return frozenset()


def _type_name(types: frozenset[str], fmt: str | None) -> str:
    name = " or ".join(sorted(types)) if types else "any type"
    return f"{name} ({fmt})" if fmt else name


def _accepts_all(
    wide: frozenset[str], wide_format: str | None, narrow: frozenset[str], narrow_format: str | None
) -> bool:
    """Whether every value of type `narrow` (with its format) is also a value of type `wide`."""
    if wide_format is not None and wide_format != narrow_format:
        return False
    if not wide:
        return True
    if not narrow:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)
