"""Referrals through the REST API (R-IN-2): recorded in a village, followed up within working
days, overdue until they end in an application (R-IN-1 active discovery) or a recorded reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.referrals import service as referrals
from services.intake.referrals.schemas import ReferralIn
from shared.auth import Role, User
from shared.workdays import today_in_shanghai
from tests.bus import stream_events
from tests.intake_cases import (
    COUNTY,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    County,
    application,
    member,
    running_county,
)
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings):
        yield c


def referral(division: str = VILLAGE, **overrides) -> dict:
    return {"division": division, "name": "孙老汉", "address": "东风村5组",
            "situation": "独居老人, 腿脚不便, 冬季取暖困难", **overrides}


async def refer(county: County, body: dict, headers: dict | None = None) -> dict:
    r = await county.intake.post("/api/v1/referrals", json=body,
                                 headers=headers or county.assistant)
    assert r.status_code == 201, r.text
    return r.json()


async def backdated(county: County, *, days_ago: int, division: str = VILLAGE) -> str:
    """A referral recorded ``days_ago`` calendar days ago, as the service would have then."""
    kit = county.apps["intake"].state.kit
    async with kit.unit_of_work() as session:
        recorded = await referrals.record_referral(
            session, user=User(user_id="va-dongfeng", role="village_assistant",
                               divisions=(division,)),
            county=COUNTY, calendar=kit.calendar, followup_working_days=5,
            request=ReferralIn.model_validate(referral(division)),
            now=datetime.now(UTC) - timedelta(days=days_ago))
        return recorded.id


async def test_r_in_2_a_village_assistant_refers_someone_in_their_village(county):
    """R-IN-2: recorded with its follow-up deadline in working days; ID and phone masked; only
    in the assistant's own village; read by the township and the county."""
    kit = county.apps["intake"].state.kit
    number = county.person("19450303")
    body = referral(id_number=number, phone="13912345678", reported_by="网格员 陈明")
    r = await county.intake.post("/api/v1/referrals", json=body, headers=county.assistant)
    assert r.status_code == 201, r.text
    got = r.json()
    assert r.headers["location"] == f"/api/v1/referrals/{got['id']}"
    due = kit.calendar.add_working_days(today_in_shanghai(), 5)
    assert got | {"id": None, "referred_at": None} == {
        "id": None, "division": VILLAGE, "name": "孙老汉",
        "id_number": number[:3] + "*" * 11 + number[-4:], "phone": "139****5678",
        "address": "东风村5组", "situation": body["situation"], "reported_by": "网格员 陈明",
        "referred_at": None, "referred_on": str(today_in_shanghai()),
        "referred_by": "va-dongfeng", "followup_due_on": str(due.last_day),
        "followup_due_provisional": due.provisional, "overdue": False, "status": "open",
        "contacted_on": None, "contacted_by": None, "contact_note": None, "ended_on": None,
        "ended_by": None, "end_reason_code": None, "end_reason": None, "application_id": None,
        "application_number": None}
    assert number not in r.text and "13912345678" not in r.text
    for division in (OTHER_VILLAGE, TOWNSHIP):
        refused = await county.intake.post("/api/v1/referrals", json=referral(division),
                                           headers=county.assistant)
        assert refused.status_code == 403, division
    for role in (Role.township_leader, Role.county_officer, Role.auditor):
        refused = await county.intake.post("/api/v1/referrals", json=referral(),
                                           headers=county.as_(role, COUNTY))
        assert refused.status_code == 403, role
    by_caseworker = await refer(county, referral(OTHER_VILLAGE), county.caseworker)
    assert by_caseworker["referred_by"] == "cw-wang"
    bad = await county.intake.post("/api/v1/referrals", headers=county.caseworker,
                                   json=referral("230722100299"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "division"

    mine = await county.get(county.intake, "/api/v1/referrals", county.assistant)
    assert [x["id"] for x in mine] == [got["id"]]
    assert len(await county.get(county.intake, "/api/v1/referrals", county.caseworker)) == 2
    assert len(await county.get(county.intake, "/api/v1/referrals")) == 2  # county officer
    other = county.as_(Role.caseworker, "230722101")
    assert (await county.intake.get(f"/api/v1/referrals/{got['id']}",
                                    headers=other)).status_code == 404


async def test_r_in_2_overdue_until_it_ends_with_a_reason(county, nats_server):
    """R-IN-2: past its last working day an open referral is on the overdue list, contact made
    or not; a recorded reason (code and text) ends it and takes it off."""
    late = await backdated(county, days_ago=14)
    fresh = await refer(county, referral())
    overdue = await county.get(county.intake, "/api/v1/referrals", overdue="true")
    assert [x["id"] for x in overdue] == [late]
    assert overdue[0]["overdue"] is True
    assert [x["id"] for x in await county.get(county.intake, "/api/v1/referrals",
                                              overdue="false")] == [fresh["id"]]

    contact = f"/api/v1/referrals/{late}/contact"
    r = await county.intake.post(contact, json={"note": "已上门, 本人愿意申请"},
                                 headers=county.assistant)
    assert r.status_code == 200, r.text
    assert r.json()["contacted_on"] == str(today_in_shanghai()) and r.json()["overdue"] is True
    again = await county.intake.post(contact, json={"note": "再次上门"}, headers=county.assistant)
    assert again.status_code == 409
    future = await county.intake.post(
        f"/api/v1/referrals/{fresh['id']}/contact", headers=county.assistant,
        json={"note": "电话", "contacted_on": str(today_in_shanghai() + timedelta(days=1))})
    assert future.status_code == 422

    closure = f"/api/v1/referrals/{late}/closure"
    for bad in ({"reason": "子女已接回赡养"}, {"reason_code": "supported_by_family"},
                {"reason_code": "Supported", "reason": "子女已接回赡养"}):
        r = await county.intake.post(closure, json=bad, headers=county.assistant)
        assert r.status_code == 422, bad
    r = await county.intake.post(closure, headers=county.assistant,
                                 json={"reason_code": "supported_by_family",
                                       "reason": "子女已接回赡养, 不需申请"})
    assert r.status_code == 200, r.text
    ended = r.json()
    assert (ended["status"], ended["overdue"], ended["end_reason_code"]) == (
        "closed", False, "supported_by_family")
    assert await county.get(county.intake, "/api/v1/referrals", overdue="true") == []
    assert (await county.intake.post(closure, headers=county.assistant, json={
        "reason_code": "x", "reason": "y"})).status_code == 409

    async def ended_event():
        events = await stream_events(nats_server.url, "assist.230722.intake.referral_ended")
        return [e for e in events if e.subject == late]

    [event] = await eventually(ended_event)
    assert event.data["outcome"] == "no_application" and event.data["late"] is True


async def test_r_in_1_active_discovery_links_its_referral(county):
    """R-IN-1 active discovery: the application names its referral, which ends in it (R-IN-2)
    on the day the application was received; without a referral it is refused."""
    person = county.person("19480808")
    ref = await refer(county, referral(id_number=person))
    body = application(member(person, "head", "孙老汉"), channel="active_discovery",
                       program="tekun", materials=[])
    missing = await county.submit(body, county.assistant)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "referral_id"
    stranger = application(member(county.person("19500101"), "head"), channel="active_discovery",
                           program="tekun", materials=[], referral_id=ref["id"])
    wrong = await county.submit(stranger, county.assistant)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "referral_id"

    app = await county.submitted({**body, "referral_id": ref["id"]}, county.assistant)
    assert app["referral_id"] == ref["id"] and app["channel"] == "active_discovery"
    got = await county.get(county.intake, f"/api/v1/referrals/{ref['id']}", county.assistant)
    assert (got["status"], got["application_id"], got["application_number"]) == (
        "applied", app["id"], app["number"])
    assert got["ended_on"] == app["received_on"] and got["contacted_on"] == app["received_on"]
    twice = await county.submit(application(member(county.person("19520101"), "head"),
                                            referral_id=ref["id"]))
    assert twice.status_code == 409
    applied = await county.get(county.intake, "/api/v1/referrals", status="applied")
    assert [x["id"] for x in applied] == [ref["id"]]


async def test_referral_lists_filter_and_page_by_cursor(county):
    """Every list paginates (keyset cursors) and filters: division, dates, status."""
    ids = [await backdated(county, days_ago=d) for d in (9, 6, 3)]
    ids.append((await refer(county, referral(OTHER_VILLAGE), county.caseworker))["id"])
    await refer(county, referral(OTHER_TOWNSHIP_VILLAGE),
                county.as_(Role.caseworker, "230722101"))
    seen, cursor = [], None
    while True:
        params = {"limit": 1, "division": TOWNSHIP} | ({"cursor": cursor} if cursor else {})
        r = await county.intake.get("/api/v1/referrals", params=params, headers=county.officer)
        assert r.status_code == 200, r.text
        seen += [x["id"] for x in r.json()]
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            break
    assert seen == ids  # the nearest deadline first, each once
    week = today_in_shanghai() - timedelta(days=7)
    recent = await county.get(county.intake, "/api/v1/referrals", referred_from=str(week),
                              division=TOWNSHIP)
    assert [x["id"] for x in recent] == ids[1:]
    older = await county.get(county.intake, "/api/v1/referrals", referred_to=str(week))
    assert [x["id"] for x in older] == ids[:1]
    assert [x["id"] for x in await county.get(county.intake, "/api/v1/referrals",
                                              division=OTHER_VILLAGE)] == ids[3:]
    bad = await county.intake.get("/api/v1/referrals", params={"status": "lost"},
                                  headers=county.officer)
    assert bad.status_code == 422


async def test_a_retried_referral_is_recorded_once(county):
    """Idempotency-Key on POST /referrals: the retry gets the first answer, nothing twice."""
    headers = county.assistant | {"Idempotency-Key": "ref-3f1c"}
    first = await county.intake.post("/api/v1/referrals", json=referral(), headers=headers)
    again = await county.intake.post("/api/v1/referrals", json=referral(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert len(await county.get(county.intake, "/api/v1/referrals")) == 1
