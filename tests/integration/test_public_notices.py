"""The public notice (R-AP-3) and its outcome (R-AP-4), the village's public page and its JSON
twin (R-DY-1, R-SE-3): a real approval service on SQLite or PostgreSQL, real NATS, the clock
moved day by day."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.approval.app import create_app as create_approval
from services.approval.cases.models import CaseStatus
from services.approval.notices.models import Notice, NoticeStatus
from services.approval.notices.outcome import next_certificate_number
from services.approval.notices.public import PER_ADDRESS_PER_HOUR
from shared.auth import Role
from shared.contracts.verification import InvestigationCompleted
from shared.workdays import SHANGHAI
from tests.events import envelope_of
from tests.notices import (
    COUNTY,
    HEAD_ID,
    OTHER_VILLAGE,
    SPOUSE_ID,
    TOWNSHIP,
    VILLAGE,
    beneficiary_of,
    case_of,
    confirm_and_post,
    notice_of,
    posted_case,
)
from tests.support import bearer, outbox_types, running

POSTED = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)  # day D: Tuesday 8 December 2026
LAST_MINUTE = datetime(2026, 12, 15, 23, 59, 59, tzinfo=SHANGHAI)  # D+7, 23:59:59
END = datetime(2026, 12, 16, 0, 0, tzinfo=SHANGHAI)  # 24:00 of D+7
CERTIFICATE = re.compile(r"^230722-2026-\d{6}$")
FULL_ID = re.compile(r"\d{17}[\dXx]")


def staff(settings, role=Role.caseworker, divisions=(TOWNSHIP,)):
    return bearer(settings, role, divisions, user_id=f"{role}-notices")


async def close_notices(kit) -> None:
    """The scheduled job, run now (as at 00:05, or any 5 minutes)."""
    await kit.scheduler.run_now("close_public_notices")


async def started(make_settings, **overrides):
    app = create_approval(make_settings("approval", scheduler_poll_interval_s=300,
                                        **overrides))
    return app


async def test_notice_is_open_until_24_00_of_day_7_then_approves_the_case_R_AP_3_R_AP_4(
        make_settings):
    """R-AP-3: posted on day D, open until 24:00 Asia/Shanghai of D+7 by the service's clock;
    R-AP-4: at its end without objection the case is approved, the benefit fixed from the
    month after the system confirmation (次月发放), a certificate number issued, the decision
    and the roll entry published; closing again changes nothing."""
    app = await started(make_settings)
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(POSTED)
        case_id, notice_id = await posted_case(kit)
        notice = await notice_of(kit, notice_id)
        assert (notice.posted_on, notice.closes_on) == (date(2026, 12, 8), date(2026, 12, 15))
        assert notice.closes_at == END.astimezone(UTC)
        assert notice.head_name_masked == "王**" and notice.village_name == "东风村"
        assert (await case_of(kit, case_id)).status == CaseStatus.in_public_notice

        kit.clock.set(LAST_MINUTE, frozen=True)  # the last second, however long the steps take
        await close_notices(kit)
        assert (await notice_of(kit, notice_id)).status == NoticeStatus.open
        page = (await client.get(f"/public/villages/{VILLAGE}/notices.json")).json()
        assert [n["id"] for n in page["notices"]] == [notice_id]

        kit.clock.set(END + timedelta(minutes=5))
        await close_notices(kit)
        notice = await notice_of(kit, notice_id)
        assert notice.status == NoticeStatus.passed
        assert CERTIFICATE.match(notice.certificate_number or "")
        assert notice.effective_month == "2027-01"  # confirmed in December: paid from January
        case = await case_of(kit, case_id)
        assert case.status == CaseStatus.approved
        beneficiary = await beneficiary_of(kit, case_id)
        assert beneficiary is not None
        assert (beneficiary.certificate_number, beneficiary.effective_month,
                beneficiary.monthly_fen) == (notice.certificate_number, "2027-01", 45_000)
        types = [t.rsplit(".", 1)[-1] for t in await outbox_types(kit)]
        for event in ("notice_posted", "notice_closed", "application_decided",
                      "beneficiary_approved"):
            assert types.count(event) == 1, (event, types)

        await close_notices(kit)  # idempotent
        assert [t.rsplit(".", 1)[-1] for t in await outbox_types(kit)].count(
            "application_decided") == 1
        page = (await client.get(f"/public/villages/{VILLAGE}/notices.json")).json()
        assert page["notices"] == []
        response = await client.get(f"/api/v1/notices/{notice_id}", headers=staff(
            kit.settings))
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "passed"


async def test_objection_appraisal_second_notice_then_approved_R_AP_4(make_settings):
    """R-AP-4: an objection during the notice sends the case to review; a democratic appraisal
    (民主评议) sends it back for a new confirmation, whose new notice ends without objection
    and approves the case. An objection after the end is refused (409)."""
    app = await started(make_settings)
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(POSTED)
        case_id, first = await posted_case(kit)
        headers = staff(kit.settings)
        kit.clock.set(POSTED + timedelta(days=3))
        response = await client.post(f"/api/v1/notices/{first}/objections", headers=headers,
                                     json={"text": "该户有一辆小轿车。",
                                           "contact": "13945671234"})
        assert response.status_code == 201, response.text
        objection = response.json()
        assert objection["contact_masked"] == "139****1234"
        assert objection["receipt_number"].startswith(f"YY{COUNTY}-20261211-")
        assert (await case_of(kit, case_id)).status == CaseStatus.objection_review
        assert (await notice_of(kit, first)).status == NoticeStatus.objected
        again = await client.post(f"/api/v1/notices/{first}/objections", headers=headers,
                                  json={"text": "再次反映"})
        assert again.status_code == 409

        incomplete = await client.post(f"/api/v1/cases/{case_id}/objection-review",
                                       headers=headers, json={"kind": "appraisal"})
        assert incomplete.status_code == 422
        review = await client.post(f"/api/v1/cases/{case_id}/objection-review", headers=headers,
                                   json={"kind": "appraisal", "held_on": "2026-12-12",
                                         "participants": ["村党支部书记 王建", "村民代表 张丽"],
                                         "result": "异议不成立",
                                         "record": "到会9人, 8人认为异议不成立。"})
        assert review.status_code == 201, review.text
        assert review.json()["case_status"] == "awaiting_confirmation"
        assert (await client.post(f"/api/v1/cases/{case_id}/objection-review", headers=headers,
                                  json={"kind": "reinvestigation", "reason": "再查"})
                ).status_code == 409

        kit.clock.set(POSTED + timedelta(days=5))  # the new confirmation: day D' = 13 Dec
        second = await confirm_and_post(kit, case_id)
        notice = await notice_of(kit, second)
        assert notice.round == 2 and notice.closes_on == date(2026, 12, 20)
        kit.clock.set(END + timedelta(days=1))  # the first notice's end: nothing to close
        await close_notices(kit)
        assert (await case_of(kit, case_id)).status == CaseStatus.in_public_notice
        kit.clock.set(datetime(2026, 12, 21, 0, 5, tzinfo=SHANGHAI))
        await close_notices(kit)
        assert (await case_of(kit, case_id)).status == CaseStatus.approved
        assert (await notice_of(kit, second)).status == NoticeStatus.passed
        late = await client.post(f"/api/v1/notices/{second}/objections", headers=headers,
                                 json={"text": "迟到的异议"})
        assert late.status_code == 409
        listed = await client.get("/api/v1/notices", headers=headers,
                                  params={"case_id": case_id})
        assert [n["round"] for n in listed.json()] == [2, 1]


async def test_objection_for_a_new_investigation_R_AP_4(make_settings):
    """R-AP-4: an objection reviewed by a new investigation (重新调查): the case awaits it,
    ``reinvestigation_requested`` asks verification, and the new investigation's completion
    brings the case to a new initial opinion."""
    app = await started(make_settings)
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(POSTED)
        case_id, notice_id = await posted_case(kit)
        headers = staff(kit.settings)
        assert (await client.post(f"/api/v1/notices/{notice_id}/objections", headers=headers,
                                  json={"text": "该户有经营收入。"})).status_code == 201
        review = await client.post(f"/api/v1/cases/{case_id}/objection-review", headers=headers,
                                   json={"kind": "reinvestigation", "reason": "核实经营收入"})
        assert review.status_code == 201, review.text
        assert review.json()["case_status"] == "awaiting_investigation"
        assert "assist.approval.reinvestigation_requested" in await outbox_types(kit)
        case = await case_of(kit, case_id)
        done = envelope_of(InvestigationCompleted(
            application_id=case.application_id, investigation_id="second-investigation",
            completed_at=datetime(2026, 12, 14, 2, 0, tzinfo=UTC),
        ), subject="second-investigation", division=VILLAGE)
        assert await kit.consumer.handle(done) is True
        case = await case_of(kit, case_id)
        assert case.status == CaseStatus.awaiting_initial_opinion
        assert case.investigation_id == "second-investigation"


async def test_certificate_numbers_are_unique_and_follow_each_other_R_AP_4(make_settings):
    """R-AP-4 救助保障证号: per county and year, unique and without gaps in commit order, even
    when units of work that took a number roll back and others run at the same time."""
    app = await started(make_settings)
    async with running(app):
        kit = app.state.kit
        kit.clock.set(POSTED)
        cases = [await posted_case(kit, head=name) for name in ("王建国", "李德明", "赵春花")]
        kit.clock.set(END + timedelta(minutes=5))
        await close_notices(kit)
        numbers = [(await notice_of(kit, n)).certificate_number for _, n in cases]
        assert sorted(numbers) == [f"230722-2026-{i:06d}" for i in (1, 2, 3)]

        committed: list[str] = []

        async def take(rollback: bool) -> None:
            try:
                async with kit.unit_of_work() as session:
                    number = await next_certificate_number(session, county=COUNTY, year=2026)
                    await asyncio.sleep(0.01)
                    if rollback:
                        raise RuntimeError("rolled back")
                    committed.append(number)
            except RuntimeError:
                pass

        await asyncio.gather(*(take(i % 3 == 1) for i in range(9)))
        assert sorted(committed) == [f"230722-2026-{i:06d}" for i in range(4, 10)]
        async with kit.sessions() as session:
            assert await next_certificate_number(session, county=COUNTY, year=2027) \
                == "230722-2027-000001"


async def test_public_page_and_json_twin_show_masked_data_only_R_SE_3_R_DY_1(make_settings):
    """R-SE-3: the page and its JSON twin show the masked name, village, program, household
    size, amount and the complaint telephone, never a full ID number, a full name or another
    village's households; R-DY-1: every dibao household on the village's roll stays on its
    standing board, and tekun households are not on it."""
    app = await started(make_settings, complaint_phone="0458-6123456")
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(POSTED)
        await posted_case(kit, head="王建国")
        await posted_case(kit, head="刘德华", program="tekun")
        await posted_case(kit, head="孙悟空", division=OTHER_VILLAGE)
        kit.clock.set(END + timedelta(minutes=5))
        await close_notices(kit)
        kit.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI))
        await posted_case(kit, head="陈小明")  # open now

        twin = await client.get(f"/public/villages/{VILLAGE}/notices.json")
        assert twin.status_code == 200 and "authorization" not in twin.request.headers
        page = twin.json()
        assert page["complaint_phone"] == "0458-6123456" and page["village"] == "东风村"
        assert [(n["name"], n["household_size"], n["monthly_fen"], n["program_name"])
                for n in page["notices"]] == [("陈**", 2, 45_000, "最低生活保障")]
        assert [(b["name"], b["program"], b["since"]) for b in page["board"]] == [
            ("王**", "dibao", "2027-01")]  # R-DY-1: the dibao household; tekun is not on it
        page_response = await client.get(f"/public/villages/{VILLAGE}")
        html = page_response.text
        # nothing fetched from outside: no URL, no script, no font or stylesheet file
        for outside in ("http://", "https://", "<script", "<link", "@import", "url(", "src="):
            assert outside not in html, outside
        assert "default-src 'none'" in page_response.headers["content-security-policy"]
        for text in (twin.text, html):
            assert not FULL_ID.search(text), "a full ID number on a public page (R-SE-3)"
            for secret in (HEAD_ID, SPOUSE_ID, "王建国", "陈小明", "李秀英", "孙", "刘德华"):
                assert secret not in text, secret
        assert "陈**" in html and "王**" in html and "0458-6123456" in html
        assert set(json.loads(twin.text)["notices"][0]) == {
            "id", "name", "village", "program", "program_name", "household_size",
            "monthly_fen", "monthly_yuan", "posted_on", "closes_on"}
        for code in ("230722100", "230723100201", "23072210020x", "２３０７２２１００２０１"):
            assert (await client.get(f"/public/villages/{code}")).status_code in (404, 422)


async def test_public_form_files_an_objection_once_with_its_receipt_R_AP_4(make_settings):
    """R-AP-4: anyone objects from the village page without a token: the form's signed token
    is checked, the same form sent twice gives the same receipt, a form of another village or
    an altered token is refused, and one address files only a few an hour (429)."""
    app = await started(make_settings)
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(POSTED)
        posted = [await posted_case(kit, head=f"王{i}明") for i in range(PER_ADDRESS_PER_HOUR + 1)]
        html = (await client.get(f"/public/villages/{VILLAGE}")).text
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        form = {"token": token, "notice_id": posted[0][1], "text": "该户子女在外地工作, 收入较高。",
                "contact": ""}
        url = f"/public/villages/{VILLAGE}/objections"
        first = await client.post(url, data=form)
        assert first.status_code == 200, first.text
        receipt = re.search(r'id="receipt-number">([^<]+)<', first.text).group(1)
        assert (await case_of(kit, posted[0][0])).status == CaseStatus.objection_review
        again = await client.post(url, data=form)
        assert again.status_code == 200 and receipt in again.text

        for bad in (token[:-3] + "AAA", "", "1.2.3.4"):
            refused = await client.post(url, data={**form, "token": bad,
                                                   "notice_id": posted[1][1]})
            assert refused.status_code == 422 and "表单已过期" in refused.text
        other = await client.post(f"/public/villages/{OTHER_VILLAGE}/objections",
                                  data={**form, "notice_id": posted[1][1]})
        assert other.status_code == 422
        page = (await client.get(f"/public/villages/{VILLAGE}")).text
        fresh = re.search(r'name="token" value="([^"]+)"', page).group(1)
        blank = await client.post(url, data={**form, "token": fresh, "notice_id": posted[1][1],
                                             "text": " \u3000"})
        assert blank.status_code == 422 and "异议内容" in blank.text
        assert (await case_of(kit, posted[1][0])).status == CaseStatus.in_public_notice

        statuses = []
        for _, notice_id in posted[1:]:
            page = (await client.get(f"/public/villages/{VILLAGE}")).text
            fresh = re.search(r'name="token" value="([^"]+)"', page).group(1)
            answer = await client.post(url, data={**form, "token": fresh,
                                                  "notice_id": notice_id})
            statuses.append(answer.status_code)
        assert statuses == [200] * (PER_ADDRESS_PER_HOUR - 1) + [429]
        assert (await case_of(kit, posted[-1][0])).status == CaseStatus.in_public_notice
        kit.clock.advance(timedelta(days=1))  # a day later the form of yesterday has expired
        late = await client.post(url, data={**form, "notice_id": posted[-1][1]})
        assert late.status_code == 422


@pytest.mark.parametrize("program", ["dibao"])
async def test_a_case_ended_during_its_notice_is_withdrawn_not_approved_R_AP_3(
        make_settings, program):
    """R-AP-3: a notice whose case ended otherwise meanwhile (the application withdrawn at
    intake) closes as withdrawn: nothing approved, nothing on the roll."""
    app = await started(make_settings)
    async with running(app):
        kit = app.state.kit
        kit.clock.set(POSTED)
        case_id, notice_id = await posted_case(kit, program=program)
        async with kit.unit_of_work() as session:
            case = await session.get(type(await case_of(kit, case_id)), case_id)
            case.status = CaseStatus.closed
        kit.clock.set(END)
        await close_notices(kit)
        assert (await notice_of(kit, notice_id)).status == NoticeStatus.withdrawn
        assert await beneficiary_of(kit, case_id) is None
        async with kit.sessions() as session:
            assert (await session.scalars(select(Notice.status))).all() == ["withdrawn"]


async def test_from_the_leaders_confirmation_to_the_certificate_R_AP_3_R_AP_4(make_settings):
    """The whole path in approval: the opinion and the leader's confirmation (R-AP-1, R-AP-2)
    post the notice with the confirmed amount; it shows on the village page; the notice's PDF
    prints it; at 24:00 of D+7 the case is approved with the members the opinion covered on
    the roll, and its certificate prints."""
    from tests import decisions

    app = await started(make_settings)
    async with running(app) as client:
        kit = app.state.kit
        kit.clock.set(decisions.NOW)  # Tuesday 1 December 2026, 10:00 in Shanghai
        await decisions.publish_parameters(client, kit.settings)
        case = await decisions.open_case(app, client, kit.settings)
        url = f"/api/v1/cases/{case['id']}"
        writer = decisions.person(kit.settings, decisions.CASEWORKER)
        leader = decisions.person(kit.settings, decisions.LEADER)
        opinion = await client.post(f"{url}/opinion", headers=writer,
                                    json=decisions.opinion(case))
        assert opinion.status_code == 201, opinion.text
        confirmed = await client.post(f"{url}/confirmation", headers=leader,
                                      json={"decision": "confirm"})
        assert confirmed.status_code == 201, confirmed.text
        [notice] = (await client.get("/api/v1/notices", headers=leader)).json()
        assert (notice["posted_on"], notice["closes_on"]) == ("2026-12-01", "2026-12-08")
        assert notice["monthly_fen"] == confirmed.json()["amount_fen"] > 0
        page = (await client.get(f"/public/villages/{decisions.VILLAGE}/notices.json")).json()
        assert [n["id"] for n in page["notices"]] == [notice["id"]]
        pdf = await client.get(f"/api/v1/notices/{notice['id']}.pdf", headers=leader)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        early = await client.get(f"{url}/certificate.pdf", headers=leader)
        assert early.status_code == 409

        kit.clock.set(datetime(2026, 12, 9, 0, 5, tzinfo=SHANGHAI))
        await close_notices(kit)
        assert (await client.get(url, headers=leader)).json()["status"] == "approved"
        beneficiary = await beneficiary_of(kit, case["id"])
        covered = opinion.json()["figures"]["covered_member_ids"]
        assert beneficiary is not None and beneficiary.household_size == len(covered)
        assert beneficiary.effective_month == "2027-01"
        assert beneficiary.monthly_fen == notice["monthly_fen"]
        certificate = await client.get(f"{url}/certificate.pdf", headers=leader)
        assert certificate.status_code == 200, certificate.text
        assert certificate.content.startswith(b"%PDF")
        outsider = bearer(kit.settings, Role.caseworker, ["230722101"])
        assert (await client.get(f"{url}/certificate.pdf", headers=outsider)).status_code == 404
