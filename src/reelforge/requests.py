"""`VideoRequest`: what to make, in the same words for every vendor.

The common inputs are mapped onto each vendor's request body by the spec's x-reelforge-inputs (reelforge.mapping);
`options` adds vendor body fields as they are spelled in the vendor's JSON, and `operation` picks a create
operation by hand. A media input (image, end_image, reference_images, audio) is an http(s) URL or a local file
path; a local file is uploaded through the vendor's own flow before the create call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from reelforge.specs import MEDIA_INPUTS

__all__ = ["MEDIA_FIELDS", "Media", "VideoRequest"]

Media = str | os.PathLike[str]
"""A media input: an http(s) URL, or the path of a local file."""

MEDIA_FIELDS: Final = MEDIA_INPUTS  # the spec reader's list: the inputs that are files
_NOT_INPUTS: Final = frozenset({"options", "operation"})


def is_url(value: Media) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """A video to make. Every input is optional here; the vendor's operation says which it needs and takes.

    duration is in seconds, aspect_ratio like "16:9", resolution like "720p"; count is how many videos.
    """

    prompt: str | None = None
    negative_prompt: str | None = None
    duration: float | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    fps: int | None = None
    seed: int | None = None
    image: Media | None = None
    end_image: Media | None = None
    reference_images: Sequence[Media] = ()
    audio: Media | None = None
    avatar: str | None = None
    voice: str | None = None
    count: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    operation: str | None = None

    def __post_init__(self) -> None:
        # A lone string would be read as a list of one-character paths.
        if isinstance(self.reference_images, str | os.PathLike):
            object.__setattr__(self, "reference_images", (self.reference_images,))
        else:
            object.__setattr__(self, "reference_images", tuple(self.reference_images))
        object.__setattr__(self, "options", dict(self.options))

    def inputs(self) -> dict[str, Any]:
        """The common inputs that are set (None and an empty reference_images are not), by name."""
        found: dict[str, Any] = {}
        for item in fields(self):
            if item.name in _NOT_INPUTS:
                continue
            value = getattr(self, item.name)
            if value is None or (item.name == "reference_images" and not value):
                continue
            found[item.name] = value
        return found

    def local_files(self) -> list[Path]:
        """The local files among the media inputs (what an upload would send)."""
        found: list[Path] = []
        for name in MEDIA_FIELDS:
            value = getattr(self, name)
            for item in value if name == "reference_images" else (value,):
                if item is not None and not is_url(item):
                    found.append(Path(item))
        return found
