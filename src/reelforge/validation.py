"""Errors before credits: a request body and path parameters checked against the vendor's effective spec.

Everything here runs before a byte leaves the machine. A problem is named by a JSON pointer into the body the
vendor would have received (or `/path/<name>` for a path parameter), the rule it breaks, and the value found.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from reelforge.errors import InvalidRequest, Problem
from reelforge.specs import Operation, pointer

__all__ = ["check_body", "check_path_parameters", "problems_in"]

# Characters that would take a path parameter out of its one URL path segment, whatever its schema says.
_NOT_IN_A_SEGMENT: Final = frozenset("/?#%\\")
# Keywords whose rule reads well as "keyword value" (maximum 10000, enum [...]); others use the message.
_PLAIN_RULES: Final = frozenset(
    {
        "maximum",
        "minimum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "maxItems",
        "minItems",
        "maxLength",
        "minLength",
        "enum",
        "const",
        "type",
        "pattern",
        "format",
        "multipleOf",
    }
)


def problems_in(operation: Operation, schema: Any, instance: Any, *, at: str = "") -> list[Problem]:
    """Every way `instance` breaks `schema` (a schema of `operation`'s spec), each a Problem (`at` prefixes the
    pointers)."""
    from jsonschema.exceptions import best_match  # with the validator, on first use

    validator = operation.spec.validator(schema)
    found: list[Problem] = []
    for error in validator.iter_errors(instance):
        while error.validator in ("oneOf", "anyOf") and error.context:
            # "valid under none of the branches" names no field: take the branch's error that fits best.
            error = best_match(error.context)
        place = list(error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required" and isinstance(error.instance, Mapping):
            # Point at the missing member itself, not at the object that lacks it.
            required: Any = error.validator_value
            for name in required:
                if name not in error.instance:
                    found.append(Problem(at + pointer([*place, name]), "required (missing)", None))
            continue
        if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
            allowed = set((error.schema.get("properties") or {}) if isinstance(error.schema, Mapping) else ())
            extra = [name for name in error.instance if name not in allowed]
            if extra:
                for name in extra:
                    found.append(
                        Problem(at + pointer([*place, name]), "not a field of this body", error.instance[name])
                    )
                continue
        if keyword in _PLAIN_RULES:
            rule = f"{keyword} {json.dumps(error.validator_value)}"
        else:
            rule = f"{keyword}: {error.message}"
        found.append(Problem(at + pointer(place), rule, error.instance))
    found.sort(key=lambda problem: problem.field)
    return found


def check_body(vendor: str, operation: Operation, body: Any) -> None:
    """InvalidRequest unless `body` is a valid JSON request body of `operation`."""
    schema = operation.request_schema()
    if schema is None:
        return
    problems = problems_in(operation, schema, body)
    if problems:
        raise InvalidRequest(problems, vendor=vendor, operation=operation.operation_id)


def check_path_parameters(vendor: str, operation: Operation, values: Mapping[str, Any]) -> None:
    """InvalidRequest unless every path parameter of `operation` is given, fits its schema, and stays one path
    segment."""
    problems: list[Problem] = []
    for (name, location), parameter in operation.parameters.items():
        if location != "path":
            continue
        field = pointer(["path", name])
        value = values.get(name)
        if value is None:
            problems.append(Problem(field, "required (missing)", None))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(field, "a non-empty string", value))
            continue
        if any(c in _NOT_IN_A_SEGMENT or not c.isprintable() or c.isspace() for c in value):
            problems.append(Problem(field, "one URL path segment (no '/', '?', '#', '%', '\\' or blank)", value))
            continue
        schema = parameter.get("schema")
        if schema is not None:
            problems.extend(problems_in(operation, schema, value, at=field))
    if problems:
        raise InvalidRequest(problems, vendor=vendor, operation=operation.operation_id)
