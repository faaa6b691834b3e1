"""reelforge: one facade over the generated vendor clients, and an offline sandbox that behaves like each vendor.

    from reelforge import Studio, VideoRequest

    with Studio() as studio:  # keys from HERA_API_KEY ... OXEN_API_KEY
        paths = studio.generate("hera", VideoRequest(prompt="A red fox running through snow", duration=8), "out/")

The public names are imported on first use (module __getattr__), so `import reelforge` stays cheap: it imports no
vendor client and no httpx; a vendor's client is imported when a studio first talks to that vendor.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reelforge.catalog import CreateOperation, vendors
    from reelforge.errors import (
        AuthenticationError,
        ConfigurationError,
        DownloadError,
        InsufficientCredits,
        InvalidRequest,
        JobFailed,
        NotFound,
        Problem,
        RateLimited,
        ReelforgeError,
        UnsupportedInput,
        UnsupportedOperation,
        VendorError,
        WaitTimeout,
    )
    from reelforge.jobs import Job, JobState
    from reelforge.requests import VideoRequest
    from reelforge.studio import AsyncStudio, Studio
    from reelforge.transport import SubmitIntent, SubmitObserver

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Studio": "reelforge.studio",
    "AsyncStudio": "reelforge.studio",
    "VideoRequest": "reelforge.requests",
    "Job": "reelforge.jobs",
    "JobState": "reelforge.jobs",
    "CreateOperation": "reelforge.catalog",
    "vendors": "reelforge.catalog",
    "SubmitIntent": "reelforge.transport",
    "SubmitObserver": "reelforge.transport",
    **{
        name: "reelforge.errors"
        for name in (
            "AuthenticationError",
            "ConfigurationError",
            "DownloadError",
            "InsufficientCredits",
            "InvalidRequest",
            "JobFailed",
            "NotFound",
            "Problem",
            "RateLimited",
            "ReelforgeError",
            "UnsupportedInput",
            "UnsupportedOperation",
            "VendorError",
            "WaitTimeout",
        )
    },
}

__all__ = [
    "AsyncStudio",
    "AuthenticationError",
    "ConfigurationError",
    "CreateOperation",
    "DownloadError",
    "InsufficientCredits",
    "InvalidRequest",
    "Job",
    "JobFailed",
    "JobState",
    "NotFound",
    "Problem",
    "RateLimited",
    "ReelforgeError",
    "Studio",
    "SubmitIntent",
    "SubmitObserver",
    "UnsupportedInput",
    "UnsupportedOperation",
    "VendorError",
    "VideoRequest",
    "WaitTimeout",
    "vendors",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reelforge' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
