"""Whole cases from the township's window to the roll, through the REST APIs of intake,
verification, approval and disbursement over real NATS, with the operation log: an accepted
application investigated, its initial opinion computed (R-AP-1), confirmed by another person
(R-AP-2), put on public notice for 7 days (R-AP-3) and approved when the notice ends without
objection (R-AP-4), the roll paying from the month after (disbursement takes it); a refusal in
writing (R-AP-5); an objection, a democratic appraisal and a second notice; an adjustment
(R-DY-3) and a gradual exit that stops the benefit 12 months on (R-BE-6).

Approval's clock (shared.clock) is moved ahead where days must pass; the other services keep
the system time, as they would on another machine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.approval.app import create_app as create_approval
from services.audit.app import create_app as create_audit
from services.disbursement.app import create_app as create_disbursement
from services.intake.app import create_app as create_intake
from services.verification.app import create_app as create_verification
from shared.programs import written_refusal_deadline
from shared.settings import Settings
from shared.workdays import SHANGHAI
from tests.investigations import ALICE, BOB, application, investigation_of, ready_to_complete, staff
from tests.support import bearer, eventually, load_division_register, running_all

COUNTY = "230722"  # 嘉荫县 (demo)
TOWNSHIP = "230722100"
VILLAGE = "230722100201"
CAROL = ("cw-sun", "孙丽", "caseworker")  # writes the opinions: not on the investigation team
RURAL = {"dibao_standard_fen": 56000, "minimum_wage_fen": 175000,
         "average_dibao_per_capita_fen": 41000,
         "tekun_care_fen": {"able": 8000, "partly_unable": 30000, "unable": 60000}}


@dataclass
class County:
    intake: httpx.AsyncClient
    verification: httpx.AsyncClient
    approval: httpx.AsyncClient
    disbursement: httpx.AsyncClient
    audit: httpx.AsyncClient
    settings: Settings
    apps: dict[str, Any]

    @property
    def approval_kit(self) -> Any:
        return self.apps["approval"].state.kit

    def officer(self) -> dict[str, str]:
        return bearer(self.settings, "county_officer", [COUNTY], user_id="co-li")

    def finance(self) -> dict[str, str]:
        return bearer(self.settings, "finance_officer", [COUNTY], user_id="fin-zhou")

    def writer(self) -> dict[str, str]:
        return staff(self.settings, CAROL)

    def leader(self) -> dict[str, str]:
        return staff(self.settings, BOB)

    def auditor(self) -> dict[str, str]:
        return bearer(self.settings, "auditor", ["230700"], user_id="auditor-li")


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    apps = {name: create(make_settings(name)) for name, create in (
        ("intake", create_intake), ("verification", create_verification),
        ("approval", create_approval), ("disbursement", create_disbursement),
        ("audit", create_audit))}
    async with running_all(apps.values()) as clients:
        c = County(*clients, settings=apps["intake"].state.kit.settings, apps=apps)
        for app in apps.values():
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(c.intake, c.settings)
        r = await c.approval.post("/api/v1/policy/versions", headers=c.officer(), json={
            "county": COUNTY, "area": "rural", "effective_from": "2020-01-01", "demo": True,
            "reason": "低保标准（演示数据）", "parameters": RURAL})
        assert r.status_code == 201, r.text
        yield c


# --- steps ---------------------------------------------------------------------------------


async def investigated_case(county: County, serial: int) -> dict[str, Any]:
    """An application accepted at intake, investigated by a pair and completed (R-VE-1); its
    review case in approval once it awaits the initial opinion."""
    r = await county.intake.post("/api/v1/applications", json=application(serial),
                                 headers=staff(county.settings, ALICE))
    assert r.status_code == 201 and r.json()["status"] == "accepted", r.text
    application_id = r.json()["id"]
    inv = await investigation_of(county.verification, application_id,
                                 staff(county.settings, ALICE))
    await complete_investigation(county, inv["id"])
    return await case_awaiting(county, application_id, "awaiting_initial_opinion")


async def complete_investigation(county: County, investigation_id: str) -> None:
    await ready_to_complete(county.verification, investigation_id, county.settings)
    r = await county.verification.post(f"/api/v1/investigations/{investigation_id}/complete",
                                       json={"findings": "情况属实"},
                                       headers=staff(county.settings, ALICE))
    assert r.status_code == 200, r.text


async def case_awaiting(county: County, application_id: str, status: str) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        r = await county.approval.get("/api/v1/cases", params={"application_id": application_id},
                                      headers=county.officer())
        cases = r.json() if r.status_code == 200 else []
        return cases[0] if cases and cases[0]["status"] == status else None

    return await eventually(found, timeout=20)


def opinion_for(case: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    head = next(m["member_id"] for m in case["members"] if m["relationship"] == "head")
    return {"proposal": "approve", "text": "家庭月人均收入低于当地农村低保标准, 拟同意",
            "members": [{"member_id": head, "employed": True, "disability_grade": 3,
                         "disability_kind": "physical"}]} | overrides


async def write_opinion(county: County, case: dict[str, Any], **overrides: Any
                        ) -> dict[str, Any]:
    r = await county.approval.post(f"/api/v1/cases/{case['id']}/opinion",
                                   json=opinion_for(case, **overrides), headers=county.writer())
    assert r.status_code == 201, r.text
    return r.json()


async def confirm(county: County, case_id: str) -> dict[str, Any]:
    """The leader confirms the opinion's proposal (R-AP-2)."""
    body = {"decision": "confirm", "note": "经审核, 同意初审意见"}
    r = await county.approval.post(f"/api/v1/cases/{case_id}/confirmation", json=body,
                                   headers=county.leader())
    assert r.status_code in (200, 201), r.text
    return r.json()


async def close_notices_after_day_7(county: County) -> None:
    """Eight days on, the scheduler's run closes the notices whose day 7 has ended."""
    county.approval_kit.clock.advance(timedelta(days=8))
    await county.approval_kit.scheduler.run_due()


async def payee_of(county: County, application_id: str, **expected: Any) -> dict[str, Any]:
    """Disbursement's payee of an application once it shows ``expected``."""
    async def found() -> dict[str, Any] | None:
        r = await county.disbursement.get("/api/v1/payees",
                                          params={"application_id": application_id},
                                          headers=county.finance())
        payees = r.json() if r.status_code == 200 else []
        if payees and all(payees[0].get(k) == v for k, v in expected.items()):
            return payees[0]
        return None

    return await eventually(found, timeout=20)


async def application_status(county: County, application_id: str, status: str) -> None:
    async def reached() -> bool:
        r = await county.intake.get(f"/api/v1/applications/{application_id}",
                                    headers=staff(county.settings, ALICE))
        return r.status_code == 200 and r.json()["status"] == status

    assert await eventually(reached, timeout=20)


def month_after(day: datetime) -> str:
    local = day.astimezone(SHANGHAI)
    return f"{local.year + local.month // 12}-{local.month % 12 + 1:02d}"


# --- the cases -----------------------------------------------------------------------------


async def test_from_acceptance_to_the_roll_R_AP_1_R_AP_2_R_AP_3_R_AP_4(county):
    """R-AP-1 … R-AP-4: investigated, computed, confirmed by the leader (not the author), on
    notice 7 days with the village page showing it masked, approved when day 7 has ended: a
    certificate, the roll from the month after the confirmation, disbursement's payee, and the
    application decided at intake."""
    case = await investigated_case(county, 41)
    opinion = await write_opinion(county, case)
    assert opinion["eligible"] is True and opinion["amount_fen"] > 0
    assert {s["rule"] for s in opinion["assessment"]["steps"]} >= {"R-BE-1", "R-BE-3"}

    # R-AP-2: the author cannot confirm her own opinion, even with a leader's role
    r = await county.approval.post(f"/api/v1/cases/{case['id']}/confirmation",
                                   json={"decision": "confirm"},
                                   headers=bearer(county.settings, "township_leader",
                                                  [TOWNSHIP], user_id=CAROL[0]))
    assert r.status_code == 403, r.text
    confirmed_at = county.approval_kit.clock.now()
    await confirm(county, case["id"])
    posted = await case_awaiting(county, case["application_id"], "in_public_notice")

    # R-AP-3, R-SE-3: the village's public page shows the notice masked, without a token
    r = await county.approval.get(f"/public/villages/{VILLAGE}/notices.json")
    assert r.status_code == 200, r.text
    page = r.text
    notices = [n for n in r.json()["notices"] if n["program"] == "dibao"]
    assert notices and all("*" in n["name"] for n in notices)
    assert not any(m["id_number_masked"].replace("*", "") in page
                   and len(m["id_number_masked"].replace("*", "")) == 18
                   for m in posted["members"])
    assert "王大山" not in page  # the name is masked (王**)

    # nothing is approved before day 7 has ended
    county.approval_kit.clock.advance(timedelta(days=6))
    await county.approval_kit.scheduler.run_due()
    await case_awaiting(county, case["application_id"], "in_public_notice")

    await close_notices_after_day_7(county)
    approved = await case_awaiting(county, case["application_id"], "approved")
    r = await county.approval.get("/api/v1/roll", params={"application_id":
                                                           case["application_id"]},
                                  headers=county.officer())
    [beneficiary] = r.json()
    assert beneficiary["monthly_fen"] == opinion["amount_fen"]
    assert beneficiary["effective_month"] == month_after(confirmed_at)  # 次月发放
    assert beneficiary["certificate_number"].startswith(f"{COUNTY}-")
    r = await county.approval.get(f"/api/v1/cases/{approved['id']}/certificate.pdf",
                                  headers=county.officer())
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text

    payee = await payee_of(county, case["application_id"], amount_fen=opinion["amount_fen"])
    assert payee["amount_from"] == beneficiary["effective_month"]
    await application_status(county, case["application_id"], "decided")


async def test_a_refusal_in_writing_within_3_working_days_R_AP_5(county):
    """R-AP-5: the leader refuses; the case is rejected, the written notice (a PDF with the
    reasons, the name masked) is due within 3 working days, its delivery is recorded, and the
    application ends at intake; nothing reaches the roll or disbursement."""
    case = await investigated_case(county, 42)
    await write_opinion(county, case, proposal="refuse", reason_code="income_above_standard",
                        reasons=["家庭月人均收入高于当地农村低保标准"], text="拟不予批准",
                        members=[])
    await confirm(county, case["id"])  # the leader confirms the proposed refusal
    await case_awaiting(county, case["application_id"], "rejected")
    r = await county.approval.get(f"/api/v1/cases/{case['id']}/refusal",
                                  headers=county.officer())
    assert r.status_code == 200, r.text
    refusal = r.json()
    decided_on = date.fromisoformat(refusal["decided_on"])
    due = written_refusal_deadline(decided_on, county.approval_kit.calendar)
    assert refusal["notice_due_on"] == due.last_day.isoformat()
    assert "王大山" not in str(refusal)
    r = await county.approval.get(f"/api/v1/cases/{case['id']}/refusal-notice.pdf",
                                  headers=county.officer())
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = await county.approval.post(f"/api/v1/cases/{case['id']}/refusal-notice/delivery",
                                   json={"method": "in_person", "delivered_to": "王大山",
                                         "delivered_at": county.approval_kit.clock.now()
                                         .isoformat()},
                                   headers=county.writer())
    assert r.status_code in (200, 201), r.text
    assert r.json()["late"] is False
    await application_status(county, case["application_id"], "decided")
    r = await county.approval.get("/api/v1/roll", params={"application_id":
                                                           case["application_id"]},
                                  headers=county.officer())
    assert r.json() == []


async def test_an_objection_an_appraisal_and_a_second_notice_R_AP_4(county):
    """R-AP-4: an objection during the notice stops the approval; a democratic appraisal
    finds it unfounded; the leader confirms again and a second notice runs its 7 days; only
    then is the case approved."""
    case = await investigated_case(county, 43)
    await write_opinion(county, case)
    await confirm(county, case["id"])
    await case_awaiting(county, case["application_id"], "in_public_notice")
    r = await county.approval.get("/api/v1/notices", params={"case_id": case["id"]},
                                  headers=county.officer())
    [first] = r.json()
    r = await county.approval.post(f"/api/v1/notices/{first['id']}/objections",
                                   json={"text": "该户家中有一辆小轿车, 公示中未见说明。",
                                         "contact": "村民李某"},
                                   headers=county.writer())
    assert r.status_code == 201, r.text
    await case_awaiting(county, case["application_id"], "objection_review")
    await close_notices_after_day_7(county)  # the objection holds the approval back
    await case_awaiting(county, case["application_id"], "objection_review")

    today = county.approval_kit.clock.today().isoformat()
    r = await county.approval.post(f"/api/v1/cases/{case['id']}/objection-review", json={
        "kind": "appraisal", "held_on": today,
        "participants": ["村党支部书记 王建", "村委会主任 刘强", "村民代表 张丽"],
        "result": "车辆为亲属借用, 异议不成立", "record": "到会9人, 8人认为异议不成立"},
        headers=county.writer())
    assert r.status_code == 201, r.text
    await case_awaiting(county, case["application_id"], "awaiting_confirmation")
    await confirm(county, case["id"])
    await case_awaiting(county, case["application_id"], "in_public_notice")
    r = await county.approval.get("/api/v1/notices", params={"case_id": case["id"]},
                                  headers=county.officer())
    assert len(r.json()) == 2
    await close_notices_after_day_7(county)
    await case_awaiting(county, case["application_id"], "approved")
    await payee_of(county, case["application_id"])


async def test_an_adjustment_then_a_gradual_exit_R_DY_3_R_BE_6(county):
    """R-DY-3: a decrease proposed by a caseworker and confirmed by the leader holds from the
    month stated, and disbursement pays the new amount from then. R-BE-6: when the income rises
    above the standard but stays near-dibao, the household keeps its benefit for 12 months;
    the scheduler then stops it, once, and disbursement takes the stop."""
    case = await investigated_case(county, 44)
    await write_opinion(county, case)
    await confirm(county, case["id"])
    await case_awaiting(county, case["application_id"], "in_public_notice")
    await close_notices_after_day_7(county)
    await case_awaiting(county, case["application_id"], "approved")
    r = await county.approval.get("/api/v1/roll", params={"application_id":
                                                           case["application_id"]},
                                  headers=county.officer())
    [beneficiary] = r.json()
    head, spouse = (next(m["member_id"] for m in case["members"] if m["relationship"] == rel)
                    for rel in ("head", "spouse"))
    next_month = month_after(county.approval_kit.clock.now())

    def found(head_wages_fen: int) -> dict[str, Any]:
        return {"members": [
            {"member_id": head, "age": 68, "employed": True, "able_to_work": True},
            {"member_id": spouse, "age": 66, "able_to_work": False}],
            "income": [{"member_id": head, "kind": "wages", "description": "镇上打零工",
                        "monthly_fen": head_wages_fen}]}

    # a decrease: wages up to 1,000 yuan a month
    r = await county.approval.post(f"/api/v1/roll/{beneficiary['id']}/adjustments", json={
        "kind": "recompute", "reason": "户主务工收入增加 (村委会报告)",
        "effective_month": next_month, "household": found(100000)}, headers=county.writer())
    assert r.status_code == 201, r.text
    decrease = r.json()
    assert decrease["change"] == "decrease", decrease
    assert 0 < decrease["new_fen"] < beneficiary["monthly_fen"]
    r = await county.approval.post(f"/api/v1/roll/adjustments/{decrease['id']}/confirm",
                                   json={"note": "同意"}, headers=county.writer())
    assert r.status_code == 403, r.text  # R-AP-2: not by whoever proposed it
    r = await county.approval.post(f"/api/v1/roll/adjustments/{decrease['id']}/confirm",
                                   json={"note": "同意"}, headers=county.leader())
    assert r.status_code == 200, r.text
    await payee_of(county, case["application_id"], amount_fen=decrease["new_fen"])

    # income above the standard but near-dibao: gradual exit (R-BE-5, R-BE-6)
    r = await county.approval.post(f"/api/v1/roll/{beneficiary['id']}/adjustments", json={
        "kind": "recompute", "reason": "户主在镇上企业稳定就业",
        "effective_month": next_month, "household": found(160000)}, headers=county.writer())
    assert r.status_code == 201, r.text
    exit_ = r.json()
    assert exit_["change"] == "gradual_exit" and exit_["new_fen"] == decrease["new_fen"], exit_
    r = await county.approval.post(f"/api/v1/roll/adjustments/{exit_['id']}/confirm",
                                   json={"note": "同意渐退"}, headers=county.leader())
    assert r.status_code == 200, r.text
    r = await county.approval.get(f"/api/v1/roll/{beneficiary['id']}", headers=county.officer())
    on_exit = r.json()
    assert on_exit["status"] == "gradual_exit", on_exit
    assert on_exit["exit_from_month"] == next_month
    stop_month = on_exit["stop_month"]
    first, last = divmod(int(next_month[:4]) * 12 + int(next_month[5:]) - 1 + 12, 12)
    assert stop_month == f"{first}-{last + 1:02d}"  # 12 months kept, then stopped

    # the scheduler stops it once, in time for the stop month's ledger
    year, month = int(stop_month[:4]), int(stop_month[5:])
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    county.approval_kit.clock.set(datetime(*before, 1, 2, 0, tzinfo=UTC))
    await county.approval_kit.scheduler.run_due()
    await county.approval_kit.scheduler.run_due()
    # told a month ahead: paid to the end of the gradual exit, stopped from its stop month
    payee = await payee_of(county, case["application_id"], stopped_from=stop_month,
                           status="active")
    r = await county.disbursement.get(f"/api/v1/payees/{payee['id']}", headers=county.finance())
    stops = [c for c in r.json()["changes"] if c["kind"] == "stopped"]
    assert len(stops) == 1 and stops[0]["effective_month"] == stop_month, r.json()
