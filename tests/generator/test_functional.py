"""Black-box tests of what the templates make: generate the tiny client, import it, call it over httpx.

Every behaviour the engine does not have by itself is checked here once, on a ten-line API: credentials from
the security scheme, the default server, typed errors, tolerant reading, secrets kept out of repr.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

Handler = Callable[[httpx.Request], httpx.Response]


def _client(package: ModuleType, handler: Handler, **kwargs: Any) -> Any:
    kwargs.setdefault("api_key", "tiny-secret-key")
    return package.Client(httpx_args={"transport": httpx.MockTransport(handler)}, **kwargs)


def test_create_sends_method_path_auth_and_body(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import create_job
    from reelforge_tiny.models import JobRequest, JobStatus

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "job-1", "status": "queued"})

    job = create_job.sync(client=_client(tiny_package, handler), body=JobRequest(prompt="a boat"))

    assert job.id == "job-1"
    assert job.status is JobStatus.QUEUED
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://api.tiny.example/v1/jobs"  # the spec's server is the default
    assert request.headers["X-Tiny-Key"] == "tiny-secret-key"
    assert "authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"prompt": "a boat"}  # nothing the caller did not set


def test_status_path_parameter_is_quoted(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"id": "a/b", "status": "done", "video_url": "https://cdn.example/v.mp4"})

    job = get_job.sync("a/b", client=_client(tiny_package, handler))

    assert seen == ["/v1/jobs/a%2Fb"]
    assert job.video_url == "https://cdn.example/v.mp4"


def test_api_key_comes_from_the_environment(tiny_package: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from reelforge_tiny.api.jobs import get_job

    monkeypatch.setenv("TINY_API_KEY", "from-env")
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["X-Tiny-Key"])
        return httpx.Response(200, json={"id": "j", "status": "done"})

    client = tiny_package.Client(httpx_args={"transport": httpx.MockTransport(handler)})
    get_job.sync("j", client=client)

    assert keys == ["from-env"]


def test_missing_credentials_fail_before_sending(tiny_package: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from reelforge_tiny.api.jobs import create_job
    from reelforge_tiny.models import JobRequest

    monkeypatch.delenv("TINY_API_KEY", raising=False)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"id": "j", "status": "queued"})

    client = tiny_package.Client(httpx_args={"transport": httpx.MockTransport(handler)})
    with pytest.raises(tiny_package.MissingCredentialsError, match="TINY_API_KEY"):
        create_job.sync(client=client, body=JobRequest(prompt="x"))
    assert sent == []


def test_non_2xx_raises_typed_error_with_parsed_body(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job
    from reelforge_tiny.models import TinyError

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "no such job"}, headers={"X-Request-Id": "r1"})

    with pytest.raises(tiny_package.ApiError) as caught:
        get_job.sync("nope", client=_client(tiny_package, handler))

    error = caught.value
    assert error.status_code == 404
    assert error.operation == "get_job"
    assert error.headers["X-Request-Id"] == "r1"
    assert isinstance(error.parsed, TinyError)
    assert error.parsed.message == "no such job"
    assert "404 Not Found" in str(error)


def test_undocumented_status_and_unparseable_body_still_raise(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, content=b"<html>down</html>", headers={"Retry-After": "7"})

    with pytest.raises(tiny_package.ApiError) as caught:
        get_job.sync("j", client=_client(tiny_package, handler))

    assert caught.value.status_code == 503
    assert caught.value.parsed is None
    assert caught.value.content == b"<html>down</html>"
    assert caught.value.headers["Retry-After"] == "7"


def test_error_body_that_does_not_fit_its_model_keeps_raw_content(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=b"not json")

    with pytest.raises(tiny_package.ApiError) as caught:
        get_job.sync("j", client=_client(tiny_package, handler))

    assert caught.value.parsed is None
    assert caught.value.content == b"not json"


def test_unknown_enum_value_and_field_are_kept(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job

    body = {"id": "j", "status": "moderating", "priority": 3}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    job = get_job.sync("j", client=_client(tiny_package, handler))

    assert job.status == "moderating"
    assert job.status.value == "moderating"
    assert not job.status.is_known
    assert job.additional_properties == {"priority": 3}
    assert job.to_dict() == body


def test_known_enum_values_stay_members(tiny_package: ModuleType) -> None:
    from reelforge_tiny.models import JobStatus

    assert JobStatus("done") is JobStatus.DONE
    assert JobStatus.DONE.is_known
    with pytest.raises(ValueError, match="is not a valid"):
        JobStatus(3)  # not a string at all: still an error


def test_api_key_never_in_repr_or_errors(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import get_job

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": "bad"})

    client = _client(tiny_package, handler)
    assert "tiny-secret-key" not in repr(client)
    with pytest.raises(tiny_package.ApiError) as caught:
        get_job.sync("j", client=client)
    assert "tiny-secret-key" not in str(caught.value)
    assert "tiny-secret-key" not in repr(caught.value)


def test_undocumented_2xx_is_read_as_the_documented_success(tiny_package: ModuleType) -> None:
    from reelforge_tiny.api.jobs import create_job
    from reelforge_tiny.models import JobRequest

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "j", "status": "queued"})  # the spec says 201

    assert create_job.sync(client=_client(tiny_package, handler), body=JobRequest(prompt="x")).id == "j"


async def _create_async(tiny_package: ModuleType, handler: Handler) -> Any:
    from reelforge_tiny.api.jobs import create_job
    from reelforge_tiny.models import JobRequest

    async with _client(tiny_package, handler) as client:
        return await create_job.asyncio(client=client, body=JobRequest(prompt="async", seconds=2))


def test_async_call_sends_the_same_request(tiny_package: ModuleType) -> None:
    import asyncio

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "a1", "status": "running"})

    job = asyncio.run(_create_async(tiny_package, handler))

    assert job.id == "a1"
    assert seen[0].headers["X-Tiny-Key"] == "tiny-secret-key"
    assert json.loads(seen[0].content) == {"prompt": "async", "seconds": 2}


def test_package_carries_its_effective_spec(tiny_package: ModuleType) -> None:
    document = tiny_package.openapi_document()
    assert document["paths"]["/jobs"]["post"]["x-reelforge-job"]["status_operation"] == "get_job"
    assert document["servers"][0]["url"] == tiny_package.DEFAULT_BASE_URL


def test_package_exports_and_version(tiny_package: ModuleType) -> None:
    assert tiny_package.DEFAULT_BASE_URL == "https://api.tiny.example/v1"
    assert tiny_package.API_KEY_ENV == "TINY_API_KEY"
    assert tiny_package.API_VERSION == "2.0.0"
    assert set(tiny_package.__all__) >= {"Client", "ApiError", "MissingCredentialsError"}


def test_base_url_comes_from_the_variable_named_like_the_keys(
    tiny_package: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reelforge_tiny.api.jobs import get_job

    assert tiny_package.BASE_URL_ENV == "TINY_BASE_URL"
    monkeypatch.setenv("TINY_BASE_URL", " http://127.0.0.1:9/tiny/v1 ")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"id": "j", "status": "done"})

    client = tiny_package.Client(api_key="k", httpx_args={"transport": httpx.MockTransport(handler)})
    get_job.sync("j", client=client)
    assert seen == ["http://127.0.0.1:9/tiny/v1/jobs/j"]
    # Given explicitly, base_url wins; unset (or blank), the production server.
    assert tiny_package.Client(base_url="https://other.example").base_url == "https://other.example"
    monkeypatch.setenv("TINY_BASE_URL", "  ")
    assert tiny_package.Client().base_url == tiny_package.DEFAULT_BASE_URL


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
def test_a_blank_key_is_a_missing_key(tiny_package: ModuleType, monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    from reelforge_tiny.api.jobs import create_job
    from reelforge_tiny.models import JobRequest

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"id": "j", "status": "queued"})

    monkeypatch.setenv("TINY_API_KEY", blank)
    transport = {"transport": httpx.MockTransport(handler)}
    for client in (tiny_package.Client(httpx_args=transport), tiny_package.Client(api_key=blank, httpx_args=transport)):
        assert not client.has_credentials
        with pytest.raises(tiny_package.MissingCredentialsError, match="TINY_API_KEY"):
            create_job.sync(client=client, body=JobRequest(prompt="x"))
    assert sent == []
