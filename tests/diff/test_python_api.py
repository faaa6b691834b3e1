"""The generated Python API, compared with griffe: two tiny packages built in tmp_path (old and new), diffed,
with the exact rule ids, levels and import paths expected; and the real generated packages."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.diff import diff_packages
from generator.diff.python_api import load_package
from generator.errors import PipelineError
from tests.support import REPO

TYPES = """
class Unset:
    pass

UNSET = Unset()
"""

OLD = {
    "__init__.py": """
        from .client import Client

        DEFAULT_BASE_URL = "https://api.example.com/v1"
        __all__ = ("Client", "DEFAULT_BASE_URL")
    """,
    "types.py": TYPES,
    "client.py": """
        class Client:
            def __init__(self, base_url: str = "https://api.example.com/v1") -> None:
                self.base_url = base_url
    """,
    "models/__init__.py": """
        from .gone import Gone
        from .status import Status
        from .video import Video

        __all__ = ("Gone", "Status", "Video")
    """,
    "models/gone.py": """
        class Gone:
            reason: str
    """,
    "models/status.py": """
        from enum import StrEnum

        class Status(StrEnum):
            QUEUED = "queued"
            DONE = "done"
            DRAFT = "draft"
    """,
    "models/video.py": """
        from typing import Any

        from attrs import define as _attrs_define
        from attrs import field as _attrs_field

        from ..types import UNSET, Unset
        from .status import Status

        @_attrs_define
        class Video:
            id: str
            status: Status
            estimated_frame_cost: int
            url: str | Unset = UNSET
            title: str | Unset = UNSET
            additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

            def to_dict(self) -> dict[str, Any]:
                return {}
    """,
    "api/__init__.py": "",
    "api/videos.py": """
        from ..client import Client
        from ..models.video import Video

        def create(*, client: Client, body: Video, wait: bool = False) -> Video:
            return body

        def get(id: str, *, client: Client) -> Video:
            raise NotImplementedError

        def delete(id: str, *, client: Client) -> None:
            return None

        def _parse(data: object) -> Video:
            raise NotImplementedError
    """,
}

NEW = {
    **OLD,
    "__init__.py": """
        from .client import Client

        DEFAULT_BASE_URL = "https://api.example.com/v2"
        __all__ = ("Client", "DEFAULT_BASE_URL")
    """,
    "client.py": """
        class Client:
            def __init__(self, base_url: str = "https://api.example.com/v1", *, timeout: float) -> None:
                self.base_url = base_url
    """,
    "models/__init__.py": """
        from .status import Status
        from .upload import Upload
        from .video import Video

        __all__ = ("Status", "Upload", "Video")
    """,
    "models/upload.py": """
        class Upload:
            file_path: str
    """,
    "models/status.py": """
        from enum import StrEnum

        class Status(StrEnum):
            QUEUED = "queued"
            DONE = "done"
            CANCELED = "canceled"
    """,
    "models/video.py": """
        from typing import Any

        from attrs import define as _attrs_define
        from attrs import field as _attrs_field

        from ..types import UNSET, Unset
        from .status import Status

        @_attrs_define
        class Video:
            id: str
            status: Status
            credits: int
            title: str
            url: str | None | Unset = UNSET
            name: str | Unset = UNSET
            additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

            def to_dict(self) -> dict[str, Any]:
                return {}
    """,
    "api/videos.py": """
        from ..client import Client
        from ..models.video import Video

        def create(*, client: Client, body: Video, wait: bool = True, timeout: float | None = None) -> Video:
            return body

        def get(id: str, *, client: Client, expand: str) -> Video | None:
            raise NotImplementedError

        def list_videos(*, client: Client) -> list[Video]:
            return []

        def _parse(data: object, strict: bool) -> Video:
            raise NotImplementedError
    """,
}
del NEW["models/gone.py"]


def _build(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "tinyapi" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def test_two_versions_of_a_tiny_package(tmp_path: Path) -> None:
    old = _build(tmp_path / "old", OLD)
    new = _build(tmp_path / "new", NEW)
    found = sorted((c.id, c.level.value, c.location) for c in diff_packages(old, new, "tinyapi", "tiny"))
    assert found == sorted(
        [
            # Removals and incompatible signatures: ERR.
            ("python-api-module-removed", "ERR", "tinyapi.models.gone"),  # once, not again for the re-export
            ("python-api-function-removed", "ERR", "tinyapi.api.videos.delete"),
            ("python-api-parameter-added-required", "ERR", "tinyapi.api.videos.get"),
            ("python-api-parameter-added-required", "ERR", "tinyapi.Client.__init__"),
            ("python-api-field-removed", "ERR", "tinyapi.models.Video.estimated_frame_cost"),
            ("python-api-field-added-required", "ERR", "tinyapi.models.Video.credits"),
            ("python-api-field-became-required", "ERR", "tinyapi.models.Video.title"),
            ("python-api-enum-member-removed", "ERR", "tinyapi.models.Status.DRAFT"),
            # May break: annotations and defaults.
            ("python-api-field-type-changed", "WARN", "tinyapi.models.Video.title"),
            ("python-api-field-type-changed", "WARN", "tinyapi.models.Video.url"),
            ("python-api-parameter-default-changed", "WARN", "tinyapi.api.videos.create"),
            ("python-api-return-type-changed", "WARN", "tinyapi.api.videos.get"),
            # Additions: INFO (an added module once, not with its class).
            ("python-api-module-added", "INFO", "tinyapi.models.upload"),
            ("python-api-function-added", "INFO", "tinyapi.api.videos.list_videos"),
            ("python-api-parameter-added", "INFO", "tinyapi.api.videos.create"),
            ("python-api-field-added", "INFO", "tinyapi.models.Video.name"),
            ("python-api-enum-member-added", "INFO", "tinyapi.models.Status.CANCELED"),
            ("python-api-attribute-value-changed", "INFO", "tinyapi.DEFAULT_BASE_URL"),
        ]
    )


def test_private_names_are_not_api(tmp_path: Path) -> None:
    """`_parse` gained a required parameter: nobody outside the package may call it, so nothing is reported."""
    changes = diff_packages(_build(tmp_path / "old", OLD), _build(tmp_path / "new", NEW), "tinyapi")
    assert not [c for c in changes if "_parse" in c.location]


def test_a_package_against_itself_reports_nothing(tmp_path: Path) -> None:
    root = _build(tmp_path / "old", OLD)
    assert diff_packages(root, root, "tinyapi") == []


def test_a_package_that_appears_or_goes(tmp_path: Path) -> None:
    root = _build(tmp_path / "old", OLD)
    assert [(c.id, c.level.value) for c in diff_packages(None, root, "tinyapi")] == [
        ("python-api-package-added", "INFO")
    ]
    assert [(c.id, c.level.value) for c in diff_packages(root, None, "tinyapi")] == [
        ("python-api-package-removed", "ERR")
    ]


def test_the_package_is_read_from_the_folder_given_not_from_what_is_installed(tmp_path: Path) -> None:
    """reelforge_hera is installed in the test environment; a copy with a class removed must still differ."""
    copy = tmp_path / "hera"
    shutil.copytree(REPO / "generated" / "hera" / "reelforge_hera", copy / "reelforge_hera")
    assert load_package(copy, "reelforge_hera").filepath == copy / "reelforge_hera" / "__init__.py"


def test_a_field_removed_from_a_real_generated_model(tmp_path: Path) -> None:
    """Magic Hour's create answer losing `credits_charged`, on a copy of the committed package."""
    old = REPO / "generated" / "magichour"
    new = tmp_path / "magichour"
    shutil.copytree(old / "reelforge_magichour", new / "reelforge_magichour")
    model = new / "reelforge_magichour" / "models" / "create_video_response.py"
    text = model.read_text(encoding="utf-8")
    assert "    credits_charged: int\n" in text
    model.write_text(text.replace("    credits_charged: int\n", ""), encoding="utf-8")
    found = [(c.id, c.level.value, c.location) for c in diff_packages(old, new, "reelforge_magichour", "magichour")]
    assert found == [
        ("python-api-field-removed", "ERR", "reelforge_magichour.models.CreateVideoResponse.credits_charged")
    ]


@pytest.mark.parametrize("vendor", ["hera", "hedra", "magichour", "argil", "oxen"])
def test_each_real_package_against_itself_reports_nothing(vendor: str) -> None:
    root = REPO / "generated" / vendor
    assert diff_packages(root, root, f"reelforge_{vendor}", vendor) == []


def test_a_missing_package_is_a_pipeline_error(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="cannot read the package"):
        load_package(tmp_path, "reelforge_nothing")
