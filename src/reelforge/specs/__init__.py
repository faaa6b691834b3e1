"""The one reader of OpenAPI documents in reelforge: references, JSON pointers, operations and their schemas,
the JSONPath subset the extensions use, and typed readers of the x-reelforge-* extensions.

The generator's checks, the sandbox, the conformance tests and the facade all read specs through this package,
so they agree on what a spec says. It imports only the standard library (validation brings in
openapi-schema-validator when first used).
"""

from reelforge.specs._document import (
    HTTP_METHODS,
    Operation,
    Spec,
    SpecError,
    Success,
    merge_schemas,
    pointer,
    pointer_parts,
)
from reelforge.specs._extensions import (
    ERROR_KINDS,
    ERRORS_EXTENSION,
    JOB_EXTENSION,
    KIND_STATUSES,
    REELFORGE_STATES,
    TERMINAL_STATES,
    UPLOAD_EXTENSION,
    ErrorKind,
    ErrorsExtension,
    Idempotency,
    JobExtension,
    Progress,
    UploadExtension,
    fill_template,
)
from reelforge.specs._inputs import (
    COMMON_INPUTS,
    CONVERTERS,
    INPUT_TYPES,
    INPUTS_EXTENSION,
    MEDIA_INPUTS,
    InputRule,
    InputsExtension,
)
from reelforge.specs._jsonpath import JSONPath, JSONPathError, Step
from reelforge.specs._yaml import DocumentError, parse_document

__all__ = [
    "COMMON_INPUTS",
    "CONVERTERS",
    "ERRORS_EXTENSION",
    "ERROR_KINDS",
    "HTTP_METHODS",
    "INPUTS_EXTENSION",
    "INPUT_TYPES",
    "JOB_EXTENSION",
    "KIND_STATUSES",
    "MEDIA_INPUTS",
    "REELFORGE_STATES",
    "TERMINAL_STATES",
    "UPLOAD_EXTENSION",
    "DocumentError",
    "ErrorKind",
    "ErrorsExtension",
    "Idempotency",
    "InputRule",
    "InputsExtension",
    "JSONPath",
    "JSONPathError",
    "JobExtension",
    "Operation",
    "Progress",
    "Spec",
    "SpecError",
    "Step",
    "Success",
    "UploadExtension",
    "fill_template",
    "merge_schemas",
    "parse_document",
    "pointer",
    "pointer_parts",
]
