"""Factories for tests of the decision in approval: a case opened from intake's acceptance with
its members, its investigation completed with a form, the county's parameters published, and
the staff who write, confirm and oversee."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from shared.auth import Role, issue_token
from shared.context import new_id
from shared.contracts.intake import MemberIdentified
from shared.contracts.verification import (
    AssetLine,
    DoubtOutcome,
    ExpenditureLine,
    FormContent,
    IncomeLine,
    InvestigationCompleted,
    LivingConditions,
)
from shared.events import Envelope
from shared.idcard import check_character
from shared.settings import Settings
from tests.events import accepted, envelope_of

COUNTY = "230722"  # 嘉荫县 (demo, a border county)
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP = "230722101"  # 乌云镇
OTHER_VILLAGE = "230722101201"
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
ACCEPTED_ON = date(2026, 11, 25)

CASEWORKER = ("cw-wang", "王芳", Role.caseworker)
OTHER_CASEWORKER = ("cw-sun", "孙丽", Role.caseworker)
LEADER = ("tl-zhao", "赵刚", Role.township_leader)


def person(settings: Settings, who: tuple[str, str, Role], divisions: list[str] | None = None,
           role: Role | None = None) -> dict[str, str]:
    """Authorization of a named staff member (``role`` to give the same person another role)."""
    user_id, name, own = who
    token = issue_token(settings, user_id=user_id, role=role or own,
                        divisions=divisions or [TOWNSHIP], name=name)
    return {"Authorization": f"Bearer {token}"}


def officer(settings: Settings, role: Role = Role.county_officer,
            divisions: list[str] | None = None) -> dict[str, str]:
    token = issue_token(settings, user_id=f"{role}-1", role=role,
                        divisions=divisions or [COUNTY])
    return {"Authorization": f"Bearer {token}"}


def resident_id(birth: str, serial: str) -> str:
    first17 = COUNTY + birth + serial
    return first17 + check_character(first17)


HEAD_ID = resident_id("19580312", "013")
SPOUSE_ID = resident_id("19600101", "024")


def members() -> list[MemberIdentified]:
    """王大山 (68 in 2026, head) and 李秀英 (66, spouse), both counted."""
    return [
        MemberIdentified(member_id=new_id(), name="王大山", id_number=HEAD_ID,
                         relationship="head", living_status="at_home", is_student=False,
                         counted=True, count_reason="head", birth_date=date(1958, 3, 12),
                         sex="male"),
        MemberIdentified(member_id=new_id(), name="李秀英", id_number=SPOUSE_ID,
                         relationship="spouse", living_status="at_home", is_student=False,
                         counted=True, count_reason="spouse", birth_date=date(1960, 1, 1),
                         sex="female"),
    ]


def accepted_event(program: str = "dibao", division: str = VILLAGE, *,
                   review_due_on: date = date(2026, 12, 23),
                   people: list[MemberIdentified] | None = None) -> Envelope:
    people = members() if people is None else people
    return accepted(division=division, program=program, accepted_on=ACCEPTED_ON,
                    review_due_on=review_due_on, household_size=len(people),
                    members=[m.model_dump() for m in people])


def completed_event(env: Envelope, *, doubts: list[DoubtOutcome] | None = None,
                    investigation_id: str | None = None) -> Envelope:
    """The investigation of the couple: the head's wages 800 yuan (by letter), the spouse's
    transfer 300, an exempt disability allowance, a deposit of 3,500 and an exempt vehicle,
    rehabilitation 200 a month."""
    head, spouse = (m["member_id"] for m in env.data["members"])
    investigation_id = investigation_id or new_id()
    form = FormContent(
        visited_on=date(2026, 11, 27), situation="夫妻二人务农, 丈夫腿部残疾",
        income=[
            IncomeLine(member_id=head, kind="wages", description="农闲打零工", monthly_fen=80000,
                       counted=True, verified_by="letter"),
            IncomeLine(member_id=spouse, kind="transfer", description="子女赡养费",
                       monthly_fen=30000, counted=True, verified_by="declaration"),
            IncomeLine(member_id=head, kind="transfer", description="残疾人两项补贴",
                       monthly_fen=9000, counted=False, not_counted_reason="社会救助类补贴",
                       verified_by="declaration")],
        assets=[AssetLine(kind="deposit", description="信用社存款", value_fen=350000,
                          exempt=False),
                AssetLine(kind="vehicle", description="残疾人代步车", value_fen=200000,
                          exempt=True, exempt_reason="残疾人代步所需")],
        rigid_expenditure=[ExpenditureLine(member_id=head, kind="disability_rehabilitation",
                                           description="康复治疗", monthly_fen=20000)],
        living_conditions=LivingConditions(housing="owned", condition="砖瓦房, 家具简陋"))
    return envelope_of(InvestigationCompleted(
        application_id=env.data["application_id"], investigation_id=investigation_id,
        completed_at=datetime(2026, 11, 30, 2, 15, tzinfo=UTC), form=form,
        monthly_income_fen=110000, doubts=doubts or [], findings="情况属实",
    ), subject=investigation_id, division=env.division)


async def publish_parameters(client: httpx.AsyncClient, settings: Settings, *,
                             area: str = "rural", effective_from: str = "2026-01-01",
                             standard_fen: int = 56000) -> dict[str, Any]:
    """The county's parameters for ``area`` from a day (demo figures)."""
    r = await client.post("/api/v1/policy/versions", headers=officer(settings), json={
        "county": COUNTY, "area": area, "effective_from": effective_from, "demo": True,
        "reason": "低保标准（演示数据）", "parameters": {
            "dibao_standard_fen": standard_fen, "minimum_wage_fen": 175000,
            "average_dibao_per_capita_fen": 41000,
            "tekun_care_fen": {"able": 8000, "partly_unable": 30000, "unable": 60000}}})
    assert r.status_code == 201, r.text
    return r.json()


async def open_case(app: FastAPI, client: httpx.AsyncClient, settings: Settings, *,
                    program: str = "dibao", division: str = VILLAGE, investigated: bool = True,
                    review_due_on: date = date(2026, 12, 23)) -> dict[str, Any]:
    """A case opened from intake's acceptance and (by default) investigated; its detail."""
    consumer = app.state.kit.consumer
    env = accepted_event(program, division, review_due_on=review_due_on)
    assert await consumer.handle(env) is True
    if investigated:
        assert await consumer.handle(completed_event(env)) is True
    r = await client.get("/api/v1/cases", params={"application_id": env.data["application_id"]},
                         headers=officer(settings))
    [case] = r.json()
    return case


def opinion(case: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """An opinion proposing approval: the head works, disabled grade 3; his wages corrected by
    the employer's letter to 600 yuan."""
    head = next(m["member_id"] for m in case["members"] if m["relationship"] == "head")
    return {"proposal": "approve", "text": "家庭月人均收入低于当地低保标准, 拟同意",
            "members": [{"member_id": head, "employed": True, "disability_grade": 3,
                         "disability_kind": "physical"}],
            "adjustments": [{"figure": "income", "line": 0, "amount_fen": 60000,
                             "reason": "用工单位回函: 月均600元"}]} | overrides


REFUSAL = {"proposal": "refuse", "reason_code": "income_above_standard",
           "reasons": ["家庭月人均收入高于当地低保标准"], "text": "拟不予批准"}
