"""The pipeline's checks of x-reelforge-job.prompt, x-reelforge-errors and x-reelforge-upload, on the tiny vendor:
a good one passes into the effective spec, and each broken one stops the run naming the vendor's overlays, the
JSON pointer and what is wrong."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.effective import build_effective_spec
from generator.errors import PipelineError
from generator.extensions import check_extensions
from generator.pipeline import generate
from generator.vendors import REPO_ROOT, VENDORS
from reelforge.specs import JobExtension, JSONPath, JSONPathError, Spec
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
    _fails(
        tiny_root,
        r"x-reelforge-job/prompt: '\$\.\.prompt' leaves the simple JSONPath subset at position 1",
        r"fix: use member names",
    )


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("job_id: $.id", "job_id: $[?@.id]"),  # RFC 9535 has filters; the sandbox and the facade read none
        ("status: $.status", "status: $.status[0:1]"),
        ("result_urls: $.video_url", "result_urls: $['video_url','id']"),
    ],
)
def test_every_job_path_must_be_one_the_readers_read(tiny_root: Path, line: str, path: str) -> None:
    _edit(tiny_root, LIFECYCLE, line, path)
    key = line.split(":")[0]
    _fails(tiny_root, rf"/paths/~1jobs/post/x-reelforge-job/{key}: .* leaves the simple JSONPath subset")


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


# -- what the checks cannot read -------------------------------------------------------------------------


def _checked(root: Path, edit: Callable[[dict[str, Any]], None]) -> str:
    """check_extensions on the tiny effective spec after `edit`; the PipelineError's text.

    The effective spec is edited in memory: openapi-spec-validator refuses most broken references before the
    extension checks run, and these tests are about the checks themselves never passing what they cannot read.
    """
    document = copy.deepcopy(build_effective_spec(root, TINY).document)
    edit(document)
    with pytest.raises(PipelineError) as caught:
        check_extensions(Spec(document, "tiny"))
    return str(caught.value)


def test_a_status_schema_behind_a_broken_ref_stops_the_check(tiny_root: Path) -> None:
    # The states-against-enum check used to skip a status schema it could not follow, and so passed unchecked.
    def edit(document: dict[str, Any]) -> None:
        json_body = document["paths"]["/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]
        json_body["schema"] = {"$ref": "#/components/schemas/Gone"}

    message = _checked(tiny_root, edit)
    assert message.startswith("tiny: /$ref: the reference '#/components/schemas/Gone' leads nowhere (no 'Gone')")
    assert "(while reading /paths/~1jobs/post/x-reelforge-job)" in message
    assert "fix: correct the $ref" in message


def test_a_parameter_behind_a_broken_ref_stops_the_error_check(tiny_root: Path) -> None:
    _write(tiny_root, ERRORS, GOOD_ERRORS)

    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/jobs/{job_id}"]["get"]["parameters"][0] = {"$ref": "#/components/parameters/Gone"}

    message = _checked(tiny_root, edit)
    assert message.startswith(
        "tiny: /paths/~1jobs~1{job_id}/get/parameters/0/$ref: the reference '#/components/parameters/Gone' leads "
        "nowhere (no 'parameters')"
    )


def test_a_schema_ref_loop_stops_the_check(tiny_root: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["JobRequest"] = {"$ref": "#/components/schemas/JobRequest"}

    message = _checked(tiny_root, edit)
    assert message.startswith("tiny: /components/schemas/JobRequest: $ref loop: #/components/schemas/JobRequest")


# -- the JSONPath subset ---------------------------------------------------------------------------------

# The pipeline reads every extension path with reelforge.specs.JSONPath and no longer compiles it with
# jsonpath_rfc9535 as well: the subset's grammar is RFC 9535's, narrowed, so that second parse could only ever
# fail on a bug in the reader. This proves the narrowing on the paths the vendors use and on the subset's edges.
SUBSET_PATHS = [
    "$",
    "$.id",
    "$.outputs[*].file_url",
    "$.generations[0].generation_id",
    "$.items[-1]",
    "$['a b']['it\\'s'][\"q\"]",
    "$[ 'spaced' ][ 2 ][ * ]",
    "$.*",
    "$['\\u00e9t\\u00e9']",
]


def _vendor_paths() -> list[str]:
    paths: list[str] = []
    for vendor in VENDORS:
        document = json.loads((REPO_ROOT / vendor.output_dir / "openapi.json").read_text(encoding="utf-8"))
        for job in JobExtension.all_in(Spec(document)):
            paths += [str(job.job_id), str(job.status), str(job.prompt), str(job.result_urls)]
    return paths


@pytest.mark.parametrize("text", SUBSET_PATHS + _vendor_paths())
def test_every_path_of_the_subset_is_rfc_9535_and_reads_the_same(text: str) -> None:
    import jsonpath_rfc9535

    path = JSONPath.parse(text)
    jsonpath_rfc9535.compile(text)
    jsonpath_rfc9535.compile(str(path))  # the canonical form too
    value = {
        "id": "x",
        "outputs": [{"file_url": "u1"}, {"file_url": "u2"}],
        "generations": [{"generation_id": "g"}],
        "items": [1, 2, 3],
        "a b": {"it's": {"q": 7}},
        "spaced": [0, 1, [5, 6]],
        "été": True,
    }
    assert path.find(value) == jsonpath_rfc9535.find(text, value).values()


@pytest.mark.parametrize("text", ["$..id", "$[?@.id]", "$[0:2]", "$['a','b']", "$.a-b", "$[01]", "id"])
def test_what_the_subset_refuses(text: str) -> None:
    with pytest.raises(JSONPathError):
        JSONPath.parse(text)
