"""Intake through its REST API, on a real database and NATS: R-IN-1, R-IN-3, R-IN-4, R-IN-7."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from services.intake.app import create_app
from services.intake.materials.service import Material, one_time_notice
from shared.auth import Role, User
from shared.contracts.intake import ApplicationAccepted
from shared.db import utcnow
from shared.events import Envelope
from shared.idcard import check_character
from shared.programs import Program, review_deadline
from shared.settings import Settings
from shared.workdays import today_in_shanghai
from tests.support import (
    bearer,
    domain_event_count,
    eventually,
    load_division_register,
    running,
)

TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP_VILLAGE = "230722101201"  # 乌云镇乌云村
DIBAO_CHECKLIST = ["application_form", "id_card", "household_register", "income_statement",
                   "property_declaration", "authorization_letter"]


def id_number(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


HEAD = id_number("19600101", "011")
SPOUSE = id_number("19620202", "022")
SON = id_number("19900303", "031")
NEIGHBOUR = id_number("19700404", "041")


def member(number: str, relationship: str, name: str = "张三", **extra: Any) -> dict[str, Any]:
    return {"name": name, "id_number": number, "relationship": relationship, **extra}


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "contact_phone": "13800001234",
        "household": {"address": "朝阳镇东风村3组",
                      "members": [member(HEAD, "head"), member(SPOUSE, "spouse", "李四")]},
        "materials": DIBAO_CHECKLIST,
    }
    return body | overrides


@dataclass
class Intake:
    client: httpx.AsyncClient
    settings: Settings
    app: FastAPI

    def as_(self, role: Role, *divisions: str) -> dict[str, str]:
        return bearer(self.settings, role, divisions or (TOWNSHIP,))

    @property
    def caseworker(self) -> dict[str, str]:
        return self.as_(Role.caseworker)

    async def submit(self, body: dict[str, Any], headers: dict[str, str] | None = None
                     ) -> httpx.Response:
        return await self.client.post("/api/v1/applications", json=body,
                                      headers=headers or self.caseworker)

    register_events: int = 0
    """Events of the fixture's register load, before the test's own requests."""

    async def outbox_count(self) -> int:
        """Domain events written (the operation log of reads and refusals, and the fixture's
        register load, aside)."""
        return await domain_event_count(self.app.state.kit) - self.register_events

    async def applications(self) -> list[dict[str, Any]]:
        r = await self.client.get("/api/v1/applications", headers=self.as_(Role.county_officer,
                                                                            "230722"))
        assert r.status_code == 200
        return r.json()


@pytest.fixture
async def intake(make_settings) -> AsyncIterator[Intake]:
    settings = make_settings("intake")
    app = create_app(settings)
    async with running(app) as client:
        await load_division_register(client, settings)
        yield Intake(client, settings, app,
                     register_events=await domain_event_count(app.state.kit))


def expected_due(app: FastAPI, program: Program) -> tuple[str, bool]:
    kit = app.state.kit
    deadline = review_deadline(program, today_in_shanghai(), kit.calendar,
                               temp_aid_working_days=kit.settings.temp_aid_working_days)
    return deadline.last_day.isoformat(), deadline.provisional


async def test_r_in_3_complete_materials_accepted_with_r_ap_7_deadline(intake):
    """R-IN-3 complete materials → accepted today; R-AP-7 dibao: 20 working days; R-IN-1 number."""
    r = await intake.submit(application())
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/api/v1/applications/{body['id']}"
    assert body["status"] == "accepted" and body["notice"] is None
    assert body["accepted_on"] == today_in_shanghai().isoformat()
    due, provisional = expected_due(intake.app, Program.DIBAO)
    assert (body["review_due_on"], body["review_due_provisional"]) == (due, provisional)
    today = today_in_shanghai().strftime("%Y%m%d")
    assert re.fullmatch(rf"SQ230722-{today}-\d{{6}}", body["number"])
    assert body["channel"] == "window" and body["materials"] == sorted(DIBAO_CHECKLIST)
    assert body["contact_phone"] == "138****1234"
    members = body["household"]["members"]
    assert [m["id_number"] for m in members] == ["230***********" + HEAD[-4:],
                                                 "230***********" + SPOUSE[-4:]]
    assert HEAD not in r.text and SPOUSE not in r.text  # R-SE-2
    assert members[0]["sex"] == "male" and members[1]["sex"] == "female"
    got = await intake.client.get(r.headers["location"], headers=intake.caseworker)
    assert got.status_code == 200 and got.json() == body


async def test_r_in_1_every_program_at_the_window_with_distinct_numbers(intake):
    """R-IN-1 one window: each program accepted at a township window, each its own number."""
    numbers = set()
    for i, program in enumerate(Program):
        head = id_number("19500101", f"{i + 1:02d}1")
        checklist = await intake.client.get(f"/api/v1/programs/{program}/checklist",
                                            headers=intake.caseworker)
        codes = [item["code"] for item in checklist.json()["items"]]
        r = await intake.submit(application(
            program=program, channel="village_proxy", proxy={"agent": "刘主任"},
            household={"members": [member(head, "head")]}, materials=codes))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "accepted" and body["channel"] == "village_proxy"
        assert body["proxy"] == {"committee": VILLAGE, "agent": "刘主任", "agent_title": None}
        assert body["review_due_on"] == expected_due(intake.app, program)[0]
        numbers.add(body["number"])
    assert len(numbers) == len(Program)


async def test_r_in_3_incomplete_materials_one_notice_then_supplied_accepted(intake):
    """R-IN-3: ONE notice lists every missing item; once all are in, accepted that day."""
    r = await intake.submit(application(materials=["application_form", "id_card"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "awaiting_materials"
    assert body["accepted_on"] is None and body["review_due_on"] is None
    notice = body["notice"]
    assert [(m["code"], m["name"]) for m in notice["missing"]] == [
        ("household_register", "户口簿"), ("income_statement", "收入证明"),
        ("property_declaration", "家庭财产申报"), ("authorization_letter", "核对授权书")]
    url = f"/api/v1/applications/{body['id']}/materials"
    partial = await intake.client.post(url, json={"materials": ["household_register"]},
                                       headers=intake.caseworker)
    assert partial.status_code == 200, partial.text
    assert partial.json()["status"] == "awaiting_materials"
    assert partial.json()["notice"]["id"] == notice["id"]
    rest = await intake.client.post(url, headers=intake.caseworker, json={"materials": [
        "income_statement", "property_declaration", "authorization_letter"]})
    assert rest.status_code == 200, rest.text
    accepted = rest.json()
    assert accepted["status"] == "accepted"
    assert accepted["accepted_on"] == today_in_shanghai().isoformat()
    assert accepted["review_due_on"] == expected_due(intake.app, Program.DIBAO)[0]
    assert all(m["supplied"] for m in accepted["notice"]["missing"])
    assert accepted["notice"]["id"] == notice["id"]


async def test_r_in_3_checklist_change_after_notice_demands_nothing_more(intake):
    """R-IN-3: items not on the notice can never be demanded later, even after a new checklist."""
    r = await intake.submit(application(materials=DIBAO_CHECKLIST[:4]))
    body = r.json()
    assert [m["code"] for m in body["notice"]["missing"]] == DIBAO_CHECKLIST[4:]
    officer = intake.as_(Role.county_officer, "230722")
    default = await intake.client.get("/api/v1/programs/dibao/checklist",
                                      headers=intake.caseworker)
    assert (default.json()["county"], default.json()["set_by_county"]) == ("230722", False)
    new_items = [{"code": c, "name": n} for c, n in [
        ("application_form", "申请书"), ("id_card", "身份证"), ("medical_record", "病历"),
        ("authorization_letter", "核对授权书")]]
    put = await intake.client.put("/api/v1/programs/dibao/checklist",
                                  json={"items": new_items}, headers=officer)
    assert put.status_code == 200, put.text
    checklist = await intake.client.get("/api/v1/programs/dibao/checklist",
                                        headers=intake.caseworker)
    assert checklist.json() == {"program": "dibao", "county": "230722", "set_by_county": True,
                                "items": new_items}
    # R-IN-3: the new item cannot be demanded of this applicant; the notice's can, again
    demand = f"/api/v1/applications/{body['id']}/materials-demand"
    refused = await intake.client.post(demand, json={"materials": ["medical_record"]},
                                       headers=intake.caseworker)
    assert refused.status_code == 409, refused.text
    assert (refused.json()["rule"], refused.json()["not_on_notice"]) == (
        "R-IN-3", ["medical_record"])
    again = await intake.client.post(demand, json={"materials": ["property_declaration"]},
                                     headers=intake.caseworker)
    assert again.status_code == 200, again.text
    got = await intake.client.get(f"/api/v1/applications/{body['id']}",
                                  headers=intake.caseworker)
    assert got.json()["notice"] == body["notice"]
    # property_declaration left the checklist but stays on the notice, so it can be supplied.
    done = await intake.client.post(
        f"/api/v1/applications/{body['id']}/materials", headers=intake.caseworker,
        json={"materials": ["property_declaration", "authorization_letter"]})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "accepted"  # medical_record was never demanded
    assert [m["code"] for m in done.json()["notice"]["missing"]] == DIBAO_CHECKLIST[4:]


async def test_r_in_3_a_second_notice_is_refused(intake):
    """R-IN-3: one notice per application. It is made with the application (no call issues
    another); a second one written anyway is refused by the database and changes nothing."""
    body = (await intake.submit(application(materials=["application_form"]))).json()
    kit = intake.app.state.kit
    second = one_time_notice(body["id"], [Material("medical_record", "病历")],
                             at=utcnow(), by=User(user_id="cw", role="caseworker"))
    with pytest.raises(IntegrityError):
        async with kit.unit_of_work() as session:
            session.add(second)
    got = await intake.client.get(f"/api/v1/applications/{body['id']}",
                                  headers=intake.caseworker)
    assert got.json()["notice"] == body["notice"] and body["notice"]["id"] != second.id


async def test_r_in_3_checklist_roles_and_validation(intake):
    """R-IN-3: checklists are read by any staff, replaced only by county or city officers."""
    items = {"items": [{"code": "application_form", "name": "申请书"}]}
    url = "/api/v1/programs/tekun/checklist"
    tekun = await intake.client.get(url, headers=intake.as_(Role.auditor, "230722"))
    codes = [i["code"] for i in tekun.json()["items"]]
    assert "support_capacity_statement" in codes and "income_statement" not in codes
    assert (await intake.client.put(url, json=items, headers=intake.caseworker)).status_code == 403
    other_county = intake.as_(Role.county_officer, "230723")
    assert (await intake.client.put(url, json=items, headers=other_county)).status_code == 403
    twice = {"items": items["items"] * 2}
    r = await intake.client.put(url, json=twice, headers=intake.as_(Role.city_officer, "230700"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items"
    assert (await intake.client.get("/api/v1/programs/xiaokang/checklist",
                                    headers=intake.caseworker)).status_code == 422
    programs = (await intake.client.get("/api/v1/programs", headers=intake.caseworker)).json()
    assert {p["code"]: p["review_working_days"] for p in programs}["temp_emergency"] == 10


async def test_r_in_3_refusal_needs_reason_code_and_text(intake):
    """R-IN-3: no refusal without a recorded reason code and text; only open ones are refused."""
    body = (await intake.submit(application(materials=["application_form"]))).json()
    url = f"/api/v1/applications/{body['id']}/refusal"
    leader = intake.as_(Role.township_leader)
    for bad, field in [({"reason": "不符合条件"}, "reason_code"),
                       ({"reason_code": "not_eligible"}, "reason"),
                       ({"reason_code": " ", "reason": "不符合条件"}, "reason_code"),
                       ({"reason_code": "not_eligible", "reason": ""}, "reason")]:
        r = await intake.client.post(url, json=bad, headers=leader)
        assert r.status_code == 422, bad
        assert [e["field"] for e in r.json()["errors"]] == [field]
    ok = {"reason_code": "not_resident", "reason": "户籍不在本乡镇且未在本地居住"}
    assert (await intake.client.post(url, json=ok,
                                     headers=intake.as_(Role.village_assistant))).status_code == 403
    r = await intake.client.post(url, json=ok, headers=leader)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refused"
    assert r.json()["refusal"]["reason_code"] == "not_resident"
    again = await intake.client.post(url, json=ok, headers=leader)
    assert again.status_code == 409
    more = await intake.client.post(f"/api/v1/applications/{body['id']}/materials",
                                    json={"materials": ["id_card"]}, headers=intake.caseworker)
    assert more.status_code == 409


def _invalid_id() -> str:
    wrong = "0" if HEAD[-1] != "0" else "1"
    return HEAD[:-1] + wrong


BAD_INPUTS = [
    ("invalid ID number", application(household={"members": [
        member(HEAD, "head"), member(_invalid_id(), "child")]}), "household.members.1.id_number"),
    ("two heads", application(household={"members": [
        member(HEAD, "head"), member(SPOUSE, "head")]}), "household.members"),
    ("same person twice", application(household={"members": [
        member(HEAD, "head"), member(SPOUSE, "spouse"), member(SPOUSE, "child")]}),
     "household.members"),
    ("unknown program", application(program="xiaokang"), "program"),
    ("unknown channel", application(channel="fax"), "channel"),
    ("bad division code", application(division="23072210020"), "division"),
    ("county-level division", application(division="230722"), "division"),
    ("division outside this county", application(division="230723100201"), "division"),
    ("unknown material", application(materials=["application_form", "horoscope"]),
     "materials.1"),
    ("material of another program", application(materials=["hardship_proof"]), "materials.0"),
    ("unknown living status", application(household={"members": [
        member(HEAD, "head", living_status="abroad")]}), "household.members.0.living_status"),
    ("unknown field", application(houshold={}), "houshold"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
async def test_r_in_4_bad_input_is_422_naming_the_field_and_writes_nothing(intake, case, body,
                                                                          field):
    """R-IN-4, R-IN-1, R-IN-3: bad input is refused with the field named; nothing is written."""
    r = await intake.submit(body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]]
    assert await intake.applications() == []
    assert await intake.outbox_count() == 0


async def test_malformed_json_is_422_naming_the_body_and_writes_nothing(intake):
    r = await intake.client.post("/api/v1/applications", content=b'{"program": "dibao",',
                                 headers=intake.caseworker | {"content-type": "application/json"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body"]
    assert await intake.applications() == [] and await intake.outbox_count() == 0


async def test_r_in_4_no_one_in_two_open_applications_of_one_program(intake):
    """R-IN-4: the same person in a second open dibao application → 409 naming the first."""
    first = (await intake.submit(application())).json()
    r = await intake.submit(application(household={"members": [
        member(NEIGHBOUR, "head"), member(SPOUSE, "spouse")]}))
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["rule"] == "R-IN-4"
    assert problem["other_application_number"] == first["number"]
    assert problem["field"] == "household.members.1.id_number"
    assert SPOUSE not in r.text
    # Another program for the same household is fine (R-IN-1 one window, every program).
    other = await intake.submit(application(program="temp_expenditure",
                                            materials=["application_form"]))
    assert other.status_code == 201, other.text
    # Once refused, the first application no longer holds its members.
    leader = intake.as_(Role.township_leader)
    refusal = {"reason_code": "withdrawn", "reason": "申请人撤回申请"}
    assert (await intake.client.post(f"/api/v1/applications/{first['id']}/refusal",
                                     json=refusal, headers=leader)).status_code == 200
    again = await intake.submit(application())
    assert again.status_code == 201, again.text


async def test_r_in_4_and_r_in_1_hold_for_concurrent_windows(intake):
    """R-IN-4 holds when two windows submit the same person at once; R-IN-1 numbers stay unique."""
    same = await asyncio.gather(*(intake.submit(application()) for _ in range(3)))
    assert sorted(r.status_code for r in same) == [201, 409, 409], [r.text for r in same]
    others = await asyncio.gather(*(
        intake.submit(application(household={"members": [
            member(id_number("19550505", f"{i:02d}5"), "head")]})) for i in range(5)))
    assert [r.status_code for r in others] == [201] * 5, [r.text for r in others]
    numbers = [r.json()["number"] for r in [*same, *others] if r.status_code == 201]
    assert len(set(numbers)) == 6
    assert len(await intake.applications()) == 6


async def test_r_in_4_no_one_in_two_households_at_once(intake):
    """R-IN-4: a person counted in an open application of another household (another head) →
    409; R-IN-7: an adult child living on their own is listed there but not counted, so may
    head their own household."""
    first = (await intake.submit(application(program="tekun", household={"members": [
        member(HEAD, "head"), member(SON, "child", cannot_live_independently=True),
        member(NEIGHBOUR, "child", "王五")]}, materials=[]))).json()
    assert [m["count_reason"] for m in first["household"]["members"]] == [
        "head", "adult_child_dependent", "adult_child_independent"]
    r = await intake.submit(application(household={"members": [
        member(SON, "head"), member(SPOUSE, "spouse")]}))
    assert r.status_code == 409, r.text
    assert r.json()["other_application_number"] == first["number"]
    assert r.json()["field"] == "household.members.0.id_number"
    assert len(await intake.applications()) == 1
    own = await intake.submit(application(household={"members": [
        member(NEIGHBOUR, "head"), member(SPOUSE, "spouse")]}))
    assert own.status_code == 201, own.text


async def test_r_in_7_members_apart_are_recorded_but_not_counted(intake, nats_server):
    """R-IN-7: a member serving a sentence is recorded, not counted; events carry the count."""
    r = await intake.submit(application(household={"members": [
        member(HEAD, "head"), member(SPOUSE, "spouse", living_status="serving_sentence"),
        member(SON, "child", is_student=True)]}))
    assert r.status_code == 201, r.text
    household = r.json()["household"]
    assert [m["counted"] for m in household["members"]] == [True, False, True]
    assert household["counted_size"] == 2
    events = await published(intake, nats_server, "application_accepted")
    assert events[0].data["household_size"] == 2


async def published(intake: Intake, nats_server, event: str) -> list[Envelope]:
    """Events the relay has put on JetStream, read back with a pull subscription."""
    await eventually(lambda: _all_sent(intake))
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().pull_subscribe(f"assist.230722.intake.{event}")
        msgs = await sub.fetch(100, timeout=2)
        return [Envelope.from_json(m.data) for m in msgs]
    finally:
        await nc.close()


async def _all_sent(intake: Intake) -> bool:
    return await intake.outbox_count() > 0 and await intake.app.state.kit.relay.pending_count() == 0


async def test_r_in_1_numbers_follow_each_other_in_the_row_the_answer_and_the_events(
        intake, nats_server):
    """R-IN-1: the day's numbers follow each other without gaps; the application, the answer
    and every event carry the same one (PostgreSQL numbers an accepted one last)."""
    first = (await intake.submit(application())).json()
    second = (await intake.submit(application(household={
        "address": "朝阳镇东风村4组", "members": [member(SON, "head"),
                                                member(NEIGHBOUR, "spouse", "王五")]},
        materials=DIBAO_CHECKLIST[:1]))).json()
    assert (first["status"], second["status"]) == ("accepted", "awaiting_materials")
    sequences = [int(body["number"][-6:]) for body in (first, second)]
    assert sequences[1] == sequences[0] + 1
    for body in (first, second):
        got = await intake.client.get(f"/api/v1/applications/{body['id']}",
                                      headers=intake.caseworker)
        assert got.json()["number"] == body["number"]
    carried = {(e.type.rsplit(".", 1)[-1], e.data["application_number"])
               for event in ("application_submitted", "application_accepted",
                             "materials_notice_issued")
               for e in await published(intake, nats_server, event)}
    assert carried == {("application_submitted", first["number"]),
                       ("application_accepted", first["number"]),
                       ("application_submitted", second["number"]),
                       ("materials_notice_issued", second["number"])}


async def test_r_in_3_application_accepted_reaches_jetstream_with_the_contract_data(
        intake, nats_server):
    """R-IN-3 acceptance is published once, with what verification and approval need."""
    body = (await intake.submit(application())).json()
    [accepted] = await published(intake, nats_server, "application_accepted")
    assert accepted.subject == body["id"] and accepted.division == VILLAGE
    assert accepted.actor.role == "caseworker"
    data = accepted.data
    assert {k: data[k] for k in ("application_id", "application_number", "program", "division",
                                 "area", "household_size", "accepted_on", "review_due_on",
                                 "review_due_provisional")} == {
        "application_id": body["id"], "application_number": body["number"], "program": "dibao",
        "division": VILLAGE, "area": "rural", "household_size": 2,
        "accepted_on": body["accepted_on"], "review_due_on": body["review_due_on"],
        "review_due_provisional": body["review_due_provisional"]}
    # R-SE-2: the full ID numbers travel sealed; a consumer with the key opens them
    assert HEAD not in accepted.to_json().decode() and SPOUSE not in accepted.to_json().decode()
    assert all(m["id_number"].startswith("sealed:v1:") for m in data["members"])
    opened = intake.app.state.kit.sealer.open(ApplicationAccepted, data, event_id=accepted.id)
    assert [(m["name"], m["id_number"], m["relationship"], m["counted"])
            for m in opened["members"]] == [("张三", HEAD, "head", True),
                                            ("李四", SPOUSE, "spouse", True)]
    [submitted] = await published(intake, nats_server, "application_submitted")
    assert HEAD not in json.dumps(submitted.data, ensure_ascii=False)  # masked elsewhere


async def test_r_in_3_notice_and_supply_events_mask_id_numbers(intake, nats_server):
    body = (await intake.submit(application(materials=["application_form"]))).json()
    await intake.client.post(f"/api/v1/applications/{body['id']}/materials",
                             json={"materials": DIBAO_CHECKLIST}, headers=intake.caseworker)
    [notice] = await published(intake, nats_server, "materials_notice_issued")
    assert [m["code"] for m in notice.data["missing"]] == DIBAO_CHECKLIST[1:]
    [supplied] = await published(intake, nats_server, "materials_supplied")
    assert supplied.data["materials"] == DIBAO_CHECKLIST[1:]
    assert supplied.data["outstanding"] == []
    for event in (notice, supplied):
        assert HEAD not in json.dumps(event.data)
    assert len(await published(intake, nats_server, "application_accepted")) == 1


async def test_jurisdiction_out_of_it_is_403_and_lists_are_filtered(intake):
    """R-SE-1: a window works only inside its own township; lists show only what is inside."""
    r = await intake.submit(application(division=OTHER_TOWNSHIP_VILLAGE))
    assert r.status_code == 403 and r.json()["type"].endswith("out-of-jurisdiction")
    assert await intake.outbox_count() == 0
    other = intake.as_(Role.caseworker, "230722101")
    theirs = await intake.submit(application(division=OTHER_TOWNSHIP_VILLAGE), headers=other)
    assert theirs.status_code == 201, theirs.text
    ours = await intake.submit(application(program="temp_emergency", household={
        "members": [member(NEIGHBOUR, "head")]}, materials=[]))
    assert ours.status_code == 201
    listed = await intake.client.get("/api/v1/applications", headers=intake.caseworker)
    assert [a["id"] for a in listed.json()] == [ours.json()["id"]]
    got = await intake.client.get(f"/api/v1/applications/{theirs.json()['id']}",
                                  headers=intake.caseworker)
    assert got.status_code == 404  # another township's record: never confirmed (R-SE-1)
    assert len(await intake.applications()) == 2
    waiting = await intake.client.get("/api/v1/applications?status=awaiting_materials",
                                      headers=intake.as_(Role.county_officer, "230722"))
    assert [a["id"] for a in waiting.json()] == [ours.json()["id"]]


async def test_auth_no_token_is_401_and_wrong_role_403(intake):
    assert (await intake.client.post("/api/v1/applications", json=application())).status_code \
        == 401
    assert (await intake.client.get("/api/v1/applications")).status_code == 401
    finance = intake.as_(Role.finance_officer, "230722")
    assert (await intake.submit(application(), headers=finance)).status_code == 403
    assert (await intake.submit(application(),
                                headers=intake.as_(Role.auditor, "230722"))).status_code == 403
    assert await intake.outbox_count() == 0
