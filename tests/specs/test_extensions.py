"""The typed readers of x-reelforge-job, x-reelforge-errors and x-reelforge-upload, on tiny inline documents."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from reelforge.specs import (
    ERROR_KINDS,
    KIND_STATUSES,
    REELFORGE_STATES,
    TERMINAL_STATES,
    ErrorsExtension,
    Idempotency,
    JobExtension,
    JSONPath,
    Progress,
    Spec,
    SpecError,
    UploadExtension,
    fill_template,
)

FULL_JOB: dict[str, Any] = {
    "status_operation": "get_video",
    "job_id_parameter": "video_id",
    "job_id": "$.id",
    "status": "$.status",
    "states": {"queued": ["waiting"], "running": ["busy", "rendering"], "succeeded": ["done"], "failed": ["error"]},
    "prompt": "$.script['text']",
    "result_urls": "$.outputs[*].url",
    "result_expires_at": "$.outputs[*].expires",
    "progress": {"path": "$.percent", "scale": 100},
    "eta_seconds": "$.eta",
    "error_message": "$.error.message",
    "start_operation": "start_video",
    "cancel_operation": "cancel_video",
    "cancel_effect": "deleted",
    "idempotency": {"request_field": "client_key", "confirmed": True},
    "notes": "A note.",
}
MINIMAL_JOB: dict[str, Any] = {
    key: FULL_JOB[key] for key in ("status_operation", "job_id_parameter", "job_id", "status", "prompt", "result_urls")
} | {"states": {"running": ["busy"], "succeeded": ["done"], "failed": ["error"]}}


def spec(job: Any = None, upload: Any = None, errors: Any = None) -> Spec:
    create: dict[str, Any] = {"operationId": "create_video", "responses": {}}
    files: dict[str, Any] = {"operationId": "upload_file", "responses": {}}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {"/videos": {"post": create}, "/files": {"post": files}, "/other": {"get": {"operationId": "other"}}},
    }
    if job is not None:
        create["x-reelforge-job"] = job
    if upload is not None:
        files["x-reelforge-upload"] = upload
    if errors is not None:
        document["x-reelforge-errors"] = errors
    return Spec(document, "tiny.json")


def test_a_job_extension_with_every_field() -> None:
    reader = spec(FULL_JOB)
    job = JobExtension.of(reader.operation("create_video"))
    assert job == JobExtension(
        create_operation="create_video",
        status_operation="get_video",
        job_id_parameter="video_id",
        job_id=JSONPath.parse("$.id"),
        status=JSONPath.parse("$.status"),
        states={
            "queued": ("waiting",),
            "running": ("busy", "rendering"),
            "succeeded": ("done",),
            "failed": ("error",),
            "canceled": (),
        },
        prompt=JSONPath.parse("$.script.text"),
        result_urls=JSONPath.parse("$.outputs[*].url"),
        result_expires_at=JSONPath.parse("$.outputs[*].expires"),
        progress=Progress(JSONPath.parse("$.percent"), 100.0),
        eta_seconds=JSONPath.parse("$.eta"),
        error_message=JSONPath.parse("$.error.message"),
        start_operation="start_video",
        cancel_operation="cancel_video",
        cancel_effect="deleted",
        idempotency=Idempotency("client_key", True),
        notes="A note.",
    )
    assert JobExtension.all_in(reader) == [job]
    assert job.status_values == ("waiting", "busy", "rendering", "done", "error")
    assert job.operations == ("get_video", "start_video", "cancel_video")
    assert tuple(job.states) == REELFORGE_STATES


def test_a_job_extension_without_its_optional_fields() -> None:
    job = JobExtension.of(spec(MINIMAL_JOB).operation("create_video"))
    assert (job.result_expires_at, job.progress, job.eta_seconds, job.error_message) == (None, None, None, None)
    assert (job.start_operation, job.cancel_operation, job.cancel_effect, job.idempotency) == (None,) * 4
    assert job.notes == ""
    assert job.states["queued"] == () and job.states["canceled"] == ()
    assert job.operations == ("get_video",)
    with_defaults = JobExtension.of(
        spec(MINIMAL_JOB | {"progress": {"path": "$.p"}, "idempotency": {"request_field": "k"}}).operation(
            "create_video"
        )
    )
    assert with_defaults.progress == Progress(JSONPath.parse("$.p"), 1.0)
    assert with_defaults.idempotency == Idempotency("k", False)


@pytest.mark.parametrize(
    ("state", "expected"), [("waiting", "queued"), ("rendering", "running"), ("done", "succeeded"), ("nope", None)]
)
def test_state_of(state: str, expected: str | None) -> None:
    assert JobExtension.of(spec(FULL_JOB).operation("create_video")).state_of(state) == expected
    assert set(REELFORGE_STATES) >= TERMINAL_STATES


@pytest.mark.parametrize("key", ["status_operation", "job_id_parameter", "job_id", "status", "states", "prompt"])
def test_a_job_extension_missing_a_required_key_names_it(key: str) -> None:
    job = {k: v for k, v in MINIMAL_JOB.items() if k != key}
    with pytest.raises(SpecError, match=f"tiny.json: /paths/~1videos/post/x-reelforge-job: {key} is missing") as caught:
        JobExtension.of(spec(job).operation("create_video"))
    assert caught.value.pointer == "/paths/~1videos/post/x-reelforge-job"


@pytest.mark.parametrize(
    ("change", "message", "at"),
    [
        ({"progress": {"scale": 100}}, "x-reelforge-job/progress: path is missing", "/progress"),
        ({"idempotency": {"confirmed": True}}, "x-reelforge-job/idempotency: request_field is missing", "/idempotency"),
        ({"status": "$..status"}, "x-reelforge-job/status: '\\$..status' leaves the simple JSONPath subset", "/status"),
        ({"states": ["done"]}, "x-reelforge-job/states: not an object", "/states"),
    ],
)
def test_a_broken_job_extension_says_where(change: dict[str, Any], message: str, at: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        JobExtension.of(spec(MINIMAL_JOB | change).operation("create_video"))
    assert caught.value.pointer == "/paths/~1videos/post/x-reelforge-job" + at


def test_an_operation_without_a_job_extension() -> None:
    with pytest.raises(SpecError, match=re.escape("tiny.json: other has no x-reelforge-job")):
        JobExtension.of(spec(FULL_JOB).operation("other"))
    assert JobExtension.all_in(spec()) == []


ERRORS: dict[str, Any] = {
    "validation_status": 422,
    "message": "$.error.message",
    "body": {"error": {"message": "{message}", "code": "{code}", "status": "{status}", "text": "E{status}: {message}"}},
    "validation_body": {"detail": "{problems}", "note": "{message}"},
    "validation_message": "$.detail[*].msg",
    "codes": {kind: kind.upper() for kind in ERROR_KINDS},
    "messages": {"not_found": "Video not found"},
}


def test_an_errors_extension_with_every_field() -> None:
    errors = ErrorsExtension.of(spec(errors=ERRORS))
    assert errors.validation_status == 422
    assert errors.message == JSONPath.parse("$.error.message")
    assert errors.validation_message == JSONPath.parse("$.detail[*].msg")
    assert errors.template("invalid") == ERRORS["validation_body"]
    assert errors.template("not_found") == ERRORS["body"]
    assert errors.message_path("invalid") == errors.validation_message
    assert errors.message_path("server_error") == errors.message
    assert [errors.status_of(kind) for kind in ERROR_KINDS] == [422, 401, 404, 429, 500]
    assert errors.messages == {"not_found": "Video not found"}
    problems = [{"loc": ["body", "x"], "msg": "x is wrong", "type": "value_error"}]
    assert errors.fill("invalid", message="bad", status=422, problems=problems) == {"detail": problems, "note": "bad"}
    assert errors.fill("rate_limited", message="slow", status=429, problems=[]) == {
        "error": {"message": "slow", "code": "RATE_LIMITED", "status": 429, "text": "E429: slow"}
    }


def test_an_errors_extension_without_its_optional_fields() -> None:
    errors = ErrorsExtension.of(spec(errors={"validation_status": 400, "message": "$.m", "body": {"m": "{message}"}}))
    assert (errors.validation_body, errors.validation_message, errors.codes, errors.messages) == (None, None, {}, {})
    assert errors.template("invalid") == {"m": "{message}"}
    assert errors.message_path("invalid") == JSONPath.parse("$.m")
    assert errors.fill("invalid", message="bad", status=400, problems=[]) == {"m": "bad"}
    assert set(KIND_STATUSES) == set(ERROR_KINDS) - {"invalid"}


@pytest.mark.parametrize("key", ["validation_status", "message", "body"])
def test_an_errors_extension_missing_a_required_key_names_it(key: str) -> None:
    broken = {k: v for k, v in ERRORS.items() if k != key}
    with pytest.raises(SpecError, match=f"tiny.json: /x-reelforge-errors: {key} is missing") as caught:
        ErrorsExtension.of(spec(errors=broken))
    assert caught.value.pointer == "/x-reelforge-errors"


def test_a_spec_without_an_errors_extension() -> None:
    with pytest.raises(SpecError, match=re.escape("tiny.json: the spec has no x-reelforge-errors")):
        ErrorsExtension.of(spec())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": [{"msg": "a is wrong"}, {"msg": "b is wrong"}]}, "a is wrong; b is wrong"),
        ({"detail": [{"msg": ""}, {"msg": 3}], "error": {"message": "plain"}}, "plain"),
        ({"error": {"message": "plain"}}, "plain"),
        ({"error": {"message": None}}, None),
        ({"detail": "not a list"}, None),
        ("a text body", None),
    ],
)
def test_read_message_of_validation_and_plain_bodies(body: Any, expected: str | None) -> None:
    assert ErrorsExtension.of(spec(errors=ERRORS)).read_message(body) == expected


def test_fill_template_rules() -> None:
    template = {
        "status": "{status}",
        "problems": "{problems}",
        "text": "{status} {message} [{code}]",
        "list": ["{message}", 7, None, {"code": "{code}"}],
        "kept": "{problems} inside",
    }
    problems = [{"msg": "p"}]
    filled = fill_template(template, message="m", code=None, status=404, problems=problems)
    assert filled == {
        "status": 404,
        "problems": problems,
        "text": "404 m []",
        "list": ["m", 7, None, {"code": ""}],
        "kept": "{problems} inside",
    }
    assert fill_template("{code}", message="m", code="NF", status=404, problems=[]) == "NF"
    original = copy.deepcopy(template)
    fill_template(template, message="m", code="c", status=1, problems=[])
    assert template == original


@pytest.mark.parametrize(
    ("upload", "fields"),
    [
        ({"style": "multipart", "field": "file", "url": "$.url"}, {"field": "file", "url": JSONPath.parse("$.url")}),
        (
            {
                "style": "reserve",
                "asset_id": "$.id",
                "upload_operation": "up",
                "asset_id_parameter": "aid",
                "field": "f",
            },
            {"asset_id": JSONPath.parse("$.id"), "upload_operation": "up", "asset_id_parameter": "aid", "field": "f"},
        ),
        (
            {
                "style": "presigned_put",
                "upload_url": "$.items[*].upload_url",
                "file_path": "$.items[*].file_path",
                "expires_at": "$.items[*].expires_at",
                "extension": "$.items[*].extension",
                "file_path_prefix": "api-assets/",
                "notes": "n",
            },
            {
                "upload_url": JSONPath.parse("$.items[*].upload_url"),
                "file_path": JSONPath.parse("$.items[*].file_path"),
                "expires_at": JSONPath.parse("$.items[*].expires_at"),
                "extension": JSONPath.parse("$.items[*].extension"),
                "file_path_prefix": "api-assets/",
                "notes": "n",
            },
        ),
        ({"style": "by_url", "url_field": "source"}, {"url_field": "source"}),
        (
            {"style": "by_url", "url_field": "source", "asset_id": "$.id"},
            {"url_field": "source", "asset_id": JSONPath.parse("$.id")},
        ),
    ],
)
def test_an_upload_extension_of_each_style(upload: dict[str, Any], fields: dict[str, Any]) -> None:
    reader = spec(upload=upload)
    found = UploadExtension.of(reader.operation("upload_file"))
    assert found.operation == "upload_file"
    assert found.style == upload["style"]
    every = ["field", "url", "asset_id", "upload_operation", "asset_id_parameter", "upload_url", "file_path"]
    every += ["expires_at", "extension", "file_path_prefix", "url_field"]
    for name in every:
        assert getattr(found, name) == fields.get(name), name
    assert found.notes == fields.get("notes", "")
    assert UploadExtension.all_in(reader) == [found]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ({"field": "file"}, "x-reelforge-upload: style is missing"),
        ({"style": "carrier-pigeon"}, "x-reelforge-upload/style: unknown upload style 'carrier-pigeon'"),
        ({"style": "multipart", "field": "file"}, "x-reelforge-upload: a multipart upload needs url"),
        ({"style": "reserve", "field": "f"}, "a reserve upload needs asset_id, upload_operation, asset_id_parameter"),
        ({"style": "presigned_put", "upload_url": "$.u"}, "a presigned_put upload needs file_path"),
        ({"style": "by_url"}, "a by_url upload needs url_field"),
        ({"style": "multipart", "field": "file", "url": "url"}, "x-reelforge-upload/url: a JSONPath starts with"),
    ],
)
def test_a_broken_upload_extension_names_the_key(upload: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        UploadExtension.of(spec(upload=upload).operation("upload_file"))
    assert str(caught.value).startswith("tiny.json: /paths/~1files/post/x-reelforge-upload")
    assert caught.value.pointer.startswith("/paths/~1files/post/x-reelforge-upload")


def test_an_operation_without_an_upload_extension() -> None:
    with pytest.raises(SpecError, match=re.escape("tiny.json: create_video has no x-reelforge-upload")):
        UploadExtension.of(spec().operation("create_video"))
    assert UploadExtension.all_in(spec()) == []
