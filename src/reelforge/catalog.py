"""Which vendors there are, their effective specs and client packages, and `vendors()`: what each create
operation accepts, all read from the specs.

This is the one module of the facade that reads the vendor registry (reelforge.registry: VENDORS, and each
vendor's effective spec, read once per process and shared with the sandbox).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from reelforge.errors import ConfigurationError
from reelforge.specs import JOB_EXTENSION, Spec

__all__ = ["CreateOperation", "client_package", "known_vendors", "spec_of", "vendors"]


def _registry() -> ModuleType:
    """The vendor registry (VENDORS, vendor_spec): the one place the facade names its module."""
    from reelforge import registry

    return registry


def known_vendors() -> tuple[str, ...]:
    """The short names of the vendors reelforge has a client for, in the registry's order."""
    return tuple(_registry().VENDORS)


def _check(vendor: str) -> None:
    if vendor not in known_vendors():
        raise ConfigurationError(f"unknown vendor {vendor!r}; reelforge knows {', '.join(known_vendors())}")


@cache
def spec_of(vendor: str) -> Spec:
    """The effective spec `reelforge_<vendor>` ships (read without importing the client)."""
    _check(vendor)
    try:
        spec: Spec = _registry().vendor_spec(vendor)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(str(exc), vendor=vendor) from exc
    return spec


def client_package(vendor: str) -> ModuleType:
    """The generated package `reelforge_<vendor>`, imported on first use only."""
    _check(vendor)
    try:
        return importlib.import_module(f"reelforge_{vendor}")
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"reelforge_{vendor} is not installed (pip install reelforge-{vendor})", vendor=vendor
        ) from exc


@dataclass(frozen=True, slots=True)
class CreateOperation:
    """One create operation of a vendor: the common inputs it accepts and requires, whether it is preferred,
    and the limits of each input in the input's own units (minimum, maximum, enum, max_items)."""

    vendor: str
    operation: str
    accepted: tuple[str, ...]
    required: tuple[str, ...]
    preferred: bool
    limits: Mapping[str, Mapping[str, Any]]
    can_cancel: bool
    notes: str


def vendors() -> dict[str, tuple[CreateOperation, ...]]:
    """Per vendor, its create operations (those with x-reelforge-job and x-reelforge-inputs), in document
    order, with what each accepts (reelforge.mapping.accepted)."""
    from reelforge.mapping import accepted
    from reelforge.specs import InputsExtension

    found: dict[str, tuple[CreateOperation, ...]] = {}
    for vendor in known_vendors():
        spec = spec_of(vendor)
        operations: list[CreateOperation] = []
        for extension in InputsExtension.all_in(spec):
            operation = spec.operation(extension.operation)
            job = operation.extension(JOB_EXTENSION)
            if not isinstance(job, Mapping):
                continue
            summary = accepted(spec, extension.operation)
            operations.append(
                CreateOperation(
                    vendor=vendor,
                    operation=extension.operation,
                    accepted=tuple(summary.accepted),
                    required=tuple(summary.required),
                    preferred=summary.preferred,
                    limits={name: dict(limit) for name, limit in summary.limits.items()},
                    can_cancel=bool(job.get("cancel_operation")),
                    notes=extension.notes,
                )
            )
        found[vendor] = tuple(operations)
    return found
