"""One request body limit (ASSIST_MAX_BODY_BYTES), enforced by the outermost layer: 413 before
the body is read and before the token is looked at; chunked bodies are cut off at the limit."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator

import pytest

from services.intake.app import create_app
from shared.auth import Role
from shared.problems import PROBLEM_JSON
from tests.support import bearer, domain_event_count, running

MB = 1024 * 1024
CHUNK = b"x" * (64 * 1024)


class Source:
    """A request body of ``total`` bytes made on demand; counts what the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            self.pulled += len(CHUNK)
            yield CHUNK


@pytest.fixture
async def intake(make_settings):
    settings = make_settings("intake")
    app = create_app(settings)
    async with running(app) as client:
        yield client, settings, app


def assert_too_large(r, limit: int) -> None:
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["type"] == "urn:assist:problem:content-too-large"
    assert body["status"] == 413 and body["max_bytes"] == limit
    assert body["request_id"] == r.headers["x-request-id"]  # to quote, like every problem


async def test_200_mb_announced_without_token_is_413_before_a_byte_is_read(intake):
    client, settings, app = intake
    source = Source(200 * MB)
    r = await client.post("/api/v1/applications", content=source,
                          headers={"Content-Length": str(200 * MB),
                                   "Content-Type": "application/json"})
    assert_too_large(r, settings.max_body_bytes)
    assert source.pulled == 0  # not read at all; and not a 401: the token was never looked at
    assert settings.max_body_bytes == MB  # the default


async def test_200_mb_chunked_without_token_is_cut_off_at_the_limit(intake):
    client, settings, app = intake
    source = Source(200 * MB)
    tracemalloc.start()
    try:
        r = await client.post("/api/v1/applications", content=source,
                              headers={"Content-Type": "application/json"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_too_large(r, settings.max_body_bytes)
    assert source.pulled <= settings.max_body_bytes + len(CHUNK)  # ~1 MiB of 200 MiB
    assert peak < 16 * MB, f"memory grew by {peak / MB:.0f} MiB"
    assert await domain_event_count(app.state.kit) == 0


async def test_chunked_body_over_the_limit_with_a_token_is_413_and_writes_nothing(
        make_settings):
    settings = make_settings("intake", max_body_bytes=4096)
    app = create_app(settings)
    async with running(app) as client:
        headers = bearer(settings, Role.caseworker, ["230722100"])
        source = Source(10 * MB)
        r = await client.post("/api/v1/applications", content=source,
                              headers=headers | {"Content-Type": "application/json"})
        assert_too_large(r, 4096)
        assert source.pulled <= 4096 + len(CHUNK)
        big = {"reason_code": "withdrawn", "reason": "很长" * 2100}  # 12.6 kB of UTF-8
        r = await client.post("/api/v1/applications/x/refusal", json=big, headers=headers)
        assert_too_large(r, 4096)
        assert await domain_event_count(app.state.kit) == 0
        small = await client.post("/api/v1/applications/x/refusal", headers=headers,
                                  json={"reason_code": "withdrawn", "reason": "撤回"})
        assert small.status_code == 404  # under the limit: handled as usual


async def test_a_content_length_that_is_not_a_number_is_400(intake):
    client, settings, app = intake
    r = await client.post("/api/v1/applications", content=b"{}",
                          headers={"Content-Length": "12abc"})
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM_JSON


def test_every_operation_with_a_body_documents_413(tmp_path):
    from services.intake.app import create_app as intake_app
    from shared.settings import Settings

    spec = intake_app(Settings(service="intake", data_dir=tmp_path)).openapi()
    with_body = [(path, method, op) for path, item in spec["paths"].items()
                 for method, op in item.items() if "requestBody" in op]
    assert with_body
    for path, method, op in with_body:
        assert list(op["responses"]["413"]["content"]) == [PROBLEM_JSON], (method, path)
