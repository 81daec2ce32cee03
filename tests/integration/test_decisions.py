"""The decision in approval: the initial opinion computed by the rules (R-AP-1, R-BE), four
eyes (R-AP-2), confirmation meetings case by case (R-AP-6), the written refusal (R-AP-5), the
deadline's extension and the overdue summary (R-AP-7), emergency aid granted first (R-IN-5,
R-BE-8). Real database, real NATS, the service's clock set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest
from sqlalchemy import func, select

from services.approval.app import create_app as create_approval
from services.approval.decisions.models import (
    Confirmation,
    ConfirmationMeeting,
    EmergencyAid,
    InitialOpinion,
    ReviewExtension,
)
from services.approval.roll.models import TemporaryAidGrant
from shared.auth import Role
from shared.contracts.intake import EmergencyAidGranted
from shared.programs import review_deadline, written_refusal_deadline
from tests.decisions import (
    CASEWORKER,
    COUNTY,
    HEAD_ID,
    LEADER,
    NOW,
    OTHER_CASEWORKER,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    REFUSAL,
    TOWNSHIP,
    VILLAGE,
    accepted_event,
    completed_event,
    officer,
    open_case,
    opinion,
    person,
    publish_parameters,
)
from tests.events import envelope_of
from tests.support import eventually, outbox_types, ready, running


@pytest.fixture
async def approval(make_settings):
    """The approval service, its clock on Tuesday 1 December 2026, the county's rural
    parameters in force since January (standard 560 yuan)."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(NOW)
        await publish_parameters(client, settings)
        yield app, client, settings


async def count(app, model) -> int:
    async with app.state.kit.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def get_case(client, settings, case_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/cases/{case_id}", headers=officer(settings))
    assert r.status_code == 200, r.text
    return r.json()


def problem_type(response) -> str:
    return response.json()["type"].removeprefix("urn:assist:problem:")


async def test_case_keeps_members_masked_and_the_investigation_figures_R_AP_1(approval):
    """What the opinion computes on stays with the case: the members as intake counted them,
    their ID numbers masked (never in full), and the completed investigation's figures."""
    app, client, settings = approval
    case = await open_case(app, client, settings)
    assert case["status"] == "awaiting_initial_opinion"
    head = case["members"][0]
    assert head["id_number_masked"] == HEAD_ID[:3] + "*" * 11 + HEAD_ID[-4:]
    assert HEAD_ID not in str(case)
    assert head["birth_date"] == "1958-03-12" and head["counted"] is True
    figures = case["investigation"]
    assert [line["monthly_fen"] for line in figures["income"]] == [80000, 30000, 9000]
    assert figures["monthly_income_fen"] == 110000
    assert figures["rigid_expenditure"][0]["kind"] == "disability_rehabilitation"


async def test_initial_opinion_computes_the_benefit_with_its_explanation_R_AP_1_R_BE_1(approval):
    """R-AP-1, R-BE-1: the benefit is computed by the rules with the parameters in force in the
    month it is for (January 2027, when a new standard takes effect), and kept with every step
    and the policy version; a new version before the confirmation keeps the old one."""
    app, client, settings = approval
    raised = await publish_parameters(client, settings, effective_from="2027-01-01",
                                      standard_fen=60000)
    case = await open_case(app, client, settings)
    writer = person(settings, CASEWORKER)
    r = await client.post(f"/api/v1/cases/{case['id']}/opinion", headers=writer,
                          json=opinion(case))
    assert r.status_code == 201, r.text
    first = r.json()
    # income (600 + 300) × 12 − employment cost 2 × 1,750 − rehabilitation 200 × 12 = 4,900 a
    # year: 408.33 a month; 2 × 600 − 408.33 = 791.67, + 2 elderly add-ons of 15 % × 600 = 180
    # → 971.67, rounded up to 972 yuan
    assert first["amount_fen"] == 97200 and first["eligible"] is True
    assert first["benefit_month"] == "2027-01"
    assert (first["policy_version_id"], first["policy_version"]) == (raised["id"], 2)
    steps = first["assessment"]["steps"]
    assert {s["rule"] for s in steps} >= {"R-BE-1", "R-BE-2", "R-BE-3", "R-BE-9", "R-BE-12"}
    employment = [s for s in steps if s["parameter"] == "minimum_wage_fen"]
    assert [str(s["value"]) for s in employment] == ["350000"]  # 2 months a year (R-BE-2)
    assert sum(Decimal(str(s["value"])) for s in steps if s["part"]) == 97200
    adjusted = first["figures"]["income"][0]
    assert adjusted["monthly_fen"] == 60000 and adjusted["source"] == "adjusted"
    assert adjusted["investigated"]["monthly_fen"] == 80000
    assert adjusted["reason"] == "用工单位回函: 月均600元"
    assert (await get_case(client, settings, case["id"]))["status"] == "awaiting_confirmation"

    # a new version before the confirmation: the old one is kept, superseded
    r = await client.post(f"/api/v1/cases/{case['id']}/opinion", headers=writer,
                          json=opinion(case, adjustments=[]))
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and r.json()["amount_fen"] < first["amount_fen"]
    versions = (await client.get(f"/api/v1/cases/{case['id']}/opinions",
                                 headers=writer)).json()
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert "assist.approval.initial_opinion_written" in await outbox_types(app.state.kit)


async def test_the_opinion_author_can_never_confirm_it_R_AP_2(approval):
    """R-AP-2 four eyes: the author is refused even with a leader's role (403 four-eyes); the
    leader confirms, the public notice follows (R-AP-3) and the opinion is then closed."""
    app, client, settings = approval
    case = await open_case(app, client, settings)
    url = f"/api/v1/cases/{case['id']}"
    r = await client.post(f"{url}/opinion", headers=person(settings, CASEWORKER),
                          json=opinion(case))
    assert r.status_code == 201, r.text
    as_leader = person(settings, CASEWORKER, role=Role.township_leader)
    refused = await client.post(f"{url}/confirmation", headers=as_leader,
                                json={"decision": "confirm"})
    assert refused.status_code == 403 and problem_type(refused) == "four-eyes"
    wrong_role = await client.post(f"{url}/confirmation", headers=person(settings,
                                   OTHER_CASEWORKER), json={"decision": "confirm"})
    assert wrong_role.status_code == 403
    outside = await client.post(f"{url}/confirmation", json={"decision": "confirm"},
                                headers=person(settings, LEADER, divisions=[OTHER_TOWNSHIP]))
    assert outside.status_code == 404 and problem_type(outside) == "not-found"  # R-SE-1
    assert await count(app, Confirmation) == 0

    r = await client.post(f"{url}/confirmation", headers=person(settings, LEADER),
                          json={"decision": "confirm", "note": "同意初审意见"})
    assert r.status_code == 201, r.text
    confirmed = r.json()
    assert (confirmed["outcome"], confirmed["by"], confirmed["confirmed_by"]) == (
        "approved", "leader", "tl-zhao")
    assert confirmed["case_status"] == "in_public_notice"
    assert (await get_case(client, settings, case["id"]))["status"] == "in_public_notice"
    types = await outbox_types(app.state.kit)
    assert "assist.approval.case_confirmed" in types
    assert "assist.approval.notice_posted" in types

    late = await client.post(f"{url}/opinion", headers=person(settings, OTHER_CASEWORKER),
                             json=opinion(case))
    assert late.status_code == 409  # rewritten only before the confirmation (R-AP-1)
    again = await client.post(f"{url}/confirmation", headers=person(settings, LEADER),
                              json={"decision": "confirm"})
    assert again.status_code == 409


async def test_meeting_decides_case_by_case_with_its_record_R_AP_6(approval):
    """R-AP-6 一事一议: a case whose facts can't be checked goes to a confirmation meeting, not
    to the leader alone; the meeting (3 attendees at least, its chair not the opinion's author)
    grants aid with the hardship stated, and its record is kept. Refused attempts change
    nothing."""
    app, client, settings = approval
    case = await open_case(app, client, settings, investigated=False)
    url = f"/api/v1/cases/{case['id']}"
    body = opinion(case, adjustments=[
        {"figure": "income", "kind": "transfer", "amount_fen": 20000, "description": "申报赡养费",
         "reason": "本人申报, 外出务工子女联系不上, 无法核实"}],
        case_by_case={"grounds": "facts_uncheckable",
                      "not_applicants_fault": "子女在外地务工失联, 非申请人原因无法核实",
                      "hardship": "户主突发重病, 家中无劳动力"})
    r = await client.post(f"{url}/opinion", headers=person(settings, CASEWORKER), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["case_by_case"]["grounds"] == "facts_uncheckable"
    leader = person(settings, LEADER)
    alone = await client.post(f"{url}/confirmation", headers=leader, json={"decision": "confirm"})
    assert alone.status_code == 422 and alone.json()["rule"] == "R-AP-6"
    r = await client.post(f"{url}/meeting-referral", headers=leader,
                          json={"reason": "事实无法核实, 提交会议一事一议"})
    assert r.status_code == 201, r.text
    assert (await get_case(client, settings, case["id"]))["status"] == "at_confirmation_meeting"

    people = [{"name": "赵刚", "user_id": "tl-zhao", "title": "副镇长"},
              {"name": "王芳", "user_id": "cw-wang", "title": "民政助理"},  # the author attends
              {"name": "刘建国", "title": "村党支部书记"}]
    meeting = {"division": TOWNSHIP, "held_on": "2026-12-01", "chair": people[0],
               "attendees": people, "record": "会议听取初审意见, 经集体研究一致同意。",
               "decisions": [{"case_id": case["id"], "decision": "confirm",
                              "case_by_case": True, "hardship": "户主重病住院, 生活极度困难"}]}
    bad = [
        (meeting | {"chair": people[1]}, 403),  # the author may not chair (R-AP-2)
        (meeting | {"attendees": people[:2]}, 422),  # 3 attendees at least
        (meeting | {"decisions": [meeting["decisions"][0] | {"case_by_case": False,
                                                              "hardship": None}]}, 422),
        (meeting | {"held_on": "2026-12-05"}, 422),  # not held yet
    ]
    for attempt, status in bad:
        r = await client.post("/api/v1/meetings", headers=leader, json=attempt)
        assert r.status_code == status, r.text
    assert await count(app, ConfirmationMeeting) == 0 and await count(app, Confirmation) == 0
    assert (await get_case(client, settings, case["id"]))["status"] == "at_confirmation_meeting"

    r = await client.post("/api/v1/meetings", headers=leader, json=meeting)
    assert r.status_code == 201, r.text
    held = r.json()
    [decided] = held["decisions"]
    assert (decided["by"], decided["outcome"], decided["case_by_case"]) == (
        "meeting", "approved", True)
    assert decided["hardship"] == "户主重病住院, 生活极度困难"
    assert decided["confirmed_by"] == "tl-zhao" and held["record"].startswith("会议")
    assert (await get_case(client, settings, case["id"]))["status"] == "in_public_notice"
    listed = (await client.get("/api/v1/meetings", headers=officer(settings))).json()
    assert [m["id"] for m in listed] == [held["id"]]
    assert (await client.get(f"/api/v1/meetings/{held['id']}",
                             headers=officer(settings))).json() == held
    other = officer(settings, Role.county_officer, ["230723"])
    assert (await client.get(f"/api/v1/meetings/{held['id']}", headers=other)).status_code == 404


async def test_refusal_notice_due_in_three_working_days_served_and_tracked_R_AP_5(approval):
    """R-AP-5: a refusal is notified in writing with its reasons within 3 working days: the due
    day is on the case's refusal, the notice is served as a PDF (masked), an undelivered one is
    overdue after its last day, and its delivery is recorded once."""
    app, client, settings = approval
    case = await open_case(app, client, settings)
    url = f"/api/v1/cases/{case['id']}"
    missing = await client.post(f"{url}/opinion", headers=person(settings, CASEWORKER),
                                json=REFUSAL | {"reasons": None})
    assert missing.status_code == 422  # no refusal without reasons
    assert await count(app, InitialOpinion) == 0
    r = await client.post(f"{url}/opinion", headers=person(settings, CASEWORKER), json=REFUSAL)
    assert r.status_code == 201, r.text
    r = await client.post(f"{url}/confirmation", headers=person(settings, LEADER),
                          json={"decision": "confirm"})
    assert r.status_code == 201, r.text
    assert (r.json()["outcome"], r.json()["case_status"]) == ("rejected", "rejected")

    refusal = (await client.get(f"{url}/refusal", headers=officer(settings))).json()
    due = written_refusal_deadline(date(2026, 12, 1), app.state.kit.calendar)
    assert refusal["notice_due_on"] == due.last_day.isoformat() == "2026-12-04"
    assert refusal["reasons"] == REFUSAL["reasons"] and refusal["overdue"] is False
    types = await outbox_types(app.state.kit)
    assert "assist.approval.application_decided" in types

    pdf = await client.get(f"{url}/refusal-notice.pdf", headers=officer(settings))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "家庭月人均收入高于当地低保标准" in text and "王**" in text
    assert "王大山" not in text and HEAD_ID not in text

    app.state.kit.clock.advance(timedelta(days=4))  # Saturday: past Friday the 4th
    overdue = (await client.get("/api/v1/refusals", params={"overdue": "true"},
                                headers=officer(settings))).json()
    assert [o["case_id"] for o in overdue] == [case["id"]]
    delivery = {"delivered_at": "2026-12-05T09:00:00+08:00", "method": "in_person",
                "delivered_to": "王大山"}
    future = await client.post(f"{url}/refusal-notice/delivery", headers=person(
        settings, CASEWORKER), json=delivery | {"delivered_at": "2026-12-09T09:00:00+08:00"})
    assert future.status_code == 422
    r = await client.post(f"{url}/refusal-notice/delivery", headers=person(settings, CASEWORKER),
                          json=delivery)
    assert r.status_code == 201, r.text
    assert r.json()["late"] is True and r.json()["overdue"] is False
    again = await client.post(f"{url}/refusal-notice/delivery",
                              headers=person(settings, CASEWORKER), json=delivery)
    assert again.status_code == 409
    assert (await client.get("/api/v1/refusals", params={"overdue": "true"},
                             headers=officer(settings))).json() == []


async def test_extension_needs_a_reason_and_a_leader_once_R_AP_7(approval):
    """R-AP-7: only the township leader extends, with a reason, once, and only dibao and tekun:
    the due date is counted again from the acceptance (30 working days instead of 20)."""
    app, client, settings = approval
    case = await open_case(app, client, settings)
    url = f"/api/v1/cases/{case['id']}/extension"
    body = {"reason": "外地务工收入需信函核实, 回函未到"}
    assert (await client.post(url, headers=person(settings, CASEWORKER),
                              json=body)).status_code == 403
    assert (await client.post(url, headers=person(settings, LEADER), json={})).status_code == 422
    assert (await client.post(url, headers=person(settings, LEADER),
                              json={"reason": "  "})).status_code == 422
    assert await count(app, ReviewExtension) == 0
    r = await client.post(url, headers=person(settings, LEADER), json=body)
    assert r.status_code == 201, r.text
    due = review_deadline("dibao", date(2026, 11, 25), app.state.kit.calendar, extended=True)
    assert r.json()["review_due_on"] == due.last_day.isoformat()
    assert r.json()["previous_due_on"] == case["review_due_on"]
    extended = await get_case(client, settings, case["id"])
    assert extended["review_due_on"] == due.last_day.isoformat()
    assert extended["review_extended"] is True
    again = await client.post(url, headers=person(settings, LEADER), json=body)
    assert again.status_code == 409 and problem_type(again) == "already-extended"

    temporary = await open_case(app, client, settings, program="temp_expenditure")
    r = await client.post(f"/api/v1/cases/{temporary['id']}/extension",
                          headers=person(settings, LEADER), json=body)
    assert r.status_code == 422 and r.json()["rule"] == "R-AP-7"


async def test_overdue_summary_per_township_and_county_R_AP_7(approval):
    """R-AP-7: open cases and the overdue ones counted per township and county, inside the
    caller's divisions; a caseworker is not shown the summary."""
    app, client, settings = approval
    late = date(2026, 11, 30)  # ended before today, the 1st of December
    await open_case(app, client, settings, review_due_on=late)
    await open_case(app, client, settings, review_due_on=date(2026, 12, 1))  # its last day
    await open_case(app, client, settings, division=OTHER_VILLAGE, review_due_on=late)
    await open_case(app, client, settings, division=OTHER_VILLAGE, review_due_on=late)
    summary = (await client.get("/api/v1/cases/overdue-summary",
                                headers=officer(settings))).json()
    assert summary["on"] == "2026-12-01"
    assert [(t["division"], t["open"], t["overdue"]) for t in summary["townships"]] == [
        (TOWNSHIP, 2, 1), (OTHER_TOWNSHIP, 2, 2)]
    assert [(c["division"], c["open"], c["overdue"]) for c in summary["counties"]] == [
        (COUNTY, 4, 3)]
    assert summary["townships"][0]["name"] == "朝阳镇"
    mine = (await client.get("/api/v1/cases/overdue-summary",
                             headers=person(settings, LEADER))).json()
    assert [(t["division"], t["overdue"]) for t in mine["townships"]] == [(TOWNSHIP, 1)]
    city = officer(settings, Role.city_officer, ["230700"])
    assert (await client.get("/api/v1/cases/overdue-summary", headers=city)).status_code == 200
    refused = await client.get("/api/v1/cases/overdue-summary",
                               headers=person(settings, CASEWORKER))
    assert refused.status_code == 403
    app.state.kit.clock.advance(timedelta(days=1))  # the 1st has ended
    later = (await client.get("/api/v1/cases", params={"overdue": "true"},
                              headers=officer(settings))).json()
    assert len(later) == 4  # the case list's filter reads the same clock


async def test_bad_opinions_change_nothing_R_AP_1(approval):
    """R-AP-1: an opinion naming a member or a line the case does not have, proposing an
    approval the rules refuse, or written by another role, is refused and writes nothing."""
    app, client, settings = approval
    case = await open_case(app, client, settings)
    url = f"/api/v1/cases/{case['id']}/opinion"
    writer = person(settings, CASEWORKER)
    attempts = [
        (opinion(case, members=[{"member_id": "nobody"}]), 422),
        (opinion(case, adjustments=[{"figure": "income", "line": 7, "amount_fen": 1,
                                     "reason": "x"}]), 422),
        (opinion(case, adjustments=[{"figure": "income", "line": 0, "amount_fen": 60000}]), 422),
        (opinion(case, adjustments=[{"figure": "asset", "kind": "deposit", "amount_fen": 9_000_000,
                                     "reason": "核对发现定期存款"}]), 422),  # over the limit
        (opinion(case, temporary_aid_fen=10000), 422),
    ]
    for body, status in attempts:
        r = await client.post(url, headers=writer, json=body)
        assert r.status_code == status, r.text
    over = await client.post(url, headers=writer, json=attempts[3][0])
    assert over.json()["rule"] == "R-AP-1"
    assert (await client.post(url, headers=person(settings, LEADER),
                              json=opinion(case))).status_code == 403
    assert await count(app, InitialOpinion) == 0
    assert (await get_case(client, settings, case["id"]))["status"] == "awaiting_initial_opinion"
    waiting = await open_case(app, client, settings, investigated=False)
    r = await client.post(f"/api/v1/cases/{waiting['id']}/opinion", headers=writer,
                          json=opinion(waiting))
    assert r.status_code == 409  # no opinion before the investigation, unless case by case


async def test_emergency_aid_granted_first_is_capped_and_completed_R_IN_5_R_BE_8(approval):
    """R-IN-5, R-BE-8: aid granted at intake before the case opens is kept and checked against
    the cap (3 × 560 yuan); the case's confirmation grants at once, without a notice, only what
    is left of the amount decided."""
    app, client, settings = approval
    kit = app.state.kit
    case = await open_case(app, client, settings, program="temp_emergency", investigated=False)
    granted = EmergencyAidGranted(
        application_id=case["application_id"], application_number=case["application_number"],
        program="temp_emergency", division=VILLAGE, area="rural", household_size=2,
        grant_id="g" + case["id"][1:], amount_fen=100000, circumstances="房屋失火",
        granted_at=datetime(2026, 11, 26, 3, 0, tzinfo=UTC), granted_on=date(2026, 11, 26),
        head_name_masked="王**", unit="household", outstanding_materials=["id_card"])
    assert await kit.consumer.handle(envelope_of(granted, subject=case["application_id"],
                                                 division=VILLAGE)) is True
    async with kit.sessions() as session:
        aid = await session.get(EmergencyAid, granted.grant_id)
        assert (aid.cap_fen, aid.within_cap) == (168000, True)
    url = f"/api/v1/cases/{case['id']}"
    body = opinion(case, adjustments=[], temporary_aid_fen=200000, case_by_case={
        "grounds": "materials_incomplete", "not_applicants_fault": "户口簿在火灾中烧毁",
        "hardship": "房屋失火"})
    r = await client.post(f"{url}/opinion", headers=person(settings, CASEWORKER), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["amount_fen"] == 168000  # capped at 3 × the standard (R-BE-8)
    await client.post(f"{url}/meeting-referral", headers=person(settings, LEADER),
                      json={"reason": "先行救助后补办"})
    people = [{"name": "赵刚", "user_id": "tl-zhao"}, {"name": "王芳", "user_id": "cw-wang"},
              {"name": "刘建国"}]
    r = await client.post("/api/v1/meetings", headers=person(settings, LEADER), json={
        "division": TOWNSHIP, "held_on": "2026-12-01", "chair": people[0], "attendees": people,
        "record": "补办审批", "decisions": [{"case_id": case["id"], "decision": "confirm",
                                         "case_by_case": True, "hardship": "房屋失火无处居住"}]})
    assert r.status_code == 201, r.text
    assert (await get_case(client, settings, case["id"]))["status"] == "approved"
    types = await outbox_types(kit)
    assert "assist.approval.emergency_aid_recorded" in types
    assert "assist.approval.temporary_aid_granted" in types
    assert "assist.approval.notice_posted" not in types
    async with kit.sessions() as session:
        grant = await session.scalar(select(TemporaryAidGrant))
        assert grant.amount_fen == 68000  # 1,680 decided, 1,000 granted first


async def test_after_an_objection_a_new_investigation_opinion_and_confirmation_R_AP_4(approval):
    """R-AP-4: an objection sent to a new investigation brings the case back: the new
    investigation's completion is taken (the old one's, redelivered, is not), a new opinion
    version is written and confirmed again, and a second notice is posted; after a democratic
    appraisal the case is confirmed again directly."""
    app, client, settings = approval
    consumer = app.state.kit.consumer
    env = accepted_event()
    assert await consumer.handle(env) is True
    first = completed_event(env)
    assert await consumer.handle(first) is True
    [case] = (await client.get("/api/v1/cases", headers=officer(settings),
                               params={"application_id": env.data["application_id"]})).json()
    url = f"/api/v1/cases/{case['id']}"
    writer, leader = person(settings, CASEWORKER), person(settings, LEADER)
    assert (await client.post(f"{url}/opinion", headers=writer,
                              json=opinion(case))).status_code == 201
    assert (await client.post(f"{url}/confirmation", headers=leader,
                              json={"decision": "confirm"})).status_code == 201
    [notice] = (await client.get("/api/v1/notices", headers=leader)).json()
    r = await client.post(f"/api/v1/notices/{notice['id']}/objections", headers=leader,
                          json={"text": "该户有经营收入, 公示中未见说明"})
    assert r.status_code == 201, r.text
    r = await client.post(f"{url}/objection-review", headers=leader, json={
        "kind": "reinvestigation", "reason": "异议人反映有经营收入, 重新入户调查"})
    assert r.status_code == 201, r.text

    redelivered = first.model_copy(update={"id": first.id + "-again"})
    assert await consumer.handle(redelivered) is True  # handled, but changes nothing
    assert (await get_case(client, settings, case["id"]))["status"] == "awaiting_investigation"
    again = completed_event(env)
    assert await consumer.handle(again) is True
    reopened = await get_case(client, settings, case["id"])
    assert reopened["status"] == "awaiting_initial_opinion"
    assert reopened["investigation_id"] == again.data["investigation_id"]
    r = await client.post(f"{url}/opinion", headers=writer, json=opinion(case))
    assert r.status_code == 201 and r.json()["version"] == 2
    assert r.json()["investigation_id"] == again.data["investigation_id"]
    r = await client.post(f"{url}/confirmation", headers=leader, json={"decision": "confirm"})
    assert r.status_code == 201 and r.json()["opinion_version"] == 2
    notices = (await client.get("/api/v1/notices", headers=leader)).json()
    assert sorted(n["round"] for n in notices) == [1, 2]

    # a democratic appraisal sends the case straight back for a new confirmation
    [second] = [n for n in notices if n["round"] == 2]
    assert (await client.post(f"/api/v1/notices/{second['id']}/objections", headers=leader,
                              json={"text": "仍有异议"})).status_code == 201
    r = await client.post(f"{url}/objection-review", headers=leader, json={
        "kind": "appraisal", "held_on": "2026-12-01", "participants": ["村委会主任 刘强"],
        "result": "异议不成立", "record": "到会9人, 8人认为异议不成立"})
    assert r.status_code == 201, r.text
    author = person(settings, CASEWORKER, role=Role.township_leader)
    refused = await client.post(f"{url}/confirmation", headers=author,
                                json={"decision": "confirm"})
    assert refused.status_code == 403 and problem_type(refused) == "four-eyes"
    r = await client.post(f"{url}/confirmation", headers=leader, json={"decision": "confirm"})
    assert r.status_code == 201 and r.json()["case_status"] == "in_public_notice"
    confirmations = (await client.get(f"{url}/confirmations", headers=leader)).json()
    assert [c["opinion_version"] for c in confirmations] == [1, 2, 2]
