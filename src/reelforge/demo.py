"""The README's main job: one whole video per vendor through the facade (`Studio`), against the sandbox.

Nothing here names a vendor. The request is the same prompt everywhere, plus whatever else the vendor's preferred
create operation requires (Argil's avatar), taken from that operation's documented request example at the place
its `x-reelforge-inputs` maps the input to; everything else (the body, the start call, waiting, the download) is
the facade's. What a run made is a JobRun, as for the sandbox's drive of the generated clients alone
(reelforge/sandbox/demo.py), which the demo starts the sandbox for anyway.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from reelforge.catalog import spec_of
from reelforge.errors import ReelforgeError
from reelforge.mapping import NoOperation, accepted, choose_operation
from reelforge.requests import VideoRequest
from reelforge.sandbox.demo import DEMO_API_KEY, DemoError, JobRun
from reelforge.specs import InputsExtension
from reelforge.studio import Studio

__all__ = ["DEMO_API_KEY", "DEMO_PROMPT", "DemoError", "JobRun", "demo_request", "run_demo"]

DEMO_PROMPT: Final = "A red fox running through fresh snow at dawn."


def demo_request(vendor: str) -> VideoRequest:
    """The demo prompt, with every other input the vendor's create operation requires read from its example."""
    spec = spec_of(vendor)
    try:
        choose_operation(spec, {"prompt": DEMO_PROMPT})
        return VideoRequest(prompt=DEMO_PROMPT)
    except NoOperation:
        pass
    for extension in InputsExtension.all_in(spec):
        example = spec.operation(extension.operation).request_example()
        extra: dict[str, Any] = {}
        for name in accepted(spec, extension.operation).required:
            rule = extension.inputs[name]
            if name != "prompt" and rule.to is not None:
                extra[name] = rule.to.first(example)
        if all(value is not None for value in extra.values()):
            return VideoRequest(prompt=DEMO_PROMPT, operation=extension.operation, **extra)
    raise DemoError(f"{vendor}: no create operation's example gives what it requires beside a prompt")


def run_demo(
    vendors: Sequence[str], base_urls: Mapping[str, str], out_dir: Path, *, timeout: float = 60.0
) -> tuple[list[JobRun], list[str]]:
    """One job per vendor through one Studio: (the jobs made, a line per vendor that failed)."""
    runs: list[JobRun] = []
    failures: list[str] = []
    keys = dict.fromkeys(vendors, DEMO_API_KEY)
    with Studio(keys=keys, base_urls=base_urls) as studio:
        for vendor in vendors:
            began = time.monotonic()
            try:
                job = studio.wait(studio.submit(vendor, demo_request(vendor)), timeout=timeout)
                (first, *_) = studio.download(job, out_dir)
            except (ReelforgeError, OSError) as exc:  # a failed vendor is reported, and the others still run
                failures.append(f"{vendor}: {type(exc).__name__}: {exc}")
                continue
            status = job.vendor_status or job.state.value
            runs.append(JobRun(vendor, job.id, status, time.monotonic() - began, first, first.stat().st_size))
    return runs, failures
