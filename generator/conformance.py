"""The conformance suite's per-vendor module: an inventory of every generated operation, emitted from the
engine's own view of the effective spec, that tests/conformance/harness.py checks against the spec.

Emitting it (rather than discovering operations at test time) makes the suite reviewable: a spec change
shows up in the pull request as a change to tests/conformance/test_<vendor>.py, and `generator check` fails
when the module is stale or edited by hand.
"""

from __future__ import annotations

from typing import Any

import jinja2

from generator.effective import EffectiveSpec
from generator.engine_text import code, raw

__all__ = ["render_conformance_module"]


def _params(endpoint: Any) -> list[dict[str, Any]]:
    located = [
        ("path", endpoint.path_parameters),
        ("query", endpoint.query_parameters),
        ("header", endpoint.header_parameters),
    ]
    return [
        {
            "name": raw(param.name),
            "python_name": str(param.python_name),
            "location": location,
            "python_type": code(param.get_type_string(no_optional=True)),
            "required": bool(param.required),
        }
        for location, params in located
        for param in params
    ]


def _responses(endpoint: Any) -> list[dict[str, Any]]:
    everything = [*endpoint.responses.patterns]
    if endpoint.responses.default is not None:
        everything.append(endpoint.responses.default)
    cases = []
    for response in everything:
        status = "default" if response.is_default() else str(response.status_code.pattern)
        model = response.prop.class_info.name if type(response.prop).__name__ == "ModelProperty" else None
        content = getattr(response.data, "content", None) or {}
        if response.source["attribute"] == "None" or not content:
            cases.append({"status": status, "content_type": None, "model": model})
            continue
        # One case per documented media type: one the client cannot read then fails instead of being skipped.
        cases += [{"status": status, "content_type": raw(media), "model": model} for media in content]
    return cases


def _operations(spec: EffectiveSpec, data: Any, security: dict[tuple[str, str], tuple[str, ...]]) -> list[Any]:
    operations = []
    for tag, collection in sorted(data.endpoint_collections_by_tag.items()):
        for endpoint in collection.endpoints:
            body = endpoint.bodies[0] if endpoint.bodies else None
            operations.append(
                {
                    "operation_id": str(endpoint.name),
                    "method": endpoint.method.upper(),
                    "path": raw(endpoint.path),
                    "module": f"{spec.vendor.package}.api.{tag}.{endpoint.name}",
                    "params": _params(endpoint),
                    "body": None
                    if body is None
                    else {
                        "model": code(body.prop.get_type_string(no_optional=True)),
                        "content_type": raw(body.content_type),
                        "required": bool(body.prop.required),
                    },
                    "security": security[(endpoint.method, raw(endpoint.path))],
                    "responses": _responses(endpoint),
                }
            )
    return operations


def render_conformance_module(
    spec: EffectiveSpec,
    data: Any,
    security: dict[tuple[str, str], tuple[str, ...]],
    templates: jinja2.Environment,
) -> str:
    template = templates.get_template("conformance/test_vendor.py.jinja")
    return template.render(vendor=spec.vendor, operations=_operations(spec, data, security))
