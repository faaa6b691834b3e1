"""Code generation: an effective spec in, a complete distribution folder out.

openapi-python-client runs in this process (one start-up for all vendors, not one per vendor) on the
engine-input document (generator/engine_input.py: the effective spec with optional defaults made prose), with the
templates in generator/templates/engine/ overriding the few of its own that must differ, and a render
context `rf` (the vendor, base URL, security schemes) that its templates know nothing about. Its post-hooks
are off: ruff runs once over every package afterwards, pinned and isolated from any configuration, so output
does not change when ruff's defaults or a user's settings do. Headers are stamped last.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from generator.conformance import render_conformance_module
from generator.documents import load_document
from generator.effective import EffectiveSpec
from generator.engine_input import engine_input
from generator.engine_text import code, raw
from generator.errors import PipelineError
from generator.readme_example import build_example
from generator.vendors import PACKAGE_VERSION, REPO_ROOT, Vendor

__all__ = ["RUFF_ARGS", "format_packages", "generate_package", "header_lines", "stamp_headers"]

TEMPLATES = REPO_ROOT / "generator" / "templates"
ENGINE_TEMPLATES = TEMPLATES / "engine"
CONFIG_DIR = REPO_ROOT / "generator" / "config"

# The only ruff rules applied to generated code: drop the imports templates add defensively, sort imports.
RUFF_ARGS = (
    ("check", "--isolated", "--fix-only", "--select", "F401,I", "--target-version", "py311", "--line-length", "120"),
    ("format", "--isolated", "--target-version", "py311", "--line-length", "120"),
)


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every vendor's engine environment in this process.

    Each vendor gets its own openapi-python-client Project and so its own jinja2 Environment, which would
    compile the same templates again; jinja2 keys bytecode by template name and source checksum, so sharing it
    cannot mix up two templates.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


@dataclass(frozen=True)
class _Scheme:
    header: str
    prefix: str


def _security_schemes(spec: EffectiveSpec) -> dict[str, _Scheme]:
    """How each declared scheme authenticates; anything the clients cannot do stops generation."""
    declared = (spec.document.get("components") or {}).get("securitySchemes") or {}
    schemes: dict[str, _Scheme] = {}
    for name, scheme in declared.items():
        where = f"{spec.vendor.output_dir}/openapi.json: /components/securitySchemes/{name}"
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header":
            schemes[name] = _Scheme(scheme["name"], "")
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            schemes[name] = _Scheme("Authorization", "Bearer ")
        else:
            raise PipelineError(
                f"{where}: unsupported security scheme {scheme!r}",
                fix="the clients support apiKey in a header and http bearer; extend generator/codegen.py",
            )
    return schemes


def _operation_security(spec: EffectiveSpec) -> dict[tuple[str, str], tuple[str, ...]]:
    """(method, path) -> the schemes that may authenticate it, in the spec's order of preference.

    Operation-level `security` overrides the document's, as OpenAPI says (the engine reads neither). An
    alternative with no scheme (`{}`) makes credentials optional: such an operation sends none.
    """
    result: dict[tuple[str, str], tuple[str, ...]] = {}
    for operation in spec.reader.operations():
        method, path, requirements = operation.method, operation.path, operation.security
        if any(not requirement for requirement in requirements):
            result[(method, path)] = ()
            continue
        names: list[str] = []
        for requirement in requirements:
            if len(requirement) != 1:
                raise PipelineError(
                    f"{spec.vendor.output_dir}/openapi.json: {method.upper()} {path}: a security requirement "
                    f"combining schemes {sorted(requirement)} is not supported"
                )
            names.extend(requirement)
        result[(method, path)] = tuple(names)
    return result


def _response_id(response: Any) -> str:
    return "default" if response.is_default() else str(response.status_code.pattern).lower()


def _responses(endpoint: Any, kind: str) -> list[Any]:
    def is_success(response: Any) -> bool:
        if response.is_default():
            return False
        low, high = response.status_code.range
        return bool(low >= 200 and high <= 299)

    everything = [*endpoint.responses.patterns]
    if endpoint.responses.default is not None:
        everything.append(endpoint.responses.default)
    return [r for r in everything if is_success(r) == (kind == "success")]


def _type(response: Any) -> str:
    """The Python type of a response's body: None for a response without content (the engine says Any)."""
    if response.source["attribute"] == "None":
        return "None"
    return code(response.prop.get_type_string())


def _union(responses: Iterable[Any]) -> str:
    types = sorted({_type(r) for r in responses})
    return " | ".join(types) if types else "None"


def _load_config(vendor: Vendor, root: Path) -> dict[str, Any]:
    config: dict[str, Any] = dict(load_document(CONFIG_DIR / "common.yaml"))
    vendor_file = root / vendor.config_file
    if vendor_file.exists():
        extra = load_document(vendor_file) or {}
        unexpected = set(extra) - {"class_overrides"}
        if unexpected:
            raise PipelineError(
                f"{vendor.config_file}: only class_overrides may be set per vendor, found {sorted(unexpected)}",
                fix="put shared settings in generator/config/common.yaml",
            )
        config.update(extra)
    return config


_WRAPPED_STRING = re.compile(
    r"<openapi_python_client\.schema\.untrusted_string\.UntrustedString object at 0x[0-9a-f]+>"
)


def _generation_errors(errors: Iterable[Any], vendor: Vendor) -> PipelineError | None:
    """One PipelineError listing everything the engine reported, or None when it reported nothing."""

    def text(value: Any) -> str:
        # The engine formats some of its own messages with a wrapped string's repr; keep them readable.
        return _WRAPPED_STRING.sub("(value not shown by openapi-python-client)", raw(value))

    problems = [
        f"  [{error.level.value}] {text(error.header)}" + (f": {text(error.detail)}" if error.detail else "")
        for error in errors
    ]
    if not problems:
        return None
    return PipelineError(
        f"openapi-python-client reported {len(problems)} problem(s) for {vendor.output_dir}/openapi.json "
        "(warnings count: generation runs as with --fail-on-warning):\n" + "\n".join(problems),
        fix=f"fix the spec in {vendor.overlay_dir}/ (or a name in {vendor.config_file}), then regenerate",
    )


def _refuse_leaked_wrappers(folder: Path) -> None:
    """A template that prints a spec string without its escaping filter leaks the wrapper's repr: refuse it."""
    for path in sorted(folder.rglob("*.py")):
        if _WRAPPED_STRING.search(path.read_text(encoding="utf-8")):
            raise PipelineError(
                f"{path.name}: a template printed a spec string without escaping it (UntrustedString repr in output)",
                fix="pass the value through in_double_quote_literal or safe_for_docstring in the template",
            )


def _render_context(spec: EffectiveSpec) -> dict[str, Any]:
    servers = spec.document.get("servers") or []
    if not servers or not isinstance(servers[0].get("url"), str) or not servers[0]["url"].startswith("https://"):
        raise PipelineError(
            f"{spec.vendor.output_dir}/openapi.json: /servers/0/url must be the API's https production URL",
            fix=f"set it in {spec.vendor.overlay_dir}/",
        )
    return {
        "key": spec.vendor.key,
        "title": spec.vendor.title,
        "api_key_env": spec.vendor.api_key_env,
        "base_url_env": spec.vendor.base_url_env,
        # Where `reelforge sandbox` serves this vendor: /<vendor> + the production base URL's path (the sandbox's
        # own rule, reelforge/sandbox/catalog.py; tests/clients/test_readme_sandbox.py runs the README against it).
        "sandbox_path": f"/{spec.vendor.key}{urlsplit(servers[0]['url']).path.rstrip('/')}",
        "timeout_seconds": spec.vendor.timeout_seconds,
        "base_url": servers[0]["url"].rstrip("/"),
        "api_version": str(spec.document["info"]["version"]),
        "security_schemes": {name: vars(scheme) for name, scheme in _security_schemes(spec).items()},
    }


def generate_package(spec: EffectiveSpec, output_dir: Path, conformance_module: Path, root: Path = REPO_ROOT) -> None:
    """Write the vendor's distribution (package, pyproject.toml, README.md, py.typed) into output_dir, and its
    conformance module (tests/conformance/test_<vendor>.py) to conformance_module."""
    from openapi_python_client import Project
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData
    from openapi_python_client.parser.errors import GeneratorError

    vendor = spec.vendor
    config_file = ConfigFile(
        **_load_config(vendor, root),
        project_name_override=vendor.distribution,
        package_name_override=vendor.package,
        package_version_override=PACKAGE_VERSION,
    )
    config = Config.from_sources(
        config_file,
        MetaType.NONE,  # the distribution files are ours (generator/templates/distribution/)
        document_source=root / vendor.output_dir / "openapi.json",
        file_encoding="utf-8",
        overwrite=True,
        output_path=output_dir / vendor.package,
    )
    data = GeneratorData.from_dict(engine_input(spec.document), config=config)
    if isinstance(data, GeneratorError):
        raise _generation_errors([data], vendor) or PipelineError(str(data))
    context = _render_context(spec)
    security = _operation_security(spec)
    project = Project(openapi=data, config=config, custom_template_path=ENGINE_TEMPLATES)
    project.env.bytecode_cache = _BYTECODE
    project.env.globals.update(
        rf=context,
        rf_security=lambda endpoint: security[(endpoint.method, raw(endpoint.path))],
        rf_responses=_responses,
        rf_union=_union,
        rf_response_id=_response_id,
        rf_type=_type,
    )
    with contextlib.redirect_stdout(io.StringIO()):  # the engine prints progress; the pipeline reports
        errors = project.build()
    failure = _generation_errors(errors, vendor)
    if failure is not None:
        raise failure
    _refuse_leaked_wrappers(output_dir / vendor.package)
    (output_dir / vendor.package / "py.typed").write_text("", encoding="utf-8")
    # The effective spec travels with the client: the facade validates requests against it before spending
    # credits, and the sandbox serves routes from it, wherever the package is installed.
    (output_dir / vendor.package / "openapi.json").write_text(spec.text, encoding="utf-8")
    own = _own_templates()
    _write_distribution_files(spec, data, context, output_dir, config.field_prefix, own)
    conformance_module.parent.mkdir(parents=True, exist_ok=True)
    conformance_module.write_text(render_conformance_module(spec, data, security, own), encoding="utf-8")


def _own_templates() -> jinja2.Environment:
    """The templates that are ours alone (distribution files, the conformance module), strict about names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders TOML, Markdown and Python, not HTML
    )
    env.filters["py"] = repr  # a Python literal for any str, bool or None: spec text can never become code
    return env


def _write_distribution_files(
    spec: EffectiveSpec,
    data: Any,
    context: dict[str, Any],
    output_dir: Path,
    field_prefix: str,
    env: jinja2.Environment,
) -> None:
    operations = []
    for tag, collection in sorted(data.endpoint_collections_by_tag.items()):
        for endpoint in collection.endpoints:
            operations.append(
                {
                    "module": f"{spec.vendor.package}.api.{tag}.{endpoint.name}",
                    "method": endpoint.method.upper(),
                    "path": raw(endpoint.path),
                    "summary": _markdown_cell(raw(endpoint.summary or "")),
                }
            )
    values = {
        "rf": context,
        "vendor": spec.vendor,
        "version": PACKAGE_VERSION,
        "operations": operations,
        "example": build_example(spec, data, field_prefix),
    }
    for name in ("pyproject.toml", "README.md"):
        text = env.get_template(f"distribution/{name}.jinja").render(**values)
        (output_dir / name).write_text(text, encoding="utf-8")


def _markdown_cell(text: str) -> str:
    """First line of a summary, safe inside a Markdown table cell."""
    lines = text.strip().splitlines()
    return lines[0].replace("|", "\\|") if lines else ""


def format_packages(folder: Path) -> None:
    """Run the pinned ruff, isolated from any configuration, over everything generated in folder."""
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    for args in RUFF_ARGS:
        result = subprocess.run([ruff, *args, str(folder)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PipelineError(
                f"ruff {args[0]} failed on the generated code in {folder}:\n{result.stdout}{result.stderr}",
                fix="a template produced invalid Python; render it again and read the file ruff names",
            )


def header_lines(spec: EffectiveSpec) -> list[str]:
    """The provenance every generated file starts with (as comment text, without comment markers)."""
    lines = [
        "Generated by reelforge's spec pipeline. Do not edit: changes are overwritten, and CI fails on drift.",
        f"Spec: {spec.source.spec_path.as_posix()} (sha256 {spec.source.sha256})",
    ]
    lines += [f"Overlay: {path.as_posix()} (sha256 {digest})" for path, digest in spec.overlays]
    lines.append(f"Regenerate: python -m generator generate {spec.vendor.key}")
    return lines


def stamp_headers(spec: EffectiveSpec, *paths: Path) -> None:
    """Put the provenance header on top of every file given, and of every file in the folders given."""
    lines = header_lines(spec)
    hash_header = "".join(f"# {line}\n" for line in lines)
    markdown_header = "<!--\n" + "".join(f"  {line}\n" for line in lines) + "-->\n"
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())
    for path in files:
        if path.suffix in (".py", ".toml", ".typed"):
            header = hash_header
        elif path.suffix == ".md":
            header = markdown_header
        else:  # JSON cannot carry a comment; GENERATION.json and openapi.json are written with their own note
            continue
        text = path.read_text(encoding="utf-8")
        path.write_text(header + ("\n" if text and not text.startswith("\n") else "") + text, encoding="utf-8")
