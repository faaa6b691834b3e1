"""The pipeline's checks of x-reelforge-job.prompt, x-reelforge-errors and x-reelforge-upload, on the tiny vendor:
a good one passes into the effective spec, and each broken one stops the run naming the vendor's overlays, the
JSON pointer and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.effective import build_effective_spec
from generator.errors import PipelineError
from generator.pipeline import generate
from tests.generator.conftest import TINY

LIFECYCLE = Path("overlays/tiny/10-lifecycle.yaml")
ERRORS = Path("overlays/tiny/50-errors.yaml")
UPLOADS = Path("overlays/tiny/60-uploads.yaml")
LABEL = r"generated/tiny/openapi\.json \(from specs/tiny/openapi\.yaml \+ overlays/tiny/\)"

ERRORS_HEADER = """\
overlay: 1.1.0
info: {title: tiny errors, version: '1'}
actions:
"""


def responses_action(*codes: str) -> str:
    """An overlay action documenting these error statuses (or ranges) on every tiny operation, as TinyError."""
    schema = "{application/json: {schema: {$ref: '#/components/schemas/TinyError'}}}"
    documented = "".join(f"      '{code}': {{description: Documented, content: {schema}}}\n" for code in codes)
    return "  - target: $.paths.*[?@.responses].responses\n    description: Other errors.\n    update:\n" + documented


# Tiny's spec documents only 400 (create_job) and 404 (get_job); the sandbox may answer more (docs/x-reelforge-errors.md).
ERROR_RESPONSES = responses_action("4XX", "5XX")
ERRORS_ROOT = """\
  - target: $
    description: TinyError is {message}.
    update:
      x-reelforge-errors:
        validation_status: 400
        message: $.message
        body: {message: '{message}'}
"""
GOOD_ERRORS = ERRORS_HEADER + ERROR_RESPONSES + ERRORS_ROOT

# Two upload operations the tiny vendor does not have: a multipart one and a reserve-then-upload pair.
UPLOAD_PATHS = """\
overlay: 1.1.0
info: {title: tiny uploads, version: '1'}
actions:
  - target: $.paths
    description: Upload operations to hang x-reelforge-upload on.
    update:
      /files:
        post:
          operationId: upload_file
          tags: [files]
          security: [{TinyKey: []}]
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary}
          responses:
            '200':
              description: Stored
              content:
                application/json:
                  schema:
                    type: object
                    required: [url, size]
                    properties:
                      url: {type: string}
                      size: {type: integer}
      /assets:
        post:
          operationId: create_asset
          tags: [files]
          security: [{TinyKey: []}]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    source: {type: string}
          responses:
            '200':
              description: Reserved
              content:
                application/json:
                  schema:
                    type: object
                    required: [id]
                    properties:
                      id: {type: string}
      /assets/{asset_id}/upload:
        post:
          operationId: upload_asset
          tags: [files]
          security: [{TinyKey: []}]
          parameters:
            - {name: asset_id, in: path, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file: {type: string, format: binary}
          responses:
            '204':
              description: Stored
  - target: $.paths['/files'].post
    description: The multipart upload.
    update:
      x-reelforge-upload: {style: multipart, field: file, url: $.url}
  - target: $.paths['/assets'].post
    description: The reserved asset.
    update:
      x-reelforge-upload: {style: reserve, asset_id: $.id, upload_operation: upload_asset, asset_id_parameter: asset_id,
                           field: file}
"""


def _write(root: Path, relative: Path, text: str) -> None:
    (root / relative).write_text(text, encoding="utf-8")


def _edit(root: Path, relative: Path, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fails(root: Path, *patterns: str) -> str:
    with pytest.raises(PipelineError) as caught:
        generate([TINY], root=root, force=True)
    message = str(caught.value)
    assert re.search(LABEL, message), message  # the vendor and its overlays
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in:\n{message}"
    return message


# -- x-reelforge-job.prompt ------------------------------------------------------------------------------


def test_prompt_reaches_the_effective_spec(tiny_root: Path) -> None:
    spec = build_effective_spec(tiny_root, TINY)
    assert spec.document["paths"]["/jobs"]["post"]["x-reelforge-job"]["prompt"] == "$.prompt"


def test_prompt_is_required(tiny_root: Path) -> None:
    _edit(tiny_root, LIFECYCLE, "        prompt: $.prompt\n", "")
    _fails(tiny_root, r"/paths/~1jobs/post/x-reelforge-job: 'prompt' is a required property")


def test_prompt_must_be_a_string_property_of_the_request(tiny_root: Path) -> None:
    _edit(tiny_root, LIFECYCLE, "prompt: $.prompt", "prompt: $.seconds")
    _fails(
        tiny_root,
        r"x-reelforge-job/prompt: '\$\.seconds' does not resolve to a string property of the JSON request body "
        r"of create_job",
    )


def test_prompt_must_exist_in_the_request(tiny_root: Path) -> None:
    _edit(tiny_root, LIFECYCLE, "prompt: $.prompt", "prompt: $.text")
    _fails(tiny_root, r"x-reelforge-job/prompt: '\$\.text' does not resolve")


def test_prompt_must_be_a_simple_path(tiny_root: Path) -> None:
    _edit(tiny_root, LIFECYCLE, "prompt: $.prompt", "prompt: $..prompt")
    _fails(tiny_root, r"x-reelforge-job/prompt: '\$\.\.prompt' is not a simple path", r"fix: use member names")


def test_a_cancel_operation_says_what_it_does(tiny_root: Path) -> None:
    _edit(
        tiny_root,
        LIFECYCLE,
        "        prompt: $.prompt\n",
        "        prompt: $.prompt\n        cancel_operation: get_job\n",
    )
    _fails(tiny_root, r"x-reelforge-job: 'cancel_effect' is a dependency of 'cancel_operation'")


def test_a_canceling_cancel_needs_a_canceled_status(tiny_root: Path) -> None:
    cancel = "        prompt: $.prompt\n        cancel_operation: get_job\n        cancel_effect: canceled\n"
    _edit(tiny_root, LIFECYCLE, "        prompt: $.prompt\n", cancel)
    _fails(
        tiny_root,
        r"x-reelforge-job/cancel_effect: 'canceled' needs the status value a canceled job reports, but "
        r"states/canceled is empty",
        r"fix: list the vendor's canceled status under states/canceled, or say cancel_effect: deleted",
    )
    _edit(tiny_root, LIFECYCLE, "cancel_effect: canceled", "cancel_effect: deleted")
    spec = build_effective_spec(tiny_root, TINY)
    assert spec.document["paths"]["/jobs"]["post"]["x-reelforge-job"]["cancel_effect"] == "deleted"


# -- x-reelforge-errors ----------------------------------------------------------------------------------


def test_good_errors_reach_the_effective_spec(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS)
    spec = build_effective_spec(tiny_root, TINY)
    assert spec.document["x-reelforge-errors"]["body"] == {"message": "{message}"}


def test_error_body_that_does_not_match_the_documented_schema(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS.replace("body: {message: '{message}'}", "body: {error: '{message}'}"))
    _fails(
        tiny_root,
        r"/x-reelforge-errors/message: '\$\.message' does not find the message",
    )
    errors = GOOD_ERRORS.replace("message: $.message", "message: $.text")
    _write(tiny_root, ERRORS, errors.replace("body: {message: '{message}'}", "body: {text: '{message}'}"))
    _fails(
        tiny_root,
        r"/x-reelforge-errors/body: the invalid body for status 400, \{\"text\": \"sample invalid message\"\}, does "
        r"not match the error schema create_job documents at /paths/~1jobs/post/responses/400",
        r"'message' is a required property",
        r"fix: make the template match",
    )


def test_a_range_documents_its_statuses(tiny_root: Path) -> None:
    # Tiny documents 401 only through 4XX: the unauthorized body must fit that schema (TinyError needs `message`).
    errors = GOOD_ERRORS.replace("message: $.message\n", "message: $.oops\n        validation_message: $.message\n")
    errors = errors.replace("body: {message: '{message}'}", "body: {oops: '{message}'}")
    _write(tiny_root, ERRORS, errors + "        validation_body: {message: '{message}'}\n")
    _fails(
        tiny_root,
        r"the unauthorized body for status 401, \{\"oops\": \"sample unauthorized message\"\}, does not match the "
        r"error schema create_job documents at /paths/~1jobs/post/responses/4XX",
        r"'message' is a required property",
    )


def test_every_status_an_operation_can_answer_must_be_documented(tiny_root: Path) -> None:
    # Without the 4XX and 5XX ranges, create_job (secured) documents no 401.
    _write(tiny_root, ERRORS, ERRORS_HEADER + ERRORS_ROOT)
    _fails(
        tiny_root,
        r"/paths/~1jobs/post/responses: create_job can answer 401 \(unauthorized\), but documents no 401, 4XX or "
        r"default response with a JSON body",
        r"fix: document it with the vendor's error schema in an overlay \(overlays/<vendor>/50-errors\.yaml\)",
    )


@pytest.mark.parametrize(
    ("responses", "missing"),
    [
        (["4XX", "5XX"], None),
        (["default"], None),
        (["401", "404", "429", "500", "502"], "503"),  # an exact status documents only itself
        (["401", "404", "5XX"], "429"),
        (["4XX", "502", "503"], "500"),
    ],
)
def test_an_exact_status_a_range_or_default_documents_a_status(
    tiny_root: Path, responses: list[str], missing: str | None
) -> None:
    _write(tiny_root, ERRORS, ERRORS_HEADER + responses_action(*responses) + ERRORS_ROOT)
    if missing is None:
        build_effective_spec(tiny_root, TINY)
    else:
        _fails(
            tiny_root, rf"create_job can answer {missing} \((rate_limited|server_error)\), but documents no {missing}"
        )


def test_a_bare_string_path_parameter_cannot_be_invalid(tiny_root: Path) -> None:
    # get_job documents no 400, and needs none while its only parameter is a bare string path parameter.
    action = responses_action("401", "429", "5XX")
    _write(tiny_root, ERRORS, ERRORS_HEADER + action + ERRORS_ROOT)
    build_effective_spec(tiny_root, TINY)
    uuid = "  - target: $.paths['/jobs/{job_id}'].get.parameters[0].schema\n    update: {format: uuid}\n"
    _write(tiny_root, ERRORS, ERRORS_HEADER + action + ERRORS_ROOT + uuid)
    _fails(tiny_root, r"/paths/~1jobs~1\{job_id\}/get/responses: get_job can answer 400 \(invalid\)")


def test_unknown_placeholder(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS.replace("'{message}'", "'{detail}'"))
    _fails(tiny_root, r"/x-reelforge-errors/body/message: unknown placeholder \{detail\}")


def test_code_without_codes(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS.replace("body: {message: '{message}'}", "body: {message: '{code}'}"))
    _fails(tiny_root, r"/x-reelforge-errors/body/message: '\{code\}' uses \{code\} but x-reelforge-errors has no codes")


def test_problems_must_stand_alone(tiny_root: Path) -> None:
    errors = GOOD_ERRORS + "        validation_body: {message: 'bad: {problems}'}\n"
    _write(tiny_root, ERRORS, errors)
    _fails(tiny_root, r"/x-reelforge-errors/validation_body/message: \{problems\} must be the whole value")


def test_validation_status_must_be_a_4xx(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS.replace("validation_status: 400", "validation_status: 500"))
    _fails(tiny_root, r"/x-reelforge-errors/validation_status: 500 is greater than the maximum of 499")


def test_codes_must_name_every_kind(tiny_root: Path) -> None:
    errors = GOOD_ERRORS + "        codes: {invalid: BAD}\n"
    _write(tiny_root, ERRORS, errors)
    _fails(
        tiny_root, r"/x-reelforge-errors/codes: 'unauthorized' is a required property", r"docs/x-reelforge-errors\.md"
    )


# -- x-reelforge-upload ----------------------------------------------------------------------------------


def test_good_uploads_reach_the_effective_spec(tiny_root: Path) -> None:
    _write(tiny_root, UPLOADS, UPLOAD_PATHS)
    spec = build_effective_spec(tiny_root, TINY)
    assert spec.document["paths"]["/assets"]["post"]["x-reelforge-upload"]["style"] == "reserve"


def test_upload_field_must_be_a_file_of_the_multipart_body(tiny_root: Path) -> None:
    _write(
        tiny_root, UPLOADS, UPLOAD_PATHS.replace("{style: multipart, field: file,", "{style: multipart, field: data,")
    )
    _fails(
        tiny_root,
        r"/paths/~1files/post/x-reelforge-upload/field: the multipart body of upload_file has no file property 'data'",
    )


def test_upload_url_must_be_a_string_of_the_answer(tiny_root: Path) -> None:
    _write(tiny_root, UPLOADS, UPLOAD_PATHS.replace("field: file, url: $.url}", "field: file, url: $.size}"))
    _fails(
        tiny_root,
        r"/paths/~1files/post/x-reelforge-upload/url: '\$\.size' does not resolve to a string property of the 2xx "
        r"JSON answer of upload_file",
    )


def test_reserve_names_an_existing_upload_operation(tiny_root: Path) -> None:
    _write(tiny_root, UPLOADS, UPLOAD_PATHS.replace("upload_operation: upload_asset", "upload_operation: put_asset"))
    _fails(
        tiny_root, r"/paths/~1assets/post/x-reelforge-upload/upload_operation: no operation has operationId 'put_asset'"
    )


def test_reserve_names_the_path_parameter(tiny_root: Path) -> None:
    _write(tiny_root, UPLOADS, UPLOAD_PATHS.replace("asset_id_parameter: asset_id", "asset_id_parameter: id"))
    _fails(
        tiny_root, r"x-reelforge-upload/asset_id_parameter: upload_asset \(/assets/\{asset_id\}/upload\) has no path"
    )


def test_style_allows_only_its_own_keys(tiny_root: Path) -> None:
    _write(tiny_root, UPLOADS, UPLOAD_PATHS.replace("{style: multipart, field: file,", "{style: by_url, field: file,"))
    _fails(tiny_root, r"/paths/~1files/post/x-reelforge-upload", r"docs/x-reelforge-upload\.md")


def test_by_url_field_must_be_a_string_of_the_request(tiny_root: Path) -> None:
    by_url = "{style: by_url, url_field: link}"
    _write(
        tiny_root,
        UPLOADS,
        UPLOAD_PATHS.replace(
            "{style: reserve, asset_id: $.id, upload_operation: upload_asset, asset_id_parameter: asset_id,\n"
            "                           field: file}",
            by_url,
        ),
    )
    _fails(
        tiny_root,
        r"/paths/~1assets/post/x-reelforge-upload/url_field: '\$\.link' does not resolve to a string property of "
        r"the JSON request body of create_asset",
    )
