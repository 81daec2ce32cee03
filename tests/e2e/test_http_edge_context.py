"""The HTTP edge of the request context: tokens refused when read, a source address and ids a
client cannot forge into the operation log (R-SE-1, R-AU-1).

Real services in this process, on a real NATS and database: intake serves, the audit service
keeps the hash chain the events end in.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest

from services.audit.app import create_app as create_audit
from services.intake.app import create_app as create_intake
from shared.settings import Settings
from tests.conftest import TEST_SECRET
from tests.e2e.conftest import TOWNSHIP
from tests.e2e.test_application_case import application
from tests.support import bearer, eventually, load_division_register, running, running_all

PROBLEM_JSON = "application/problem+json"
FRESH_ID = re.compile(r"[0-9a-f]{32}")


def signed(settings: Settings, **claims: Any) -> dict[str, str]:
    """Authorization for a correctly signed token: a caseworker's claims, changed by ``claims``."""
    now = int(time.time())
    body = {"sub": "cw-edge", "role": "caseworker", "divisions": [TOWNSHIP],
            "iss": settings.jwt_issuer, "iat": now, "exp": now + 600} | claims
    return {"Authorization": f"Bearer {jwt.encode(body, TEST_SECRET, algorithm='HS256')}"}


@asynccontextmanager
async def intake_and_audit(make_settings, **intake: Any) -> AsyncIterator[
        tuple[httpx.AsyncClient, httpx.AsyncClient, Settings]]:
    apps = [create_intake(make_settings("intake", **intake)), create_audit(make_settings("audit"))]
    async with running_all(apps) as (intake_client, audit_client):
        for app in apps:
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(intake_client, apps[0].state.kit.settings)
        yield intake_client, audit_client, apps[0].state.kit.settings


async def logged(audit: httpx.AsyncClient, settings: Settings, user_id: str,
                 count: int) -> list[dict]:
    """The operation log's entries of ``user_id``, once there are ``count`` of them."""
    auditor = bearer(settings, "auditor", ["230700"], user_id="auditor-edge")

    async def entries() -> list[dict] | None:
        r = await audit.get("/api/v1/audit/entries", params={"user": user_id}, headers=auditor)
        assert r.status_code == 200, r.text
        return r.json() if len(r.json()) >= count else None

    return await eventually(entries, timeout=20)


async def test_correctly_signed_tokens_with_bad_claims_are_401_not_500_R_SE_1(make_settings):
    """R-SE-1: divisions that are no division codes, a 100-year token, a token from the future:
    refused when the token is read, as problem+json, before any query sees them."""
    settings = make_settings("intake")
    now = int(time.time())
    async with running(create_intake(settings)) as client:
        bad = [{"divisions": [""]}, {"divisions": ["23"]}, {"divisions": ["2307"]},
               {"divisions": "230722100"}, {"role": 1}, {"sub": ""},
               {"iat": now, "exp": now + 100 * 365 * 24 * 3600},
               {"nbf": now + 3600}, {"iat": now + 3600, "exp": now + 4000}]
        for claims in bad:
            for request in (client.get("/api/v1/applications", headers=signed(settings, **claims)),
                            client.post("/api/v1/applications", json=application(),
                                        headers=signed(settings, **claims))):
                r = await request
                assert r.status_code == 401, (claims, r.status_code, r.text)
                assert r.headers["content-type"] == PROBLEM_JSON
                assert r.json()["type"] == "urn:assist:problem:unauthorized"
        county = signed(settings, role="county_officer", divisions=["230722", "230722"])
        assert (await client.get("/api/v1/applications", headers=county)).status_code == 200
        city = signed(settings, role="city_officer", divisions=["230700"])
        assert (await client.get("/api/v1/applications", headers=city)).status_code == 200


async def test_x_forwarded_for_from_an_untrusted_peer_is_not_the_source_address_R_AU_1(
        make_settings):
    """R-AU-1: by default no proxy is trusted: a client's X-Forwarded-For is ignored, and the
    operation log holds the address it connected from (10.1.2.3, tests/support.py)."""
    async with intake_and_audit(make_settings) as (intake, audit, settings):
        cw = bearer(settings, "caseworker", [TOWNSHIP], user_id="cw-xff")
        forged = {"X-Forwarded-For": "10.66.66.66"}
        r = await intake.post("/api/v1/applications", json=application(), headers=cw | forged)
        assert r.status_code == 201
        read = await intake.get(r.headers["Location"], headers=cw | forged)
        assert read.status_code == 200
        entries = await logged(audit, settings, "cw-xff", 3)  # submitted, accepted, read
        assert "assist.intake.operation_recorded" in {e["type"] for e in entries}
        assert {e["source_address"] for e in entries} == {"10.1.2.3"}


async def test_a_trusted_proxy_chain_gives_the_clients_address_R_AU_1(make_settings):
    """R-AU-1: behind configured proxies the source address is the right-most address that is
    not a proxy; what is left of it, or is no address at all, is not believed."""
    proxies = "10.1.2.0/24, 192.0.2.10"
    async with intake_and_audit(make_settings, trusted_proxies=proxies) as (intake, audit,
                                                                            settings):
        cw = bearer(settings, "caseworker", [TOWNSHIP], user_id="cw-proxied")
        sent = {"via-1": "10.66.66.66, 203.0.113.7, 192.0.2.10",
                "via-2": "not-an-address",
                "via-3": "10.66.66.66, 203.0.113.7:8080"}
        for request_id, chain in sent.items():
            r = await intake.get("/api/v1/applications", headers=cw | {
                "X-Forwarded-For": chain, "X-Request-ID": request_id})
            assert r.status_code == 200
        entries = await logged(audit, settings, "cw-proxied", 3)
        assert {e["request_id"]: e["source_address"] for e in entries} == {
            "via-1": "203.0.113.7", "via-2": "10.1.2.3", "via-3": "10.1.2.3"}


async def test_an_8000_character_request_id_is_replaced_everywhere_R_AU_1(
        make_settings, capsys: pytest.CaptureFixture[str]):
    """R-AU-1: request and correlation ids are 1-64 characters of [A-Za-z0-9._:-]; anything
    else is replaced by a fresh id, and the replacement is what the response, the log lines and
    the events carry."""
    async with intake_and_audit(make_settings, log_level="INFO") as (intake, audit, settings):
        cw = bearer(settings, "caseworker", [TOWNSHIP], user_id="cw-long-id")
        huge = {"X-Request-ID": "R" * 8000, "X-Correlation-ID": "C" * 8000}
        r = await intake.get("/api/v1/applications", headers=cw | huge)
        assert r.status_code == 200
        rid = r.headers["x-request-id"]
        assert FRESH_ID.fullmatch(rid) and r.headers["x-correlation-id"] == rid
        refused = await intake.get("/api/v1/applications", headers=huge)  # no token
        assert refused.status_code == 401
        assert FRESH_ID.fullmatch(refused.json()["request_id"])
        assert refused.headers["x-request-id"] == refused.json()["request_id"] != rid
        kept = await intake.get("/api/v1/applications", headers=cw | {
            "X-Request-ID": "portal:42.a_b-c", "X-Correlation-ID": "x" * 65})
        assert (kept.headers["x-request-id"], kept.headers["x-correlation-id"]) == (
            "portal:42.a_b-c", "portal:42.a_b-c")

        entries = await logged(audit, settings, "cw-long-id", 2)
        assert {(e["request_id"], e["correlation_id"]) for e in entries} == {
            (rid, rid), ("portal:42.a_b-c", "portal:42.a_b-c")}
    log = capsys.readouterr().err
    assert rid in log and "id_replaced" in log
    assert "R" * 65 not in log and "C" * 65 not in log and "x" * 65 not in log
