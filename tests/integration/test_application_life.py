"""The application's whole life through the REST APIs: withdrawn, refused or decided, and its end
reaching approval (the review case closes) and the operation log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.auth import Role
from shared.contracts.approval import ApplicationDecided
from shared.workdays import today_in_shanghai
from tests.bus import publish
from tests.events import envelope_of
from tests.intake_cases import VILLAGE, County, running_county
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings):
        yield c


async def test_withdrawn_by_the_applicant_closes_the_review_case(county):
    """The applicant withdraws: intake records who asked, when and who recorded it; approval's
    review case closes with the reason and is no longer counted open or overdue."""
    app = await county.household()
    case = await county.case_of(app["id"])
    assert case["status"] == "awaiting_investigation"
    url = f"/api/v1/applications/{app['id']}/withdrawal"
    body = {"requested_by": "张三", "reason": "家庭收入已好转, 申请人主动撤回"}
    for role in (Role.village_assistant, Role.township_leader, Role.county_officer):
        refused = await county.intake.post(url, json=body, headers=county.as_(role))
        assert refused.status_code == 403, role
    other_township = county.as_(Role.caseworker, "230722101")
    assert (await county.intake.post(url, json=body, headers=other_township)).status_code == 404
    future = {"requested_by": "张三", "requested_on": str(today_in_shanghai() + timedelta(1))}
    r = await county.intake.post(url, json=future, headers=county.caseworker)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "requested_on"

    r = await county.intake.post(url, json=body, headers=county.caseworker)
    assert r.status_code == 200, r.text
    withdrawn = r.json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawal"] | {"withdrawn_at": None} == {
        "requested_by": "张三", "requested_on": today_in_shanghai().isoformat(),
        "reason": body["reason"], "recorded_by": "cw-wang", "withdrawn_at": None}
    again = await county.intake.post(url, json=body, headers=county.caseworker)
    assert again.status_code == 409
    materials = await county.intake.post(f"/api/v1/applications/{app['id']}/materials",
                                         json={"materials": ["id_card"]},
                                         headers=county.caseworker)
    assert materials.status_code == 409

    closed = await county.case_of(app["id"], status="closed")
    assert closed["closed_reason"] == "application_withdrawn"
    assert closed["closed_detail"] == body["reason"] and closed["overdue"] is False
    open_cases = await county.get(county.approval, "/api/v1/cases", status="awaiting_investigation")
    assert app["id"] not in [c["application_id"] for c in open_cases]

    async def logged():
        r = await county.audit.get(f"/api/v1/audit/records/{app['id']}",
                                   headers=county.as_(Role.auditor, "230700"))
        types = [e["type"] for e in r.json()] if r.status_code == 200 else []
        return r.json() if "assist.intake.application_withdrawn" in types else None

    entry = next(e for e in await eventually(logged, timeout=15)
                 if e["type"] == "assist.intake.application_withdrawn")
    assert entry["actor"]["user_id"] == "cw-wang"
    assert entry["data"]["requested_by"] == "张三" and entry["data"]["recorded_by"] == "cw-wang"


async def test_refused_application_closes_its_review_case(county):
    """R-IN-3 refusal of an accepted application: approval closes the case with the reason."""
    app = await county.household()
    await county.case_of(app["id"])
    r = await county.intake.post(f"/api/v1/applications/{app['id']}/refusal",
                                 json={"reason_code": "not_resident", "reason": "不在本地居住"},
                                 headers=county.leader)
    assert r.status_code == 200, r.text
    closed = await county.case_of(app["id"], status="closed")
    assert closed["closed_reason"] == "application_refused"
    assert closed["closed_detail"] == "not_resident: 不在本地居住"


async def test_an_application_refused_before_acceptance_has_no_case_to_close(county):
    """A refusal while materials are awaited ends only the application: approval never had it."""
    app = await county.submitted(
        {**(await _body(county)), "materials": ["application_form"]})
    assert app["status"] == "awaiting_materials"
    r = await county.intake.post(f"/api/v1/applications/{app['id']}/refusal",
                                 json={"reason_code": "not_eligible", "reason": "不符合条件"},
                                 headers=county.leader)
    assert r.status_code == 200

    await eventually(lambda: handled(county, "approval", "assist.intake.application_refused"))
    assert await county.get(county.approval, "/api/v1/cases", application_id=app["id"]) == []


async def test_the_township_decision_ends_the_application(county, nats_server):
    """approval.application_decided (its producer is issue 8) ends the application as
    `decided`; a decision for an application not here yet is retried, not lost."""
    app = await county.household()
    decided_at = datetime.now(UTC).replace(microsecond=0)
    decision = ApplicationDecided(
        case_id="case-1", application_id=app["id"], application_number=app["number"],
        program="dibao", division=VILLAGE, outcome="rejected", decided_at=decided_at,
        decided_on=today_in_shanghai(), reason_code="income_above_standard",
        reason="家庭人均收入高于低保标准")
    await publish(nats_server.url, envelope_of(decision, subject="case-1", division=VILLAGE))

    async def decided():
        got = await county.get(county.intake, f"/api/v1/applications/{app['id']}")
        return got if got["status"] == "decided" else None

    got = await eventually(decided, timeout=15)
    assert got["decision"] == {"outcome": "rejected", "decided_at": got["decision"]["decided_at"],
                               "case_id": "case-1", "reason_code": "income_above_standard",
                               "reason": "家庭人均收入高于低保标准"}
    assert datetime.fromisoformat(got["decision"]["decided_at"]) == decided_at
    withdraw = await county.intake.post(f"/api/v1/applications/{app['id']}/withdrawal",
                                        json={"requested_by": "张三"}, headers=county.caseworker)
    assert withdraw.status_code == 409
    decided_list = await county.get(county.intake, "/api/v1/applications", status="decided")
    assert [a["id"] for a in decided_list] == [app["id"]]


async def handled(county: County, service: str, event_type: str) -> bool:
    """The service's consumer has applied an event of ``event_type`` (its inbox holds one)."""
    from sqlalchemy import select

    kit = county.apps[service].state.kit
    async with kit.sessions() as session:
        return bool(await session.scalar(
            select(kit.inbox.c.event_id).where(kit.inbox.c.event_type == event_type).limit(1)))


async def _body(county: County) -> dict:
    from tests.intake_cases import application, member

    return application(member(county.person("19580101"), "head"))
