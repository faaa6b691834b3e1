"""What many tests share, in one place: the repository root and the vendor list, running Python (a module, the
`reelforge` command) in a subprocess, the smallest valid create body of each vendor's generated client, and the
environment that keeps a test run from writing into the working tree.

The module level imports only the standard library and the generator's vendor registry (itself standard library
only): noxfile.py imports this module outside any virtual environment, for `hermetic_env`. The body builders
import their client package when called, like the tests that use them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from generator.vendors import VENDORS as _REGISTRY

if TYPE_CHECKING:
    from reelforge_argil.models import VideoCreateArgs
    from reelforge_hedra.models import GenerateVideoRequest
    from reelforge_hera.models import CreateVideoInput
    from reelforge_magichour.models import AnimationRequest
    from reelforge_oxen.models import OxenQueueRequest

__all__ = [
    "ARGIL_AVATAR",
    "CREATE_BODIES",
    "REPO",
    "VENDORS",
    "argil_body",
    "cache_root",
    "hedra_body",
    "hera_body",
    "hermetic_env",
    "magichour_body",
    "oxen_body",
    "run_module",
    "run_python",
    "run_reelforge",
]

REPO: Final = Path(__file__).resolve().parents[1]
# The vendor keys, in the registry's order (generator/vendors.py: the one list the pipeline generates from).
VENDORS: Final = tuple(vendor.key for vendor in _REGISTRY)


# -- subprocesses ----------------------------------------------------------------------------------------------


def run_python(
    *args: str, cwd: Path = REPO, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` with this interpreter (the test environment's), its output captured as text; the exit status
    is the caller's to check. `env` is added to this process's environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_module(
    module: str, *args: str, cwd: Path = REPO, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` (see `run_python`)."""
    return run_python("-m", module, *args, cwd=cwd, env=env, timeout=timeout)


def run_reelforge(
    *args: str, cwd: Path = REPO, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The `reelforge` command as installed in the test environment (`python -m reelforge`, so the interpreter is
    this one whatever PATH says)."""
    return run_module("reelforge", *args, cwd=cwd, env=env, timeout=timeout)


# -- a test run that leaves the tree as it found it -----------------------------------------------------------


def cache_root(root: Path = REPO) -> Path:
    """Where runs of the checkout at `root` keep bytecode and tool caches: outside it, one folder per checkout
    (kept between runs, so the caches still save time)."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"reelforge-cache-{digest}"


def hermetic_env(cache: Path) -> dict[str, str]:
    """Environment variables under which Python, hypothesis, ruff and mypy write their bytecode and caches below
    `cache` instead of into the working tree, and pytest keeps no cache. Every nox session runs with them, and
    subprocesses inherit them; tests/test_tree_untouched.py proves a run under them leaves a copy of the repository
    clean."""
    # pytest's cache is switched off rather than moved: a cache_dir option would reach the pytest runs that tests
    # start with -p no:cacheprovider, where it is an unknown option (an error under --strict-config).
    pytest_options = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p no:cacheprovider"
    return {
        "PYTHONPYCACHEPREFIX": str(cache / "pycache"),  # __pycache__ folders go here, mirroring the source tree
        "PYTEST_ADDOPTS": pytest_options.strip(),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(cache / "hypothesis"),  # .hypothesis/ (its example and constant caches)
        "RUFF_CACHE_DIR": str(cache / "ruff"),  # ruff, also when the generator formats what it emits
        "MYPY_CACHE_DIR": str(cache / "mypy"),
    }


# -- the smallest valid create body of each vendor -------------------------------------------------------------

# An avatar id of the shape Argil's spec asks for (a UUID); no real avatar is behind it.
ARGIL_AVATAR: Final = "3f2b7c1e-9d4a-4e8b-a6c5-1b2d3e4f5a60"


def hera_body(prompt: str, *, aspect_ratios: Sequence[str] = ("16:9",)) -> CreateVideoInput:
    """Hera's create_video body: one mp4 output at 1080p and 30 fps per aspect ratio ("16:9", "9:16", ...)."""
    from reelforge_hera.models import (
        CreateVideoInput,
        ExternalExportAspectRatioEnum,
        ExternalExportConfig,
        ExternalExportFormatEnum,
        ExternalExportResolutionEnum,
        HeraFps,
    )

    outputs = []
    for text in aspect_ratios:
        ratio = ExternalExportAspectRatioEnum(text)
        if not ratio.is_known:
            known = ", ".join(member.value for member in ExternalExportAspectRatioEnum)
            raise ValueError(f"hera_body: {text!r} is not an aspect ratio Hera's spec lists (use one of: {known})")
        outputs.append(
            ExternalExportConfig(
                format_=ExternalExportFormatEnum.MP4,
                aspect_ratio=ratio,
                fps=HeraFps.FPS_30,
                resolution=ExternalExportResolutionEnum.RES_1080P,
            )
        )
    return CreateVideoInput(prompt=prompt, outputs=outputs)


def hedra_body(prompt: str, **fields: Any) -> GenerateVideoRequest:
    """Hedra's create_generation body: a text prompt, and any other field of GenerateVideoRequest by its Python
    name (generation_id=...)."""
    from reelforge_hedra.models import GeneratedVideoInputs, GenerateVideoRequest

    return GenerateVideoRequest(generated_video_inputs=GeneratedVideoInputs(text_prompt=prompt), **fields)


def magichour_body(prompt: str) -> AnimationRequest:
    """Magic Hour's create_animation body: 15 s at 12 fps, 512x960, a custom prompt, no audio."""
    from reelforge_magichour.models import (
        AnimationArtStyle,
        AnimationAssets,
        AnimationAudioSource,
        AnimationCameraEffect,
        AnimationPromptType,
        AnimationRequest,
        AnimationStyle,
    )

    return AnimationRequest(
        fps=12,
        end_seconds=15,
        height=960,
        width=512,
        style=AnimationStyle(
            art_style=AnimationArtStyle.PAINTERLY_ILLUSTRATION,
            camera_effect=AnimationCameraEffect.SIMPLE_ZOOM_IN,
            prompt_type=AnimationPromptType.CUSTOM,
            prompt=prompt,
            transition_speed=5,
        ),
        assets=AnimationAssets(audio_source=AnimationAudioSource.NONE),
    )


def argil_body(*transcripts: str, name: str = "sandbox") -> VideoCreateArgs:
    """Argil's create_video body: one moment of ARGIL_AVATAR per transcript, in order."""
    from reelforge_argil.models import Moment, VideoCreateArgs

    if not transcripts:
        raise ValueError("argil_body: give at least one transcript (an Argil video is made of its moments)")
    return VideoCreateArgs(name=name, moments=[Moment(avatar_id=ARGIL_AVATAR, transcript=t) for t in transcripts])


def oxen_body(prompt: str) -> OxenQueueRequest:
    """Oxen's enqueue_generation body: one generation of the wan-2.2-t2v-fast model."""
    from reelforge_oxen.models import OxenQueueRequest

    return OxenQueueRequest(model="wan-2.2-t2v-fast", prompt=prompt, num_generations=1)


# vendor -> (prompt -> the create body above)
CREATE_BODIES: Final[Mapping[str, Callable[[str], Any]]] = {
    "hera": hera_body,
    "hedra": hedra_body,
    "magichour": magichour_body,
    "argil": argil_body,
    "oxen": oxen_body,
}
