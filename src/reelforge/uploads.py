"""Local media files uploaded through the vendor's own flow, as its spec's x-reelforge-upload says.

Styles (docs/x-reelforge-upload.md): `multipart` (one call with the file; yields its URL), `reserve` (a call that
reserves an asset, then one that takes the bytes; yields the asset id), `presigned_put` (a call that answers an
upload URL and a file reference, then a PUT of the raw bytes with no key; yields the reference). `by_url` takes
only URLs, so a local file on such a vendor (or one with no upload flow) is UnsupportedInput.

The reserving calls take a small JSON body the extension does not spell out; it is built from the request
schema: every required member, an enum given the file's kind (image, audio, video) where the enum has it, a
string given the file's name, and the extension's `extension` path set to the file's extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from reelforge.downloads import guess_type
from reelforge.errors import UnsupportedInput, VendorError
from reelforge.lifecycle import call_for
from reelforge.specs import Spec, UploadExtension
from reelforge.transport import Answer, Call, Steps
from reelforge.validation import check_body, check_path_parameters

if TYPE_CHECKING:
    from reelforge.mapping import MediaValue

__all__ = ["file_kind", "upload_flow", "upload_steps"]

_DEPTH: Final = 8


def file_kind(path: Path) -> str:
    """image, audio or video, from the file's media type (the top-level type; "file" when unknown)."""
    major = guess_type(path).split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "file"


def upload_flow(spec: Spec) -> UploadExtension | None:
    """The upload flow that can take a local file (the first in document order), or None."""
    for extension in UploadExtension.all_in(spec):
        if extension.style != "by_url":
            return extension
    return None


def _filled(spec: Spec, schema: Any, path: Path, kind: str, depth: int = 0) -> Any:
    """A value for `schema` that describes the file (see the module's docstring)."""
    node = spec.merged(schema)
    if depth > _DEPTH:
        return None
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return kind if kind in enum else enum[0]
    kind_of = node.get("type")
    if kind_of == "object" or "properties" in node:
        properties: Mapping[str, Any] = node.get("properties") or {}
        return {
            name: _filled(spec, properties[name], path, kind, depth + 1)
            for name in node.get("required") or ()
            if name in properties
        }
    if kind_of == "array":
        return [_filled(spec, node.get("items") or {}, path, kind, depth + 1)]
    if kind_of in ("integer", "number"):
        return path.stat().st_size
    if kind_of == "boolean":
        return False
    return path.name


def _json(call: Call, answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError as exc:
        raise VendorError(
            f"the upload answer is not JSON: {answer.content[:200]!r}", vendor=call.vendor, operation=call.operation
        ) from exc


def _found(call: Call, value: Any, what: str) -> str:
    if isinstance(value, str) and value:
        return value
    raise VendorError(
        f"the upload answer has no {what} where the spec's x-reelforge-upload says",
        vendor=call.vendor,
        operation=call.operation,
    )


def upload_steps(vendor: str, spec: Spec, path: Path, input_name: str, send: Any) -> Steps[MediaValue]:
    """Upload `path` for the common input `input_name`: steps that end in the MediaValue for the mapping.
    `send(call)` is a sub-generator that sends a Call and answers the 2xx Answer (raising for anything else)."""
    from reelforge.mapping import MediaValue

    flow = upload_flow(spec)
    if flow is None:
        styles = ", ".join(sorted({e.style for e in UploadExtension.all_in(spec)})) or "none"
        raise UnsupportedInput(
            input_name,
            f"{path} is a local file and this vendor takes no file uploads (its upload flows: {styles}); "
            "give an https URL instead",
            vendor=vendor,
        )
    operation = spec.operation(flow.operation)
    kind = file_kind(path)
    if flow.style == "multipart":
        call = call_for(vendor, operation, file=path, file_field=flow.field)
        answer = yield from send(call)
        assert flow.url is not None
        return MediaValue(url=_found(call, flow.url.first(_json(call, answer)), "file URL"), reference=None, local=True)
    body = _filled(spec, operation.request_schema(), path, kind)
    if flow.extension is not None:
        flow.extension.set(body, path.suffix.removeprefix(".").lower() or "bin")
    check_body(vendor, operation, body)
    call = call_for(vendor, operation, body=body)
    answer = yield from send(call)
    data = _json(call, answer)
    if flow.style == "reserve":
        assert flow.asset_id is not None and flow.upload_operation is not None
        asset_id = _found(call, flow.asset_id.first(data), "asset id")
        upload = spec.operation(flow.upload_operation)
        values = {flow.asset_id_parameter or "id": asset_id}
        check_path_parameters(vendor, upload, values)
        yield from send(call_for(vendor, upload, values, file=path, file_field=flow.field))
        return MediaValue(url=None, reference=asset_id, local=True)
    assert flow.upload_url is not None and flow.file_path is not None
    target = _found(call, flow.upload_url.first(data), "upload URL")
    reference = _found(call, flow.file_path.first(data), "file path")
    put = Call(
        vendor=vendor,
        operation=f"{flow.operation} (upload)",
        method="PUT",
        url=target,
        content_file=path,
        content_type=guess_type(path),
        storage=True,
    )
    yield from send(put)
    return MediaValue(url=None, reference=reference, local=True)
