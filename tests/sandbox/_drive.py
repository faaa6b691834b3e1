"""Drive the generated clients against a running sandbox, recording every exchange for spec validation."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from reelforge.sandbox.server import Sandbox
from tests.sandbox._specs import document, pointer, reader, validation_errors
from tests.support import ARGIL_AVATAR, argil_body, hedra_body, hera_body, magichour_body, oxen_body

__all__ = [
    "API_KEY",
    "ARGIL_AVATAR",
    "CREDENTIAL_HEADERS",
    "DRIVERS",
    "Driver",
    "Recorder",
    "assert_conforms",
    "client_for",
    "error_schema_errors",
    "poll",
    "status_value",
]

API_KEY = "sandbox-test-key"
# The header each vendor's key travels in, for raw requests: written out here rather than read from the sandbox,
# as each effective spec's securitySchemes declares it (an apiKey header for Hera, Hedra and Argil, a bearer
# token for Magic Hour and Oxen).
CREDENTIAL_HEADERS = {
    "hera": {"x-api-key": API_KEY},
    "hedra": {"X-API-Key": API_KEY},
    "magichour": {"Authorization": f"Bearer {API_KEY}"},
    "argil": {"x-api-key": API_KEY},
    "oxen": {"Authorization": f"Bearer {API_KEY}"},
}


@dataclass
class Recorder(httpx.BaseTransport):
    """A real HTTP transport that keeps every request and its (read) response."""

    exchanges: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)
    inner: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a multipart body is a stream: keep its bytes for assert_conforms
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response

    def close(self) -> None:
        self.inner.close()


class _Request:
    """An httpx request to the sandbox as openapi-core sees it: at the vendor's production URL."""

    def __init__(self, request: httpx.Request, vendor: str, sandbox_base: str) -> None:
        module = importlib.import_module(f"reelforge_{vendor}")
        production = urlsplit(module.DEFAULT_BASE_URL)
        self.host_url = f"{production.scheme}://{production.netloc}"
        self.path = production.path.rstrip("/") + request.url.path[len(urlsplit(sandbox_base).path) :]
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(),
        )


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(list(response.headers.multi_items()))


@cache
def _openapi(vendor: str) -> OpenAPI:
    return OpenAPI.from_dict(dict(document(vendor)))


def assert_conforms(vendor: str, sandbox: Sandbox, exchanges: list[tuple[httpx.Request, httpx.Response]]) -> None:
    """Every response validates against the vendor's effective spec (openapi-core, not the sandbox's code)."""
    assert exchanges
    for request, response in exchanges:
        _openapi(vendor).validate_response(_Request(request, vendor, sandbox.base_url(vendor)), _Response(response))


def error_schema_errors(vendor: str, method: str, path: str, status: int, body: Any) -> list[str]:
    """Errors of an error body against the schema the spec documents for it: the status itself, its NXX
    range or `default` (the pipeline demands that every status the sandbox can answer is documented)."""
    code = reader(vendor).operation_at(path, method).documented_code(status)
    if code is None:
        return [f"{method.upper()} {path} documents no {status} answer"]
    return validation_errors(
        vendor, pointer("paths", path, method, "responses", code, "content", "application/json", "schema"), body
    )


def status_value(model: Any) -> str:
    status = model.status
    return str(getattr(status, "value", status))


@dataclass
class Driver:
    """One vendor's create, start and status calls through its generated client."""

    create: Callable[[Any, str], str]  # (client, prompt) -> job id
    status: Callable[[Any, str], Any]  # (client, job id) -> status model
    result_url: Callable[[Any], str]
    start: Callable[[Any, str], Any] | None = None


def _hera() -> Driver:
    from reelforge_hera.api.videos import create_video, get_video

    def create(client: Any, prompt: str) -> str:
        return str(create_video.sync(client=client, body=hera_body(prompt)).video_id)

    return Driver(
        create=create,
        status=lambda client, job_id: get_video.sync(job_id, client=client),
        result_url=lambda video: str(video.outputs[0].file_url),
    )


def _hedra() -> Driver:
    from reelforge_hedra.api.generations import create_generation, get_generation_status

    def create(client: Any, prompt: str) -> str:
        return str(create_generation.sync(client=client, body=hedra_body(prompt)).id)

    return Driver(
        create=create,
        status=lambda client, job_id: get_generation_status.sync(uuid.UUID(job_id), client=client),
        result_url=lambda generation: str(generation.download_url),
    )


def _magichour() -> Driver:
    from reelforge_magichour.api.videos import create_animation, get_video_project

    def create(client: Any, prompt: str) -> str:
        return str(create_animation.sync(client=client, body=magichour_body(prompt)).id)

    return Driver(
        create=create,
        status=lambda client, job_id: get_video_project.sync(job_id, client=client),
        result_url=lambda project: str(project.downloads[0].url),
    )


def _argil() -> Driver:
    from reelforge_argil.api.videos import create_video, get_video, render_video

    def create(client: Any, prompt: str) -> str:
        return str(create_video.sync(client=client, body=argil_body(prompt)).id)

    return Driver(
        create=create,
        status=lambda client, job_id: get_video.sync(uuid.UUID(job_id), client=client),
        result_url=lambda video: str(video.video_url),
        start=lambda client, job_id: render_video.sync(uuid.UUID(job_id), client=client),
    )


def _oxen() -> Driver:
    from reelforge_oxen.api.queue import enqueue_generation, get_generation

    def create(client: Any, prompt: str) -> str:
        return str(enqueue_generation.sync(client=client, body=oxen_body(prompt)).generations[0].generation_id)

    return Driver(
        create=create,
        status=lambda client, job_id: get_generation.sync(job_id, client=client),
        result_url=lambda generation: str(generation.result_url),
    )


DRIVERS: dict[str, Callable[[], Driver]] = {
    "hera": _hera,
    "hedra": _hedra,
    "magichour": _magichour,
    "argil": _argil,
    "oxen": _oxen,
}


def client_for(vendor: str, sandbox: Sandbox, recorder: Recorder, api_key: str | None = API_KEY) -> Any:
    module = importlib.import_module(f"reelforge_{vendor}")
    return module.Client(base_url=sandbox.base_url(vendor), api_key=api_key, httpx_args={"transport": recorder})


def poll(driver: Driver, client: Any, job_id: str, terminal: set[str], timeout: float = 10.0) -> tuple[Any, list[str]]:
    """Poll until a terminal status; returns the last status model and every status seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        model = driver.status(client, job_id)
        value = status_value(model)
        if not seen or seen[-1] != value:
            seen.append(value)
        if value in terminal:
            return model, seen
        assert time.monotonic() < deadline, f"job {job_id} still {value} after {timeout} s"
        time.sleep(0.01)
