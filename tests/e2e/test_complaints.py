"""Complaints, petitions, the hotline and media cases end to end (R-CO-1 … R-CO-5): the
complaints service with intake and the audit log, on real NATS, through the REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

import httpx
import pytest

from services.audit.app import create_app as create_audit
from services.complaints.app import create_app as create_complaints
from services.intake.app import create_app as create_intake
from shared.settings import Settings
from shared.workdays import WorkingCalendar
from tests.e2e.test_application_case import application
from tests.support import bearer, eventually, load_division_register, running_all

COUNTY = "230722"  # 嘉荫县
CITY = "230700"  # 伊春市
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP = "230722101"
PHONE = "13800001234"


def at(day: str, clock: str = "10:00") -> datetime:
    """An instant of the Asia/Shanghai day."""
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


@dataclass
class Desk:
    """The complaints desk of a county: the complaints service, intake and the log."""

    complaints: httpx.AsyncClient
    intake: httpx.AsyncClient
    audit: httpx.AsyncClient
    settings: Settings
    apps: dict

    def as_(self, role: str, divisions: list[str], user_id: str | None = None
            ) -> dict[str, str]:
        return bearer(self.settings, role, divisions, user_id=user_id or f"{role}-1")

    def caseworker(self, township: str = TOWNSHIP) -> dict[str, str]:
        return self.as_("caseworker", [township], "cw-wang")

    def county_officer(self) -> dict[str, str]:
        return self.as_("county_officer", [COUNTY], "county-zhao")

    def city_officer(self, city: str = CITY) -> dict[str, str]:
        return self.as_("city_officer", [city], "city-sun")

    def set_clock(self, moment: datetime) -> None:
        for app in self.apps.values():
            app.state.kit.clock.set(moment)

    async def log_of(self, record_id: str) -> list[dict]:
        auditor = self.as_("auditor", [CITY], "auditor-li")
        r = await self.audit.get(f"/api/v1/audit/records/{record_id}", headers=auditor)
        return r.json() if r.status_code == 200 else []

    async def run_overdue_job(self) -> dict:
        """The daily job that notes missed deadlines (R-CO-3, R-CO-4), run now."""
        r = await self.complaints.post("/api/v1/jobs/note_overdue_complaints/run",
                                       headers=self.county_officer())
        assert r.status_code == 200 and r.json()["outcome"] == "ok", r.text
        return r.json()

    async def register(self, headers: dict[str, str], **body) -> dict:
        r = await self.complaints.post("/api/v1/complaints", headers=headers, json={
            "kind": "complaint", "channel": "visit", "subject": "反映低保评定问题",
            "content": "请求核查。", "concerns": "household", "division": VILLAGE, **body})
        assert r.status_code == 201, r.text
        return r.json()

    async def act(self, headers: dict[str, str], complaint_id: str, what: str,
                  body: dict | None = None, status: int = 200) -> dict:
        r = await self.complaints.post(f"/api/v1/complaints/{complaint_id}/{what}",
                                       headers=headers, json=body or {})
        assert r.status_code == status, r.text
        return r.json()


@pytest.fixture
async def desk(make_settings) -> AsyncIterator[Desk]:
    apps = {"complaints": create_complaints(make_settings("complaints")),
            "intake": create_intake(make_settings("intake")),
            "audit": create_audit(make_settings("audit"))}
    async with running_all(apps.values()) as (complaints, intake, audit):
        for app in apps.values():
            await app.state.kit.bus.wait_ready(15)
        yield Desk(complaints, intake, audit, apps["complaints"].state.kit.settings, apps)


async def test_a_complaint_about_staff_goes_to_the_county_and_its_result_to_the_city_R_CO_2(
        desk):
    """R-CO-2: a complaint about a township's staff member is handled by the county, out of the
    township's sight; its result is filed with the city at its conclusion; R-CO-3 the answer;
    R-SE-2 the phone shown masked and sealed in the events."""
    desk.set_clock(at("2026-12-07"))
    township = desk.caseworker()
    filed = await desk.register(township, concerns="staff", staff_member="朝阳镇民政助理张某",
                                contact_name="李明", contact_phone=PHONE, answer_wanted=True,
                                subject="经办人员索要好处费")
    assert (filed["level"], filed["handled_by"]) == ("county", COUNTY)
    assert filed["tracking_number"] == "TS230722-2026-000001"
    assert filed["contact_phone_masked"] == "138****1234" and PHONE not in str(filed)
    assert filed["contact_name_masked"] != "李明"
    assert [r["level"] for r in filed["routings"]] == ["county"]
    complaint_id = filed["id"]

    # The township no longer sees it, nor acts on it.
    assert (await desk.complaints.get(f"/api/v1/complaints/{complaint_id}",
                                      headers=township)).status_code == 404
    listed = await desk.complaints.get("/api/v1/complaints", headers=township)
    assert complaint_id not in listed.text
    await desk.act(township, complaint_id, "acceptance", status=404)

    county = desk.county_officer()
    assert (await desk.act(county, complaint_id, "acceptance"))["status"] == "accepted"
    await desk.act(county, complaint_id, "acceptance", status=409)
    note = await desk.act(county, complaint_id, "notes", {"note": "约谈张某, 调取转账记录。"},
                          status=201)
    assert note["seq"] == 1
    await desk.act(county, complaint_id, "answer", {"text": "x", "method": "phone"}, status=409)
    done = await desk.act(county, complaint_id, "conclusion", {
        "substantiated": True, "finding": "张某收取好处费属实。", "handling": "移交纪检监察机关。",
        "rectification": {"responsible": "朝阳镇 王镇长", "due_on": "2027-01-31"}})
    assert done["status"] == "concluded" and done["result_filed_at"] is not None
    assert done["rectification_item_id"]
    item = await desk.complaints.get(
        f"/api/v1/rectification/items/{done['rectification_item_id']}", headers=county)
    assert item.status_code == 200 and item.json()["source"] == "complaint"

    filings = await desk.complaints.get("/api/v1/complaints/city-filings",
                                        headers=desk.city_officer())
    assert [c["id"] for c in filings.json()] == [complaint_id]
    elsewhere = await desk.complaints.get("/api/v1/complaints/city-filings",
                                          headers=desk.city_officer("230100"))
    assert elsewhere.json() == []

    contact = await desk.act(county, complaint_id, "contact", {"purpose": "电话反馈办理结果"})
    assert contact == {"name": "李明", "phone": PHONE}  # R-SE-2: read in full, logged
    await desk.act(township, complaint_id, "contact", {"purpose": "x"}, status=404)
    answered = await desk.act(county, complaint_id, "answer",
                              {"text": "已查实并移交纪检监察机关处理。", "method": "phone"})
    assert answered["answered_on"] == "2026-12-07"
    await desk.act(county, complaint_id, "answer", {"text": "x", "method": "phone"},
                   status=409)

    async def logged():
        types = [e["type"].rsplit(".", 1)[1] for e in await desk.log_of(complaint_id)]
        return types if "complaint_answered" in types else None

    assert [t for t in await eventually(logged) if t != "operation_recorded"] == [
        "complaint_registered", "complaint_accepted", "complaint_noted", "complaint_concluded",
        "complaint_result_filed", "contact_read_in_full", "complaint_answered"]
    entries = await desk.log_of(complaint_id)
    assert PHONE not in str(entries)  # sealed in the event, masked in the log's answer
    [read] = [e for e in entries if e["type"].endswith("contact_read_in_full")]
    assert read["data"]["purpose"] == "电话反馈办理结果"
    assert read["actor"]["user_id"] == "county-zhao"


async def test_the_county_reroutes_a_complaint_and_the_routing_is_kept_R_CO_2(desk):
    """R-CO-2: the county takes a township's complaint on (its fairness is in question), with
    its reason; the routing shows both, and the township no longer handles it."""
    township = desk.caseworker()
    filed = await desk.register(township)
    assert filed["level"] == "township"
    await desk.act(township, filed["id"], "acceptance")
    county = desk.county_officer()
    await desk.act(county, filed["id"], "acceptance", status=403)  # the township's to handle
    moved = await desk.act(county, filed["id"], "routing",
                           {"level": "county", "reason": "反映乡镇评议不公, 县级办理"})
    assert (moved["level"], moved["handled_by"], moved["status"]) == (
        "county", COUNTY, "registered")
    assert [(r["seq"], r["level"]) for r in moved["routings"]] == [
        (1, "township"), (2, "county")]
    await desk.act(county, filed["id"], "routing", {"level": "county", "reason": "again"},
                   status=409)
    assert (await desk.complaints.get(f"/api/v1/complaints/{filed['id']}",
                                      headers=township)).status_code == 404


async def test_a_complaint_about_staff_is_never_handed_back_to_the_township_R_CO_2(desk):
    """R-CO-2: the county cannot hand the township a complaint about assistance staff (409,
    nothing changes); when the registration had it wrong, the county says what it concerns,
    and then it may, the correction recorded and told in the event."""
    township, county = desk.caseworker(), desk.county_officer()
    filed = await desk.register(township, concerns="staff", staff_member="村协理员")
    assert filed["level"] == "county"
    refused = await desk.act(county, filed["id"], "routing",
                             {"level": "township", "reason": "交乡镇办理"}, status=409)
    assert refused["rule"] == "R-CO-2" and refused["concerns"] == "staff"
    unchanged = await desk.complaints.get(f"/api/v1/complaints/{filed['id']}", headers=county)
    assert [r["level"] for r in unchanged.json()["routings"]] == ["county"]

    moved = await desk.act(county, filed["id"], "routing", {
        "level": "township", "reason": "核实为低保户家庭情况, 不涉及工作人员",
        "concerns": "household"})
    assert (moved["level"], moved["concerns"]) == ("township", "household")

    async def rerouted():
        return [e for e in await desk.log_of(filed["id"])
                if e["type"].endswith("complaint_rerouted")]

    [event] = await eventually(rerouted)
    assert event["data"]["concerns"] == "household"


async def test_overdue_complaints_are_listed_per_township_R_CO_3(desk):
    """R-CO-3: past the handling period in working days (15 by default), a complaint is listed
    overdue, and past the answer period (20) its answer too; the summary counts them."""
    # The test runs the daily job itself: the background loop would run it first whenever the
    # moved clock makes it due and a poll comes before the test's own run (a loaded machine).
    await desk.apps["complaints"].state.kit.scheduler.stop()
    desk.set_clock(at("2026-12-07"))
    township = desk.caseworker()
    late = await desk.register(township, answer_wanted=True)
    quiet = await desk.register(township)
    # 15 working days from Monday 12-07; 20 reach into 2027 (New Year's Day, if the calendar
    # knows the year's holidays yet)
    assert late["handling_due_on"] == "2026-12-28"
    assert late["answer_due_on"] == WorkingCalendar().add_working_days(
        date(2026, 12, 7), 20).last_day.isoformat()
    assert quiet["answer_due_on"] is None
    overdue = await desk.complaints.get("/api/v1/complaints/overdue", headers=township)
    assert overdue.json() == []

    desk.set_clock(at("2026-12-29"))
    overdue = await desk.complaints.get("/api/v1/complaints/overdue", headers=township)
    assert {c["id"] for c in overdue.json()} == {late["id"], quiet["id"]}
    assert all(c["handling_overdue"] for c in overdue.json())
    await desk.act(township, quiet["id"], "acceptance")
    await desk.act(township, quiet["id"], "conclusion", {
        "substantiated": False, "finding": "不属实", "handling": "维持"})
    desk.set_clock(at("2027-01-06"))
    answers = await desk.complaints.get("/api/v1/complaints/overdue",
                                        params={"which": "answer"}, headers=township)
    assert [c["id"] for c in answers.json()] == [late["id"]]
    ran = await desk.run_overdue_job()
    # the other was concluded late before the job ran: its complaint_concluded says on_time
    # false, and it is no longer overdue
    assert ran["result"].startswith("1 complaints past handling, 1 past their answer")
    assert (await desk.run_overdue_job())["result"].startswith("0 complaints past handling, 0")
    summary = await desk.complaints.get("/api/v1/complaints/overdue/summary",
                                        headers=desk.county_officer())
    assert summary.json() == [{"handled_by": TOWNSHIP, "level": "township", "open": 1,
                               "handling_overdue": 1, "answer_overdue": 1}]
    other = await desk.complaints.get("/api/v1/complaints/overdue/summary",
                                      headers=desk.caseworker(OTHER_TOWNSHIP))
    assert other.json() == []


async def test_the_public_files_a_complaint_and_follows_it_by_tracking_number_R_CO_1(
        desk, make_settings):
    """R-CO-1: anyone files without an account, and follows the complaint by its tracking
    number and check code; a wrong code is answered as an unknown number; the status never
    shows personal data; R-CO-3 the answer shows once sent."""
    desk.set_clock(at("2026-12-07"))
    body = {"kind": "report", "subject": "村干部亲属违规享受低保", "content": "请核查。",
            "concerns": "household", "category": "favouritism", "division": VILLAGE,
            "contact_name": "赵六", "contact_phone": PHONE, "answer_wanted": True}
    r = await desk.complaints.post("/public/complaints", json=body)
    assert r.status_code == 201, r.text
    receipt = r.json()
    number, code = receipt["tracking_number"], receipt["check_code"]
    assert receipt["handled_by_level"] == "township"

    async def follow(tracking: str, check: str) -> httpx.Response:
        return await desk.complaints.post("/public/complaints/status",
                                          json={"tracking_number": tracking, "check_code": check})

    status = await follow(number, code)
    assert status.status_code == 200
    assert status.json() | {"status": "registered", "answer": None} == status.json()
    assert PHONE not in status.text and "赵六" not in status.text and "请核查" not in status.text
    wrong, unknown = await follow(number, "WRONG234"), await follow("TS230722-2026-999999", code)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["type"] == unknown.json()["type"]
    assert wrong.json()["title"] == unknown.json()["title"]
    assert (await follow(number, "bad code!")).status_code == 422

    township = desk.caseworker()
    staff_view = (await desk.complaints.get("/api/v1/complaints", headers=township)).json()
    [mine] = [c for c in staff_view if c["tracking_number"] == number]
    assert mine["filed_by_public"] and mine["channel"] == "online"
    assert mine["contact_phone_masked"] == "138****1234"
    await desk.act(township, mine["id"], "acceptance")
    await desk.act(township, mine["id"], "conclusion", {
        "substantiated": False, "finding": "该户符合条件。", "handling": "维持。"})
    await desk.act(township, mine["id"], "answer",
                   {"text": "经核查, 该户符合低保条件。", "method": "sms"})
    answered = (await follow(number, code)).json()
    assert (answered["status"], answered["answer"], answered["answered_on"]) == (
        "concluded", "经核查, 该户符合低保条件。", "2026-12-07")

    refused = await desk.complaints.post("/public/complaints", json={**body,
                                                                     "division": "230781100"})
    assert refused.status_code == 422  # not a division of this county


async def test_the_public_form_is_limited_per_address_R_CO_1(make_settings):
    """R-CO-1: a few complaints an hour from one address (429), nothing registered beyond."""
    settings = make_settings("complaints", complaint_public_per_hour=2)
    app = create_complaints(settings)
    async with running_all([app]) as (client,):
        body = {"kind": "complaint", "subject": "s", "content": "c", "concerns": "household",
                "division": VILLAGE}
        codes = [(await client.post("/public/complaints", json=body)).status_code
                 for _ in range(3)]
        assert codes == [201, 201, 429]
        officer = bearer(settings, "county_officer", [COUNTY])
        assert len((await client.get("/api/v1/complaints", headers=officer)).json()) == 2


async def test_the_hotline_answer_rate_per_county_and_month_R_CO_5(desk):
    """R-CO-5: every call logged; the answer rate counts the calls in working hours only (a
    Saturday's missed call is logged but not counted); a complaint registered from a call
    links it."""
    desk.set_clock(at("2026-12-10"))
    township = desk.caseworker()

    async def log(moment: datetime, answered: bool, **extra) -> dict:
        r = await desk.complaints.post("/api/v1/hotline-calls", headers=township, json={
            "division": TOWNSHIP, "called_at": moment.isoformat(), "answered": answered,
            **extra})
        assert r.status_code == 201, r.text
        return r.json()

    first = await log(at("2026-12-07", "09:00"), True, caller_phone=PHONE)
    await log(at("2026-12-07", "14:00"), True)
    await log(at("2026-12-08", "10:00"), False)
    saturday = await log(at("2026-12-05", "10:00"), False)
    assert first["in_working_hours"] and not saturday["in_working_hours"]
    assert first["caller_phone_masked"] == "138****1234" and PHONE not in str(first)
    future = await desk.complaints.post("/api/v1/hotline-calls", headers=township, json={
        "division": TOWNSHIP, "called_at": at("2026-12-11").isoformat(), "answered": True})
    assert future.status_code == 422

    rate = await desk.complaints.get("/api/v1/hotline-calls/answer-rate",
                                     params={"month": "2026-12"}, headers=desk.county_officer())
    assert rate.json() == [{"county": COUNTY, "month": "2026-12", "calls": 4,
                            "in_working_hours": 3, "answered_in_working_hours": 2,
                            "missed_in_working_hours": 1, "rate": 0.6667}]
    assert (await desk.complaints.get("/api/v1/hotline-calls/answer-rate",
                                      params={"month": "2026-11"},
                                      headers=desk.county_officer())).json() == []

    back = await desk.complaints.post(f"/api/v1/hotline-calls/{first['id']}/caller",
                                      headers=township, json={"purpose": "回拨"})
    assert back.json() == {"name": None, "phone": PHONE}
    filed = await desk.register(township, channel="hotline", hotline_call_id=first["id"])
    call = await desk.complaints.get(f"/api/v1/hotline-calls/{first['id']}", headers=township)
    assert call.json()["complaint_id"] == filed["id"]
    again = await desk.complaints.post("/api/v1/complaints", headers=township, json={
        "kind": "complaint", "channel": "hotline", "subject": "s", "content": "c",
        "concerns": "household", "division": VILLAGE, "hotline_call_id": first["id"]})
    assert again.status_code == 409


async def test_a_media_case_past_its_3_working_days_is_listed_overdue_R_CO_4(desk):
    """R-CO-4: disclosed on Friday 2026-12-04, the household investigation is due on Wednesday
    12-09; on Thursday it is overdue; its record finds the similar complaint, opens a ledger
    item for the county, and the handling rate reaches 100%."""
    desk.set_clock(at("2026-12-04", "16:00"))
    township = desk.caseworker()
    similar = await desk.register(township, category="eligibility", program="dibao",
                                  subject="有车户享受低保")
    r = await desk.complaints.post("/api/v1/media-cases", headers=township, json={
        "division": VILLAGE, "outlet": "伊春日报", "headline": "东风村低保评定不公",
        "summary": "报道称有不符合条件的家庭享受低保。", "category": "eligibility",
        "program": "dibao", "disclosed_on": "2026-12-04"})
    assert r.status_code == 201, r.text
    media = r.json()
    assert media["investigation_due_on"] == "2026-12-09" and not media["overdue"]
    county = desk.county_officer()
    assert (await desk.complaints.get("/api/v1/media-cases/overdue",
                                      headers=county)).json() == []

    assert (await desk.run_overdue_job())["result"].endswith("0 media cases past their 3 "
                                                            "working days")
    desk.set_clock(at("2026-12-10"))
    overdue = (await desk.complaints.get("/api/v1/media-cases/overdue", headers=county)).json()
    assert [m["id"] for m in overdue] == [media["id"]] and overdue[0]["overdue"]
    assert (await desk.run_overdue_job())["result"].endswith("1 media cases past their 3 "
                                                            "working days")
    assert (await desk.run_overdue_job())["result"].endswith("0 media cases past their 3 "
                                                            "working days")  # noted once

    async def noted():
        types = [e["type"] for e in await desk.log_of(media["id"])]
        return types if "assist.complaints.media_case_overdue" in types else None

    assert await eventually(noted)
    rate = await desk.complaints.get("/api/v1/media-cases/handling-rate",
                                     params={"month": "2026-12"}, headers=county)
    assert rate.json() == [{"county": COUNTY, "month": "2026-12", "disclosed": 1,
                            "investigated": 0, "investigated_on_time": 0, "overdue": 1,
                            "rate": 0.0}]

    found = (await desk.complaints.get(f"/api/v1/media-cases/{media['id']}/similar",
                                       headers=township)).json()
    assert [(s["kind"], s["id"]) for s in found] == [("complaint", similar["id"])]
    assert found[0]["reasons"] == ["same village", "same program", "same kind of problem"]

    done = await desk.complaints.post(f"/api/v1/media-cases/{media['id']}/investigation",
                                      headers=township, json={
        "cause": "评议时未核实车辆", "course": "2025年申请并获批", "nature": "审核把关不严",
        "responsible_person": "张三 (民政助理)", "proposed_handling": "停发, 批评教育",
        "rectify_by": "2027-01-31"})
    assert done.status_code == 200, done.text
    record = done.json()
    assert (record["status"], record["similar_found"], record["overdue"]) == (
        "investigated", 1, False)
    item = await desk.complaints.get(
        f"/api/v1/rectification/items/{record['rectification_item_id']}", headers=county)
    assert item.json()["source"] == "media" and item.json()["responsible"] == "张三 (民政助理)"
    rate = await desk.complaints.get("/api/v1/media-cases/handling-rate",
                                     params={"month": "2026-12"}, headers=county)
    assert rate.json()[0] | {"investigated": 1, "investigated_on_time": 0, "overdue": 0,
                             "rate": 1.0} == rate.json()[0]
    again = await desk.complaints.post(f"/api/v1/media-cases/{media['id']}/investigation",
                                       headers=township, json={
        "cause": "c", "course": "c", "nature": "n", "responsible_person": "p",
        "proposed_handling": "h", "rectify_by": "2027-01-31"})
    assert again.status_code == 409


async def test_a_complaint_about_a_case_shows_in_the_cases_history_R_CO_1(desk):
    """R-CO-1: a complaint names a case intake announced; the case's own history in the log
    (search by record) shows it, and the case's reference lists it. An unknown case: 422."""
    await load_division_register(desk.intake, desk.settings)
    township = desk.caseworker()
    r = await desk.intake.post("/api/v1/applications", json=application(), headers=township)
    assert r.status_code == 201, r.text
    application_id = r.json()["id"]

    async def reference():
        found = await desk.complaints.get("/api/v1/case-references", headers=township,
                                          params={"record_id": application_id})
        return found.json()[0] if found.json() else None

    case = await eventually(reference)
    unknown = await desk.complaints.post("/api/v1/complaints", headers=township, json={
        "kind": "complaint", "channel": "letter", "subject": "s", "content": "c",
        "concerns": "case", "case_reference_id": "0" * 32})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == \
        "case_reference_id"
    filed = await desk.register(township, concerns="case", case_reference_id=case["id"],
                                division=None, channel="letter", subject="申请久拖不办")
    assert (filed["case_service"], filed["case_record_id"], filed["division"]) == (
        "intake", application_id, VILLAGE)

    listed = await desk.complaints.get(f"/api/v1/case-references/{case['id']}/complaints",
                                       headers=township)
    assert [c["id"] for c in listed.json()] == [filed["id"]]
    stranger = await desk.complaints.get(f"/api/v1/case-references/{case['id']}/complaints",
                                         headers=desk.caseworker(OTHER_TOWNSHIP))
    assert stranger.status_code == 404

    async def in_history():
        entries = await desk.log_of(application_id)
        return [e for e in entries
                if e["type"] == "assist.complaints.case_complaint_registered"] or None

    [entry] = await eventually(in_history)
    assert entry["data"]["complaint_id"] == filed["id"]
    assert entry["data"]["tracking_number"] == filed["tracking_number"]
    types = [e["type"] for e in await desk.log_of(application_id)]
    assert "assist.intake.application_submitted" in types
    # the case's reference stays the intake record's: the complaint's note is not a new case
    refs = await desk.complaints.get("/api/v1/case-references", headers=township,
                                     params={"record_id": application_id})
    assert [r["service"] for r in refs.json()] == ["intake"]


async def test_the_public_form_and_follow_up_pages_need_no_script_R_CO_1(desk):
    """R-CO-1: the plain HTML form files a complaint (sent twice, one complaint) and shows the
    tracking number and check code once; the follow-up page shows its status; nothing is
    fetched from outside and no script runs."""
    page = await desk.complaints.get("/public/complaints/form", params={"division": VILLAGE})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "http" not in page.text.replace("http-equiv", "")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert f'<option value="{VILLAGE}" selected>朝阳镇 东风村</option>' in page.text
    assert "230781100" not in page.text  # only this county's townships and villages

    form = {"kind": "complaint", "division": VILLAGE, "concerns": "household",
            "category": "payment", "subject": "低保金迟迟未到账", "content": "三个月未收到。",
            "contact_phone": PHONE, "answer_wanted": "1"}
    sent = await desk.complaints.post("/public/complaints/form", data=form)
    assert sent.status_code == 200, sent.text
    number = sent.text.split('id="tracking-number">')[1].split("<")[0]
    code = sent.text.split('id="check-code">')[1].split("<")[0]
    assert number.startswith("TS230722-") and len(code) == 8
    again = await desk.complaints.post("/public/complaints/form", data=form)
    assert number in again.text and 'id="check-code"' not in again.text
    officer = desk.county_officer()
    listed = (await desk.complaints.get("/api/v1/complaints", headers=officer)).json()
    assert [c["tracking_number"] for c in listed] == [number]

    status = await desk.complaints.post("/public/complaints/follow",
                                        data={"tracking_number": number.lower(),
                                              "check_code": code})
    assert status.status_code == 200 and '<dd id="status">已登记, 待受理</dd>' in status.text
    assert PHONE not in status.text and "三个月未收到" not in status.text
    wrong = await desk.complaints.post("/public/complaints/follow",
                                       data={"tracking_number": number, "check_code": "ABCDEFGH"})
    assert wrong.status_code == 404 and 'id="problem"' in wrong.text
    incomplete = await desk.complaints.post("/public/complaints/form",
                                            data={**form, "subject": ""})
    assert incomplete.status_code == 422 and 'id="problem"' in incomplete.text
    assert (await desk.complaints.get("/public/complaints/follow")).status_code == 200
