"""Whole cases through the REST APIs across intake, verification and audit."""

from __future__ import annotations

import asyncio
from collections import Counter

from shared.idcard import check_character
from tests.e2e.conftest import VILLAGE
from tests.support import REGISTER_CHANGED, eventually, outbox_types


def resident_id(region: str = "230722", birth: str = "19580312", seq: str = "123") -> str:
    first17 = region + birth + seq
    return first17 + check_character(first17)


def application(members: list[dict] | None = None, **overrides) -> dict:
    body = {
        "program": "dibao",
        "channel": "window",
        "division": VILLAGE,
        "area": "rural",
        "contact_phone": "13800000000",
        "household": {
            "address": "朝阳镇东风村3组",
            "members": members or [
                {"name": "王大山", "id_number": resident_id(seq="131"), "relationship": "head",
                 "living_status": "at_home", "is_student": False},
                {"name": "李秀英", "id_number": resident_id(birth="19600101", seq="242"),
                 "relationship": "spouse", "living_status": "at_home", "is_student": False},
            ],
        },
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }
    body.update(overrides)
    return body


async def test_accepted_application_opens_investigation_and_is_logged(county):
    """R-IN-1, R-IN-3, R-VE-1, R-AU-1: accepted at the window → investigation task → audit log."""
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker() | {"X-Correlation-ID": "case-42"})
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["status"] == "accepted"

    async def investigation():
        r = await county.verification.get("/api/v1/investigations",
                                          params={"application_id": app["id"]},
                                          headers=county.caseworker())
        return r.json() if r.status_code == 200 and r.json() else None

    [task] = await eventually(investigation)
    assert task["application_number"] == app["number"]
    assert task["household_size"] == 2
    assert task["review_due_on"] == app["review_due_on"]

    async def logged():
        entries = await county.audit_log(app["id"])
        types = {e["type"] for e in entries}
        return entries if "assist.intake.application_accepted" in types else None

    entries = await eventually(logged)
    accepted = next(e for e in entries if e["type"] == "assist.intake.application_accepted")
    assert accepted["actor"]["user_id"] == "cw-wang"
    assert accepted["actor"]["role"] == "caseworker"
    assert accepted["correlation_id"] == "case-42"
    assert accepted["request_id"]
    assert accepted["source_address"] == "10.1.2.3"
    assert accepted["division"] == VILLAGE
    # R-SE-2: the full ID numbers travel sealed; the log opens them only to mask them
    shown = [m["id_number"] for m in accepted["data"]["members"]]
    assert shown == ["230" + "*" * 11 + resident_id(seq="131")[-4:],
                     "230" + "*" * 11 + resident_id(birth="19600101", seq="242")[-4:]]
    submitted = next(e for e in entries if e["type"] == "assist.intake.application_submitted")
    assert [m["id_number"] for m in submitted["data"]["members"]] == [
        "230" + "*" * 11 + resident_id(seq="131")[-4:],
        "230" + "*" * 11 + resident_id(birth="19600101", seq="242")[-4:]]

    async def investigation_logged():
        log = await county.audit_log(task["id"])
        return log if log else None

    [opened] = await eventually(investigation_logged)
    assert opened["type"] == "assist.verification.investigation_opened"
    assert opened["correlation_id"] == "case-42"  # the chain of work is followed across services

    report = (await county.audit.get("/api/v1/audit/verify", headers=county.auditor())).json()
    assert report["ok"] is True and report["entries"] >= 3


async def test_application_submitted_while_nats_is_down_is_logged_exactly_once(county, nats_server):
    """R-AU-1, R-AU-2: stopping NATS loses nothing and doubles nothing; the log catches up."""
    nats_server.stop()
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker())
    assert r.status_code == 201, r.text
    app = r.json()
    await asyncio.sleep(1.0)
    assert await county.audit_log(app["id"]) == []  # nothing could travel yet
    nats_server.start()

    async def both_logged():
        entries = await county.audit_log(app["id"])
        types = Counter(e["type"] for e in entries)
        done = types["assist.intake.application_accepted"] >= 1
        return entries if done else None

    entries = await eventually(both_logged, timeout=20)
    await asyncio.sleep(1.0)  # any duplicate would arrive in this time
    entries = await county.audit_log(app["id"])
    types = Counter(e["type"] for e in entries)
    assert types["assist.intake.application_submitted"] == 1
    assert types["assist.intake.application_accepted"] == 1
    assert len({e["event_id"] for e in entries}) == len(entries)
    report = (await county.audit.get("/api/v1/audit/verify", headers=county.auditor())).json()
    assert report["ok"] is True


async def test_bad_input_changes_nothing_anywhere(county):
    """R-IN-4: invalid input is a 422 problem naming the field; no row, no event, no log entry."""
    bad_id = application()
    bad_id["household"]["members"][0]["id_number"] = "110105194912310021"
    two_heads = application()
    two_heads["household"]["members"][1]["relationship"] = "head"
    cases = [
        (bad_id, "household.members.0.id_number"),
        (two_heads, "household.members"),
        (application(program="basic_income"), "program"),
    ]
    for body, field in cases:
        r = await county.intake.post("/api/v1/applications", json=body,
                                     headers=county.caseworker())
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert any(e["field"] == field for e in problem["errors"]), problem
        assert problem["request_id"] == r.headers["x-request-id"]
    r = await county.intake.post("/api/v1/applications", content=b'{"program": "dibao",',
                                 headers=county.caseworker() | {"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")

    kit = county.apps["intake"].state.kit
    # the refused requests wrote nothing at all (the fixture's register load aside)
    assert [t for t in await outbox_types(kit) if t != REGISTER_CHANGED] == []
    listed = await county.intake.get("/api/v1/applications", headers=county.caseworker())
    assert listed.status_code == 200 and listed.json() == []

    async def logged():
        r = await county.audit.get("/api/v1/audit/entries", params={"service": "intake"},
                                   headers=county.auditor())
        entries = [e for e in r.json() if e["type"] != REGISTER_CHANGED] \
            if r.status_code == 200 else []
        return entries or None

    await eventually(logged)
    await asyncio.sleep(0.5)
    [read] = await logged()  # R-AU-1: of intake, only the list read: a staff operation
    assert read["type"] == "assist.intake.operation_recorded"
    assert read["data"] | {"method": "GET", "route": "/api/v1/applications", "status": 200} \
        == read["data"]
    assert read["actor"]["user_id"] == "cw-wang"
