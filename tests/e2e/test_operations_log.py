"""Every staff operation reaches the operation log, reads and refusals included (R-AU-1)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.e2e.conftest import TOWNSHIP
from tests.e2e.test_application_case import application
from tests.support import bearer, eventually


async def test_reading_a_record_and_a_refused_attempt_are_logged_R_AU_1_R_SE_2(county):
    """R-AU-1, R-SE-2: who read which record, and who tried beyond their jurisdiction."""
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker())
    assert r.status_code == 201
    app_id = r.json()["id"]
    read = await county.intake.get(f"/api/v1/applications/{app_id}",
                                   headers=county.caseworker() | {"X-Request-ID": "read-1"})
    assert read.status_code == 200
    stranger = bearer(county.settings, "caseworker", ["230722101"], user_id="cw-other")
    refused = await county.intake.get(f"/api/v1/applications/{app_id}",
                                      headers=stranger | {"X-Request-ID": "peek-1"})
    assert refused.status_code == 404  # R-SE-1: not confirmed, but logged as an attempt

    async def operations():
        entries = await county.audit_log(app_id)
        ops = [e for e in entries if e["type"] == "assist.intake.operation_recorded"]
        return ops if len(ops) == 2 else None

    reading, peeking = await eventually(operations)
    assert (reading["actor"]["user_id"], reading["request_id"]) == ("cw-wang", "read-1")
    assert reading["data"] | {"method": "GET", "status": 200,
                              "route": "/api/v1/applications/{application_id}"} == reading["data"]
    assert reading["source_address"] == "10.1.2.3" and reading["division"] == TOWNSHIP
    assert (peeking["actor"]["user_id"], peeking["request_id"]) == ("cw-other", "peek-1")
    assert peeking["data"]["status"] == 404
    types = [e["type"] for e in await county.audit_log(app_id)]
    assert types.count("assist.intake.application_submitted") == 1  # the write: its own events


async def test_reads_of_the_log_are_kept_beside_it_not_in_it_R_AU_1(county):
    """R-AU-1: auditors' reads are recorded in log_access; the chain they read doesn't move."""
    auditor = county.auditor() | {"X-Request-ID": "audit-read-1"}
    first = (await county.audit.get("/api/v1/audit/verify", headers=auditor)).json()
    await county.audit.get("/api/v1/audit/entries", headers=auditor)
    await asyncio.sleep(1.0)
    again = (await county.audit.get("/api/v1/audit/verify", headers=auditor)).json()
    assert again["entries"] == first["entries"]  # reading the log adds nothing to it

    access = await county.audit.get("/api/v1/audit/access", headers=county.auditor())
    rows = access.json()  # newest first
    assert [a["route"] for a in rows] == [
        "/api/v1/audit/verify", "/api/v1/audit/entries", "/api/v1/audit/verify"]
    assert all((a["user_id"], a["status"], a["request_id"], a["source_address"]) ==
               ("auditor-li", 200, "audit-read-1", "10.1.2.3") for a in rows)
    cw = await county.audit.get("/api/v1/audit/access", headers=county.caseworker())
    assert cw.status_code == 403

    kit = county.apps["audit"].state.kit
    for statement in ("UPDATE log_access SET user_id = 'nobody'", "DELETE FROM log_access"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with kit.engine.begin() as conn:
                await conn.execute(text(statement))


async def test_concurrent_reads_are_each_recorded_once_in_shared_commits_R_AU_1(county):
    """R-AU-1: 40 reads at once, each recorded once, with its own actor and request id, though
    their records share transactions (group commit)."""
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker())
    app_id = r.json()["id"]
    readers = [bearer(county.settings, "caseworker", [TOWNSHIP], user_id=f"cw-{i}")
               | {"X-Request-ID": f"read-{i}"} for i in range(40)]
    answers = await asyncio.gather(*(
        county.intake.get(f"/api/v1/applications/{app_id}", headers=h) for h in readers))
    assert {a.status_code for a in answers} == {200}

    async def all_logged():
        entries = await county.audit_log(app_id)
        ops = [e for e in entries if e["type"] == "assist.intake.operation_recorded"]
        return ops if len(ops) >= 40 else None

    ops = await eventually(all_logged, timeout=20)
    assert sorted((o["actor"]["user_id"], o["request_id"]) for o in ops) == sorted(
        (f"cw-{i}", f"read-{i}") for i in range(40))


async def test_a_read_that_cannot_be_logged_is_not_answered_R_AU_1(county):
    """R-AU-1: when the operation log cannot record a read, the read is refused (503), never
    served unlogged; once the log can write again, reads are answered and recorded."""
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker())
    app_id = r.json()["id"]
    operations = county.apps["intake"].state.kit.operations
    working = operations.recorder

    async def broken(session, operation):
        raise ConnectionError("the database went away")

    operations.recorder = broken
    try:
        refused = await county.intake.get(f"/api/v1/applications/{app_id}",
                                          headers=county.caseworker())
    finally:
        operations.recorder = working
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:assist:problem:operation-not-logged"
    assert "王大山" not in refused.text  # nothing of the record left unlogged
    again = await county.intake.get(f"/api/v1/applications/{app_id}",
                                    headers=county.caseworker())
    assert again.status_code == 200
