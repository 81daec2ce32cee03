"""Factories for tests of the roll (R-DY, R-BE-6, R-BE-7): a county's policy published through
approval's API, review cases opened from real ``application_accepted`` events, beneficiaries
entered as the notice's end enters them, and the clock moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.approval.cases.models import ReviewCase
from services.approval.roll import service as roll
from services.approval.roll.models import Beneficiary
from shared.auth import Role
from shared.context import new_id
from shared.settings import Settings
from shared.workdays import SHANGHAI
from tests.bus import publish
from tests.events import accepted
from tests.intake_cases import id_number
from tests.support import bearer, eventually

COUNTY = "230722"  # 嘉荫县 (demo)
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP = "230722101"  # 乌云镇
OTHER_VILLAGE = "230722101201"  # 乌云村

RURAL_FIGURES = {"dibao_standard_fen": 56_000, "minimum_wage_fen": 175_000,
                 "average_dibao_per_capita_fen": 41_000, "addon_rate": "0.15",
                 "near_dibao_factor": "1.5", "benefit_rounding": "up",
                 "tekun_care_fen": {"able": 8_000, "partly_unable": 30_000, "unable": 60_000}}
"""Rural 560 yuan, minimum wage 1,750 yuan: the demo figures (not official ones)."""

HEAD, SPOUSE, CHILD = "m" + "1" * 31, "m" + "2" * 31, "m" + "3" * 31
NAMES = {HEAD: "王建国", SPOUSE: "李秀兰", CHILD: "王小明"}


def at(day: str, hour: int = 10) -> datetime:
    """An instant on a Shanghai day (``YYYY-MM-DD``) at ``hour`` o'clock."""
    local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)
    return local.astimezone(UTC)


def set_clocks(apps: list[FastAPI], day: str, hour: int = 10) -> None:
    """Every service of the test reads the same day."""
    for app in apps:
        app.state.kit.clock.set(at(day, hour))


def advance(apps: list[FastAPI], days: int) -> None:
    for app in apps:
        app.state.kit.clock.advance(timedelta(days=days))


def staff(settings: Settings, role: Role, user_id: str, *divisions: str) -> dict[str, str]:
    return bearer(settings, role, divisions or (TOWNSHIP,), user_id=user_id)


async def publish_policy(client: httpx.AsyncClient, settings: Settings, *,
                         area: str = "rural", **figures: Any) -> dict[str, Any]:
    """The county's first version of its parameters, in force since 2020 (R-BE)."""
    r = await client.post("/api/v1/policy/versions", headers=staff(
        settings, Role.county_officer, "officer-sun", COUNTY), json={
        "county": COUNTY, "area": area, "effective_from": "2020-01-01", "demo": True,
        "reason": "演示参数", "parameters": {**RURAL_FIGURES, **figures}})
    assert r.status_code == 201, r.text
    return dict(r.json())


def person(member_id: str, born: str, relationship: str = "head", **fields: Any
           ) -> dict[str, Any]:
    """A member as ``application_accepted`` names them (born ``YYYY-MM-DD``)."""
    return {"member_id": member_id, "name": NAMES.get(member_id, "张三"),
            "id_number": id_number(born.replace("-", ""), "011"), "birth_date": born,
            "sex": "male", "relationship": relationship, "living_status": "lives_with",
            "is_student": False, "counted": True, **fields}


async def open_case(app: FastAPI, nats_url: str, *, program: str = "dibao",
                    division: str = VILLAGE, household_size: int = 2,
                    members: list[dict[str, Any]] | None = None) -> ReviewCase:
    """A review case opened by a real ``intake.application_accepted``."""
    env = accepted(division=division, program=program, household_size=household_size,
                   members=members or [])

    async def opened() -> ReviewCase | None:
        async with app.state.kit.sessions() as session:
            return await session.scalar(select(ReviewCase).where(
                ReviewCase.application_id == env.data["application_id"]))

    await publish(nats_url, env)
    return await eventually(opened, timeout=15)


async def enter(app: FastAPI, case: ReviewCase, *, monthly_fen: int, effective_month: str,
                members: tuple[str, ...] | None = (HEAD, SPOUSE), **factors: Any) -> Beneficiary:
    """The case enters the roll as the notice's end enters it (R-AP-4); ``members=None``:
    the members the application counts."""
    async with app.state.kit.unit_of_work() as session:
        fresh = await session.get(ReviewCase, case.id)
        assert fresh is not None
        beneficiary = await roll.enter_roll(
            session, case=fresh, monthly_fen=monthly_fen, effective_month=effective_month,
            certificate_number=f"{COUNTY}-2027-{new_id()[:6]}",
            member_ids=list(members) if members is not None else None,
            head_name_masked=NAMES[members[0]] if members else "王建国", member_names=NAMES,
            **factors)
        session.expunge(beneficiary)
        return beneficiary


def member(member_id: str, age: int, *, able_to_work: bool = False, **facts: Any
           ) -> dict[str, Any]:
    return {"member_id": member_id, "age": age, "able_to_work": able_to_work, **facts}


def wages(member_id: str, monthly_fen: int) -> dict[str, Any]:
    return {"member_id": member_id, "kind": "wages", "description": "打零工",
            "monthly_fen": monthly_fen}


def household(head_wages_fen: int) -> dict[str, Any]:
    """王建国 (52, employed) and 李秀兰 (50, seriously ill: the add-on, R-BE-3)."""
    return {"members": [member(HEAD, 52, able_to_work=True, employed=True),
                        member(SPOUSE, 50, seriously_ill=True)],
            "income": [wages(HEAD, head_wages_fen)] if head_wages_fen else []}
