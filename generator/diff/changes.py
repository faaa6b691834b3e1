"""What a diff reports: changes, their levels, and the one catalogue of rule ids.

Rule ids and levels follow oasdiff's checks (ERR: breaks existing clients, WARN: may break them, INFO: does not):
where oasdiff checks a change, the id is its id, and the level its default unless docs/spec-diff.md says why not.
Schema rules come in families named the oasdiff way (`<where>-<what>-<how>`). Changes oasdiff has no check for
(servers, limits stated in prose, reelforge's job metadata, the generated Python API) get ids in the same style,
marked `own`. Every id has exactly one level, declared here and nowhere else, so a rule cannot drift between two
levels depending on where it is emitted; `python -m generator diff --rules` prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["RULES", "Change", "Level", "Report", "Rule", "level_of"]


class Level(StrEnum):
    ERR = "ERR"
    WARN = "WARN"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.INFO: 1, Level.WARN: 2, Level.ERR: 3}


@dataclass(frozen=True)
class Rule:
    level: Level
    summary: str
    own: bool = False
    """True for ids this project added for changes oasdiff has no check family for (named in its style)."""


@dataclass(frozen=True)
class Change:
    """One change a client user should know about."""

    id: str
    level: Level
    vendor: str
    operation: str  # "METHOD /path", or "" when the change is not about one operation
    location: str  # JSON pointer into the new document (into the old one for removals); a dotted path for Python
    message: str  # one sentence

    @property
    def is_python_api(self) -> bool:
        return self.id.startswith("python-api-")

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "level": self.level.value,
            "vendor": self.vendor,
            "operation": self.operation,
            "location": self.location,
            "message": self.message,
        }


@dataclass(frozen=True)
class Report:
    """Every change between two versions, for the vendors compared (in order, including those without changes)."""

    old_label: str
    new_label: str
    vendors: tuple[str, ...]
    changes: tuple[Change, ...]


E, W, I = Level.ERR, Level.WARN, Level.INFO

RULES: dict[str, Rule] = {
    # Endpoints.
    "endpoint-added": Rule(I, "an operation was added"),
    "api-path-removed-without-deprecation": Rule(E, "a path and its operations were removed without deprecation"),
    "api-removed-without-deprecation": Rule(E, "an operation was removed without deprecation"),
    "api-path-removed-with-deprecation": Rule(
        W, "a deprecated path was removed (oasdiff: INFO after a sunset date; code that still calls it breaks)"
    ),
    "api-removed-with-deprecation": Rule(
        W, "a deprecated operation was removed (oasdiff: INFO after a sunset date; code that still calls it breaks)"
    ),
    "endpoint-deprecated": Rule(I, "an operation was deprecated"),
    "endpoint-reactivated": Rule(I, "an operation is no longer deprecated"),
    "api-operation-id-removed": Rule(E, "an operationId changed or was removed: generated function names follow it"),
    "api-operation-id-added": Rule(I, "an operation got an operationId"),
    # Parameters.
    "new-required-request-parameter": Rule(E, "a required parameter was added"),
    "new-optional-request-parameter": Rule(I, "an optional parameter was added"),
    "request-parameter-removed": Rule(W, "a parameter was removed (the server may reject or ignore it)"),
    "request-parameter-became-required": Rule(E, "a parameter became required"),
    "request-parameter-became-optional": Rule(I, "a parameter became optional"),
    "request-parameter-deprecated": Rule(I, "a parameter was deprecated"),
    "request-parameter-reactivated": Rule(I, "a parameter is no longer deprecated"),
    # Request bodies.
    "request-body-added-required": Rule(E, "a required request body was added"),
    "request-body-added-optional": Rule(I, "an optional request body was added"),
    "request-body-removed": Rule(W, "the request body was removed (the server may reject or ignore it)"),
    "request-body-became-required": Rule(E, "the request body became required"),
    "request-body-became-optional": Rule(I, "the request body became optional"),
    "request-body-media-type-added": Rule(I, "the request body accepts a new media type"),
    "request-body-media-type-removed": Rule(E, "the request body no longer accepts a media type"),
    "new-required-request-property": Rule(E, "a required request property was added"),
    "new-optional-request-property": Rule(I, "an optional request property was added"),
    "request-property-removed": Rule(W, "a request property was removed (the server may reject or ignore it)"),
    "request-property-became-required": Rule(E, "a request property became required"),
    "request-property-became-optional": Rule(I, "a request property became optional"),
    "request-property-deprecated": Rule(I, "a request property was deprecated"),
    "request-property-reactivated": Rule(I, "a request property is no longer deprecated"),
    # Responses.
    "response-success-status-added": Rule(I, "a success status was added"),
    "response-non-success-status-added": Rule(I, "a non-success status was added"),
    "response-success-status-removed": Rule(E, "a success status was removed"),
    "response-non-success-status-removed": Rule(I, "a non-success status was removed"),
    "response-media-type-added": Rule(I, "a response got a new media type"),
    "response-media-type-removed": Rule(E, "a response lost a media type"),
    "response-required-property-added": Rule(I, "a required response property was added"),
    "response-optional-property-added": Rule(I, "an optional response property was added"),
    "response-required-property-removed": Rule(E, "a required response property was removed"),
    "response-optional-property-removed": Rule(W, "an optional response property was removed"),
    "response-property-became-optional": Rule(E, "a response property became optional"),
    "response-property-became-required": Rule(I, "a response property became required"),
    "response-property-deprecated": Rule(I, "a response property was deprecated"),
    "response-property-reactivated": Rule(I, "a response property is no longer deprecated"),
    # Security.
    "api-security-added": Rule(I, "an operation accepts a new way to authenticate (or none)"),
    "api-security-removed": Rule(E, "an operation no longer accepts a way to authenticate (or anonymous calls)"),
    "api-security-scope-added": Rule(E, "an operation's security requirement needs a new scope"),
    "api-security-scope-removed": Rule(I, "an operation's security requirement needs one scope less"),
    "api-security-component-added": Rule(I, "a security scheme was added"),
    "api-security-component-removed": Rule(I, "a security scheme was removed (its uses are reported per operation)"),
    "api-security-component-type-changed": Rule(
        E, "a security scheme's type or HTTP scheme changed (oasdiff: INFO; clients send the old credentials)"
    ),
    "api-security-component-location-changed": Rule(
        E, "an API key moved to another header, query parameter or cookie", own=True
    ),
    # Servers.
    "api-server-url-changed": Rule(W, "the first server (the clients' default base URL) changed", own=True),
    "api-server-added": Rule(I, "a server was added", own=True),
    "api-server-removed": Rule(W, "a server other than the first was removed", own=True),
    # reelforge's job lifecycle metadata (the facade reads it).
    "x-reelforge-job-added": Rule(I, "an operation got x-reelforge-job metadata", own=True),
    "x-reelforge-job-changed": Rule(W, "an operation's x-reelforge-job metadata changed", own=True),
    "x-reelforge-job-removed": Rule(E, "an operation lost its x-reelforge-job metadata", own=True),
    # How a vendor takes input files (the sandbox serves uploads from it; the facade will upload through it).
    "x-reelforge-upload-added": Rule(I, "an operation got x-reelforge-upload metadata", own=True),
    "x-reelforge-upload-changed": Rule(W, "an operation's x-reelforge-upload metadata changed", own=True),
    "x-reelforge-upload-removed": Rule(E, "an operation lost its x-reelforge-upload metadata", own=True),
    # Where the facade's common inputs go in a create body. Losing an input, or a new required one, breaks the
    # facade requests that worked before (UnsupportedInput, InvalidRequest), so both are errors of their own.
    "x-reelforge-inputs-added": Rule(I, "a create operation got x-reelforge-inputs metadata", own=True),
    "x-reelforge-inputs-changed": Rule(W, "a create operation's x-reelforge-inputs metadata changed", own=True),
    "x-reelforge-inputs-removed": Rule(E, "a create operation lost its x-reelforge-inputs metadata", own=True),
    "x-reelforge-inputs-input-removed": Rule(E, "a common input is no longer mapped by a create operation", own=True),
    "x-reelforge-inputs-required-added": Rule(E, "a create operation requires a common input it did not", own=True),
    # How a vendor answers errors (the sandbox builds its error answers from it; the facade reads messages with it).
    "x-reelforge-errors-added": Rule(I, "the document got x-reelforge-errors metadata", own=True),
    "x-reelforge-errors-changed": Rule(W, "the document's x-reelforge-errors metadata changed", own=True),
    "x-reelforge-errors-removed": Rule(E, "the document lost its x-reelforge-errors metadata", own=True),
}

# Schema rules, one family per place a schema sits. Requests break when they narrow (a value that was valid is
# rejected); responses break when they widen (a value the client never had to handle arrives).
REQUEST_PREFIXES = ("request-body", "request-property", "request-parameter")
RESPONSE_PREFIXES = ("response-body", "response-property")
UPPER_LIMITS = {
    "maximum": "max",
    "exclusiveMaximum": "exclusive-max",
    "maxLength": "max-length",
    "maxItems": "max-items",
}
LOWER_LIMITS = {
    "minimum": "min",
    "exclusiveMinimum": "exclusive-min",
    "minLength": "min-length",
    "minItems": "min-items",
}


def _schema_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for prefix in REQUEST_PREFIXES:
        subject = prefix.replace("-", " ")
        rules[f"{prefix}-type-changed"] = Rule(E, f"a {subject}'s type or format changed")
        rules[f"{prefix}-type-generalized"] = Rule(I, f"a {subject}'s type was widened")
        rules[f"{prefix}-became-nullable"] = Rule(I, f"a {subject} became nullable")
        rules[f"{prefix}-became-not-nullable"] = Rule(E, f"a {subject} became not nullable")
        rules[f"{prefix}-enum-value-added"] = Rule(I, f"a {subject} accepts a new enum value")
        rules[f"{prefix}-enum-value-removed"] = Rule(E, f"a {subject} no longer accepts an enum value")
        rules[f"{prefix}-became-enum"] = Rule(E, f"a {subject} was restricted to a list of values")
        rules[f"{prefix}-became-not-enum"] = Rule(I, f"a {subject} is no longer restricted to a list", own=True)
        for name in UPPER_LIMITS.values():
            rules[f"{prefix}-{name}-decreased"] = Rule(E, f"a {subject}'s {name} was lowered")
            rules[f"{prefix}-{name}-set"] = Rule(E, f"a {subject} got a {name}")
            rules[f"{prefix}-{name}-increased"] = Rule(I, f"a {subject}'s {name} was raised")
            rules[f"{prefix}-{name}-unset"] = Rule(I, f"a {subject}'s {name} was removed")
        for name in LOWER_LIMITS.values():
            rules[f"{prefix}-{name}-increased"] = Rule(E, f"a {subject}'s {name} was raised")
            rules[f"{prefix}-{name}-set"] = Rule(E, f"a {subject} got a {name}")
            rules[f"{prefix}-{name}-decreased"] = Rule(I, f"a {subject}'s {name} was lowered")
            rules[f"{prefix}-{name}-unset"] = Rule(I, f"a {subject}'s {name} was removed")
        rules[f"{prefix}-pattern-added"] = Rule(E, f"a {subject} got a pattern")
        rules[f"{prefix}-pattern-changed"] = Rule(W, f"a {subject}'s pattern changed (may reject values)")
        rules[f"{prefix}-pattern-removed"] = Rule(I, f"a {subject}'s pattern was removed")
        for keyword in ("one-of", "any-of"):
            rules[f"{prefix}-{keyword}-added"] = Rule(I, f"a {subject} accepts one more {keyword} alternative")
            rules[f"{prefix}-{keyword}-removed"] = Rule(E, f"a {subject} lost a {keyword} alternative")
        rules[f"{prefix}-description-changed"] = Rule(I, f"a {subject}'s description changed", own=True)
        rules[f"{prefix}-documented-limit-changed"] = Rule(
            W, f"the numbers in a {subject}'s description changed: a limit stated in prose only", own=True
        )
    for prefix in RESPONSE_PREFIXES:
        subject = prefix.replace("-", " ")
        rules[f"{prefix}-type-changed"] = Rule(E, f"a {subject}'s type or format changed")
        rules[f"{prefix}-type-specialized"] = Rule(I, f"a {subject}'s type was narrowed", own=True)
        rules[f"{prefix}-became-nullable"] = Rule(E, f"a {subject} became nullable")
        rules[f"{prefix}-became-not-nullable"] = Rule(I, f"a {subject} became not nullable")
        rules[f"{prefix}-enum-value-added"] = Rule(W, f"a {subject} has a new enum value (strict clients break)")
        rules[f"{prefix}-enum-value-removed"] = Rule(I, f"a {subject} lost an enum value")
        rules[f"{prefix}-became-enum"] = Rule(I, f"a {subject} was restricted to a list of values")
        rules[f"{prefix}-became-not-enum"] = Rule(W, f"a {subject} is no longer restricted to a list", own=True)
        for name in UPPER_LIMITS.values():
            rules[f"{prefix}-{name}-increased"] = Rule(W, f"a {subject}'s {name} was raised")
            rules[f"{prefix}-{name}-unset"] = Rule(W, f"a {subject}'s {name} was removed")
            rules[f"{prefix}-{name}-decreased"] = Rule(I, f"a {subject}'s {name} was lowered")
            rules[f"{prefix}-{name}-set"] = Rule(I, f"a {subject} got a {name}")
        for name in LOWER_LIMITS.values():
            rules[f"{prefix}-{name}-decreased"] = Rule(W, f"a {subject}'s {name} was lowered")
            rules[f"{prefix}-{name}-unset"] = Rule(W, f"a {subject}'s {name} was removed")
            rules[f"{prefix}-{name}-increased"] = Rule(I, f"a {subject}'s {name} was raised")
            rules[f"{prefix}-{name}-set"] = Rule(I, f"a {subject} got a {name}")
        rules[f"{prefix}-pattern-added"] = Rule(I, f"a {subject} got a pattern")
        rules[f"{prefix}-pattern-changed"] = Rule(W, f"a {subject}'s pattern changed")
        rules[f"{prefix}-pattern-removed"] = Rule(W, f"a {subject}'s pattern was removed")
        for keyword in ("one-of", "any-of"):
            rules[f"{prefix}-{keyword}-added"] = Rule(W, f"a {subject} has one more {keyword} alternative")
            rules[f"{prefix}-{keyword}-removed"] = Rule(I, f"a {subject} lost a {keyword} alternative")
        rules[f"{prefix}-description-changed"] = Rule(I, f"a {subject}'s description changed", own=True)
    return rules


def _python_rules() -> dict[str, Rule]:
    def rule(level: Level, summary: str) -> Rule:
        return Rule(level, summary, own=True)

    return {
        "python-api-package-added": rule(I, "a generated package appeared"),
        "python-api-package-removed": rule(E, "a generated package disappeared"),
        "python-api-module-added": rule(I, "a public module was added"),
        "python-api-module-removed": rule(E, "a public module was removed"),
        "python-api-class-added": rule(I, "a public class was added"),
        "python-api-class-removed": rule(E, "a public class was removed"),
        "python-api-class-base-removed": rule(E, "a class lost a base class"),
        "python-api-function-added": rule(I, "a public function or method was added"),
        "python-api-function-removed": rule(E, "a public function or method was removed"),
        "python-api-kind-changed": rule(E, "a public name now points to another kind of object"),
        "python-api-attribute-added": rule(I, "a public module attribute was added"),
        "python-api-attribute-removed": rule(E, "a public module attribute was removed"),
        "python-api-attribute-type-changed": rule(W, "a module attribute's annotation changed"),
        "python-api-attribute-value-changed": rule(I, "a module constant's value changed"),
        "python-api-field-added": rule(I, "a model got an optional field"),
        "python-api-field-added-required": rule(E, "a model got a required field (constructors break)"),
        "python-api-field-removed": rule(E, "a class attribute or model field was removed"),
        "python-api-field-became-required": rule(E, "a model field lost its default"),
        "python-api-field-type-changed": rule(W, "a class attribute's annotation changed (type checkers may object)"),
        "python-api-enum-member-added": rule(I, "an enum got a member"),
        "python-api-enum-member-removed": rule(E, "an enum lost a member"),
        "python-api-enum-member-value-changed": rule(W, "an enum member's value changed"),
        "python-api-parameter-added": rule(I, "a function got an optional parameter"),
        "python-api-parameter-added-required": rule(E, "a function got a required parameter"),
        "python-api-parameter-removed": rule(E, "a function lost a parameter"),
        "python-api-parameter-became-required": rule(E, "a parameter lost its default"),
        "python-api-parameter-moved": rule(E, "a positional parameter moved"),
        "python-api-parameter-kind-changed": rule(E, "a parameter changed kind (positional, keyword)"),
        "python-api-parameter-default-changed": rule(W, "a parameter's default changed"),
        "python-api-parameter-type-changed": rule(W, "a parameter's annotation changed (type checkers may object)"),
        "python-api-return-type-changed": rule(W, "a function's return annotation changed"),
    }


RULES.update(_schema_rules())
RULES.update(_python_rules())


def level_of(rule_id: str) -> Level:
    """The level of a rule id; an unknown id is a bug in this package, not in its input."""
    return RULES[rule_id].level
