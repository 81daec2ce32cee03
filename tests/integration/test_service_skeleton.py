"""Every service starts on the shared skeleton: migrates, connects, answers health checks."""

import gc

from services.verification.app import create_app as create_verification
from tests.support import eventually, running


async def test_verification_starts_migrates_and_is_ready(make_settings):
    settings = make_settings("verification")
    async with running(create_verification(settings)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "verification"}

        async def ready():
            r = await client.get("/readyz")
            return r if r.status_code == 200 else None

        body = (await eventually(ready)).json()
        assert body["checks"] == {"database": "ok", "nats": "ok"}


async def test_an_unexpected_error_is_a_problem_naming_the_request_id(make_settings):
    """A bug is a 500 problem+json that changed nothing and carries the request id to quote."""
    import dataclasses

    from fastapi import APIRouter

    from services.verification.app import SPEC
    from shared.service import create_service_app
    from tests.support import bearer

    router = APIRouter()

    @router.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    settings = make_settings("verification")
    app = create_service_app(dataclasses.replace(SPEC, routers=[*SPEC.routers, router]),
                             settings)
    async with running(app) as client:
        r = await client.get("/api/v1/broken", headers={"X-Request-ID": "req-500"}
                             | bearer(settings, "caseworker", ["230722100"]))
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"] == "req-500"
    body = r.json()
    assert (body["type"], body["request_id"]) == ("urn:assist:problem:internal-error", "req-500")
    assert "a bug" not in r.text  # no internals leak to the caller


async def test_a_started_service_keeps_its_startup_objects_out_of_full_collections(
        make_settings):
    """What a service's start made (modules, mappers, routes: some 150,000 objects) is frozen
    out of the collector's full collections, which then scan only what was made since.

    Its code is among them: the collector's generations (``gc.get_objects``) do not hold the
    app's factory, before a full collection or after. (The frozen count itself may fall a
    little in a collection: a frozen object whose last reference was in a collected cycle is
    freed.)"""
    async with running(create_verification(make_settings("verification"))) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_freeze_count() > 50_000
        assert not any(o is create_verification for o in gc.get_objects())
        gc.collect()
        assert not any(o is create_verification for o in gc.get_objects())  # still frozen
