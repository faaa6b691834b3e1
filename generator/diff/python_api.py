"""The public Python API of two versions of a generated package, compared with griffe.

griffe reads both versions statically (nothing is imported) and `griffe.find_breaking_changes` finds what breaks
callers: removed objects, removed or moved parameters, parameters that became required. It does not report
additions, annotation changes, or the `__init__` that attrs writes for the generated models, so this module walks
both APIs too: a model's fields are its annotated class attributes, required when they have no default, which is
what attrs makes of them.

Locations are dotted paths as users import them (`reelforge_x.models.Video.status`, not the module that defines
`Video`). An added module is reported once, not with everything in it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import griffe

from generator.diff.changes import Change, level_of
from generator.errors import PipelineError

__all__ = ["diff_packages", "load_package"]

_ATTRS_DECORATORS = frozenset(
    ("attrs.define", "attrs.frozen", "attrs.mutable", "attr.s", "attr.attrs", "attr.define", "attr.frozen")
)
_PARAMETER_RULES = {
    griffe.BreakageKind.PARAMETER_REMOVED: ("python-api-parameter-removed", "parameter `{name}` was removed"),
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: (
        "python-api-parameter-added-required",
        "new required parameter `{name}`: existing calls lack it",
    ),
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: (
        "python-api-parameter-became-required",
        "parameter `{name}` lost its default: calls without it fail",
    ),
    griffe.BreakageKind.PARAMETER_MOVED: ("python-api-parameter-moved", "positional parameter `{name}` moved"),
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: (
        "python-api-parameter-kind-changed",
        "parameter `{name}` changed kind (positional or keyword)",
    ),
    griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT: (
        "python-api-parameter-default-changed",
        "parameter `{name}` has a new default",
    ),
}


def load_package(root: Path, package: str) -> griffe.Object:
    """Load `package` from the folder `root` (its parent folder), statically, never from what is installed."""
    griffe_logger = logging.getLogger("griffe")
    previous = griffe_logger.level
    griffe_logger.setLevel(logging.ERROR)  # unresolvable imports of attrs/httpx are expected, not news
    try:
        loaded = griffe.load(
            package,
            search_paths=[str(root)],
            try_relative_path=False,
            allow_inspection=False,
            resolve_aliases=True,
            resolve_external=False,
        )
    except (ImportError, SyntaxError, OSError) as exc:
        raise PipelineError(f"{root / package}: cannot read the package ({exc})", fix="regenerate it") from exc
    finally:
        griffe_logger.setLevel(previous)
    if isinstance(loaded, griffe.Alias):
        raise PipelineError(f"{root / package}: not a package", fix="regenerate it")
    return loaded


def diff_packages(old_root: Path | None, new_root: Path | None, package: str, vendor: str = "") -> list[Change]:
    """Changes to the public API of `package` between the copy under `old_root` and the one under `new_root`."""
    if old_root is None and new_root is None:
        return []
    if old_root is None:
        rule = "python-api-package-added"
        return [Change(rule, level_of(rule), vendor, "", package, f"new package `{package}`")]
    if new_root is None:
        rule = "python-api-package-removed"
        message = f"package `{package}` is no longer generated: code that imports it fails"
        return [Change(rule, level_of(rule), vendor, "", package, message)]
    return _ApiDiff(load_package(old_root, package), load_package(new_root, package), vendor).run()


def _target(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    if not isinstance(obj, griffe.Alias):
        return obj
    try:
        target = obj.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None  # an import from outside the package
    return target if isinstance(target, griffe.Object) else None


def _public_modules(package: griffe.Object) -> dict[str, griffe.Object]:
    found: dict[str, griffe.Object] = {}
    pending = [package]
    while pending:
        module = pending.pop()
        found[module.path] = module
        pending.extend(m for name, m in module.modules.items() if not name.startswith("_"))
    return found


def _under(path: str, roots: set[str]) -> bool:
    return any(path == root or path.startswith(f"{root}.") for root in roots)


def _is_enum(cls: griffe.Object) -> bool:
    return isinstance(cls, griffe.Class) and any(str(base).split(".")[-1].endswith("Enum") for base in cls.bases)


def _is_attrs(cls: griffe.Object) -> bool:
    if not isinstance(cls, griffe.Class):
        return False
    for decorator in cls.decorators:
        value = decorator.value
        name = value if isinstance(value, str) else getattr(value, "canonical_path", str(value))
        if str(name).split("(")[0] in _ATTRS_DECORATORS:
            return True
    return False


def _init_field(attribute: griffe.Object) -> tuple[bool, bool] | None:
    """For an attribute of an attrs class: (is an __init__ field, required), or None when it is no field."""
    if not isinstance(attribute, griffe.Attribute) or attribute.annotation is None or "property" in attribute.labels:
        return None
    annotation = str(attribute.annotation)
    if annotation.startswith(("ClassVar", "typing.ClassVar")):
        return None
    value = None if attribute.value is None else str(attribute.value)
    if value is not None and "init=False" in value.replace(" ", ""):
        return None
    required = value is None or (
        value.split("(")[0].endswith("field") and "default" not in value and "factory" not in value
    )
    return True, required


class _ApiDiff:
    def __init__(self, old: griffe.Object, new: griffe.Object, vendor: str) -> None:
        self.old = old
        self.new = new
        self.vendor = vendor
        self.changes: list[Change] = []
        self._display: dict[str, str] = {old.path: old.path}
        self._seen: set[str] = set()
        old_modules = _public_modules(old)
        new_modules = _public_modules(new)
        self.added_modules = set(new_modules) - set(old_modules)
        self.removed_modules = set(old_modules) - set(new_modules)
        self._new_modules = new_modules

    def emit(self, rule_id: str, location: str, message: str) -> None:
        self.changes.append(Change(rule_id, level_of(rule_id), self.vendor, "", location, message))

    def show(self, path: str) -> str:
        """A canonical path as users import it (through the package's re-exports) where the walk saw one."""
        best = ""
        for canonical in (p for p in self._display if path == p or path.startswith(f"{p}.")):
            best = max(best, canonical, key=len)
        return self._display[best] + path[len(best) :] if best else path

    def run(self) -> list[Change]:
        self._walk(self.old, self.new, self.new.path)
        for path in sorted(self.added_modules):
            if _under(path.rsplit(".", 1)[0], self.added_modules):
                continue  # inside a module that is new as a whole
            module = self._new_modules[path]
            names = sorted(n for n, m in module.members.items() if m.is_public and not m.is_alias and not m.is_module)
            contents = f" ({', '.join(names)})" if names else ""
            self.emit("python-api-module-added", path, f"new module `{path}`{contents}")
        removed: dict[str, griffe.Object | griffe.Alias] = {}
        for breakage in griffe.find_breaking_changes(self.old, self.new):
            if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
                # One object can go under two names: where it was defined and where it was re-exported; keep the
                # shorter, which is the one users import.
                obj: griffe.Object | griffe.Alias = breakage.obj  # an Alias when a re-export went
                canonical = str(getattr(obj, "target_path", obj.path)) if obj.is_alias else obj.path
                if canonical not in removed or len(obj.path) < len(removed[canonical].path):
                    removed[canonical] = obj
            else:
                self._breakage(breakage)
        for canonical, obj in sorted(removed.items()):
            self._removed(canonical, obj)
        return self.changes

    # -- what griffe finds -------------------------------------------------------------------------------------

    def _breakage(self, breakage: griffe.Breakage) -> None:
        kind = breakage.kind
        obj = breakage.obj
        if kind in _PARAMETER_RULES:
            rule, template = _PARAMETER_RULES[kind]
            parameter = breakage.old_value if breakage.old_value is not None else breakage.new_value
            self.emit(rule, self.show(obj.path), f"`{obj.name}`: " + template.format(name=parameter.name))
        elif kind is griffe.BreakageKind.OBJECT_CHANGED_KIND:
            self.emit(
                "python-api-kind-changed",
                self.show(obj.path),
                f"`{obj.name}` was a {breakage.old_value.value} and is now a {breakage.new_value.value}",
            )
        elif kind is griffe.BreakageKind.CLASS_REMOVED_BASE:
            self.emit("python-api-class-base-removed", self.show(obj.path), f"class `{obj.name}` lost a base class")
        # RETURN_CHANGED_TYPE: annotations are compared by the walk (griffe only notices a removed annotation).

    def _removed(self, canonical: str, obj: griffe.Object | griffe.Alias) -> None:
        path = obj.path
        if _under(canonical, self.removed_modules) and canonical not in self.removed_modules:
            return  # the module that held it is reported
        if _under(path, self.removed_modules) and path not in self.removed_modules:
            return
        target = _target(obj)
        kind = target.kind if target is not None else obj.kind
        where = self.show(path)
        name = obj.name
        if kind is griffe.Kind.MODULE:
            rule, what = "python-api-module-removed", f"module `{where}` was removed: imports of it fail"
        elif kind is griffe.Kind.CLASS:
            rule, what = "python-api-class-removed", f"class `{name}` was removed: code that uses it fails"
        elif kind is griffe.Kind.FUNCTION:
            rule, what = "python-api-function-removed", f"`{name}` was removed: code that calls it fails"
        else:
            parent = obj.parent
            if isinstance(parent, griffe.Class) and _is_enum(parent):
                rule, what = "python-api-enum-member-removed", f"enum `{parent.name}` lost the member `{name}`"
            elif isinstance(parent, griffe.Class):
                rule, what = "python-api-field-removed", f"`{parent.name}.{name}` was removed: code that reads it fails"
            else:
                rule, what = "python-api-attribute-removed", f"`{name}` was removed: code that imports it fails"
        self.emit(rule, where, what)

    # -- what the walk finds -----------------------------------------------------------------------------------

    def _walk(self, old: griffe.Object, new: griffe.Object, display: str) -> None:
        """Compare the public members of two modules or two classes that both versions have."""
        self._display.setdefault(new.path, display)
        self._display.setdefault(old.path, display)
        old_members = {name: m for name, m in old.all_members.items() if m.is_public}
        for name, member in sorted(new.all_members.items()):
            if not member.is_public:
                continue
            new_target = _target(member)
            if new_target is None or new_target.path in self._seen:
                continue
            self._seen.add(new_target.path)
            where = f"{display}.{name}"
            if name not in old_members:
                if not new_target.is_module and not _under(new_target.path, self.added_modules):
                    self._added(new, new_target, name, where)
                continue
            old_target = _target(old_members[name])
            if old_target is None or old_target.kind is not new_target.kind:
                continue  # griffe reports a change of kind
            if isinstance(new_target, griffe.Module | griffe.Class):
                self._walk(old_target, new_target, where)
            elif isinstance(new_target, griffe.Function) and isinstance(old_target, griffe.Function):
                self._display.setdefault(new_target.path, where)
                self._display.setdefault(old_target.path, where)
                self._function(old_target, new_target, where)
            elif isinstance(new_target, griffe.Attribute) and isinstance(old_target, griffe.Attribute):
                self._attribute(new, old_target, new_target, where)

    def _added(self, parent: griffe.Object, target: griffe.Object, name: str, where: str) -> None:
        if isinstance(target, griffe.Class):
            self.emit("python-api-class-added", where, f"new class `{name}`")
        elif isinstance(target, griffe.Function):
            self.emit("python-api-function-added", where, f"new function `{name}`")
        elif isinstance(parent, griffe.Class) and _is_enum(parent):
            self.emit("python-api-enum-member-added", where, f"enum `{parent.name}` has a new member `{name}`")
        elif isinstance(parent, griffe.Class):
            field = _init_field(target) if _is_attrs(parent) else None
            if field is not None and field[1]:
                self.emit(
                    "python-api-field-added-required",
                    where,
                    f"`{parent.name}` has a new required field `{name}`: code that builds it without one fails",
                )
            else:
                self.emit("python-api-field-added", where, f"`{parent.name}` has a new field `{name}`")
        elif not str(getattr(target, "value", "")).startswith("TypeVar("):
            self.emit("python-api-attribute-added", where, f"new attribute `{name}`")

    def _function(self, old: griffe.Function, new: griffe.Function, where: str) -> None:
        old_parameters = {p.name: p for p in old.parameters}
        for parameter in new.parameters:
            before = old_parameters.get(parameter.name)
            if before is None:
                if not parameter.required:
                    self.emit(
                        "python-api-parameter-added",
                        where,
                        f"`{new.name}` has a new optional parameter `{parameter.name}`",
                    )
                continue
            if str(before.annotation) != str(parameter.annotation) and parameter.name not in ("self", "cls"):
                self.emit(
                    "python-api-parameter-type-changed",
                    where,
                    f"`{new.name}`: parameter `{parameter.name}` changed from `{before.annotation}` to "
                    f"`{parameter.annotation}`",
                )
        if old.returns is not None and str(old.returns) != str(new.returns):
            self.emit(
                "python-api-return-type-changed",
                where,
                f"`{new.name}` now returns `{new.returns}` instead of `{old.returns}`",
            )

    def _attribute(self, parent: griffe.Object, old: griffe.Attribute, new: griffe.Attribute, where: str) -> None:
        if isinstance(parent, griffe.Class) and _is_enum(parent):
            if str(old.value) != str(new.value):
                self.emit(
                    "python-api-enum-member-value-changed",
                    where,
                    f"`{parent.name}.{new.name}` changed from {old.value} to {new.value}: it matches other wire values",
                )
            return
        if isinstance(parent, griffe.Class):
            if str(old.annotation) != str(new.annotation):
                self.emit(
                    "python-api-field-type-changed",
                    where,
                    f"`{parent.name}.{new.name}` changed from `{old.annotation}` to `{new.annotation}`",
                )
            if _is_attrs(parent):
                before, after = _init_field(old), _init_field(new)
                if before is not None and after is not None and after[1] and not before[1]:
                    self.emit(
                        "python-api-field-became-required",
                        where,
                        f"`{parent.name}.{new.name}` lost its default: code that builds it without one fails",
                    )
            return
        if str(old.value).startswith("TypeVar("):
            return
        if str(old.annotation) != str(new.annotation):
            self.emit(
                "python-api-attribute-type-changed",
                where,
                f"`{new.name}` changed from `{old.annotation}` to `{new.annotation}`",
            )
        if str(old.value) != str(new.value):
            self.emit(
                "python-api-attribute-value-changed", where, f"`{new.name}` changed from {old.value} to {new.value}"
            )
