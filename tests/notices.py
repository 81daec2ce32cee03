"""Factories for tests of the public notice: review cases opened from real events, confirmed
(the decision's step, simulated: the case set awaiting confirmation) and posted (R-AP-3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.notices.models import Notice
from services.approval.notices.service import post_notice
from services.approval.roll.models import Beneficiary
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.intake import MemberIdentified
from tests.events import accepted
from tests.intake_cases import id_number

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_VILLAGE = "230722100202"  # 永胜村
HEAD_ID = id_number("19600101", "011")
SPOUSE_ID = id_number("19620202", "022")


def household(head: str = "王建国", spouse: str = "李秀英") -> list[MemberIdentified]:
    """A head and a spouse, both counted, with full ID numbers as intake sends them."""
    return [
        MemberIdentified(member_id=new_id(), name=head, id_number=HEAD_ID, relationship="head",
                         living_status="at_home", is_student=False, counted=True,
                         count_reason="head", birth_date=date(1960, 1, 1), sex="male"),
        MemberIdentified(member_id=new_id(), name=spouse, id_number=SPOUSE_ID,
                         relationship="spouse", living_status="at_home", is_student=False,
                         counted=True, count_reason="spouse", birth_date=date(1962, 2, 2),
                         sex="female"),
    ]


async def open_case(kit: Any, *, division: str = VILLAGE, program: str = "dibao",
                    head: str = "王建国") -> str:
    """An accepted application's review case, opened by its event; its id."""
    env = accepted(division=division, program=program, household_size=2,
                   members=household(head))
    assert await kit.consumer.handle(env) is True
    async with kit.sessions() as session:
        case_id = await session.scalar(select(ReviewCase.id).where(
            ReviewCase.application_id == env.data["application_id"]))
    assert case_id is not None
    return case_id


async def confirm_and_post(kit: Any, case_id: str, *, monthly_fen: int = 45_000,
                           household_size: int = 2) -> str:
    """The positive confirmation (R-AP-2, simulated) posts the notice (R-AP-3); its id."""
    async with kit.unit_of_work() as session:
        case = await session.get(ReviewCase, case_id)
        if case.status not in (CaseStatus.awaiting_confirmation,
                               CaseStatus.at_confirmation_meeting):
            case.status = CaseStatus.awaiting_confirmation
        notice = await post_notice(session, case=case, confirmation_id=new_id(),
                                   monthly_fen=monthly_fen, household_size=household_size,
                                   confirmed_at=now_of(session))
        return notice.id


async def posted_case(kit: Any, **fields: Any) -> tuple[str, str]:
    """A case in public notice: (case id, notice id)."""
    case_id = await open_case(kit, **fields)
    return case_id, await confirm_and_post(kit, case_id)


async def case_of(kit: Any, case_id: str) -> ReviewCase:
    async with kit.sessions() as session:
        case = await session.get(ReviewCase, case_id)
        assert case is not None
        return case


async def notice_of(kit: Any, notice_id: str) -> Notice:
    async with kit.sessions() as session:
        notice = await session.get(Notice, notice_id)
        assert notice is not None
        return notice


async def beneficiary_of(kit: Any, case_id: str) -> Beneficiary | None:
    async with kit.sessions() as session:
        found: Beneficiary | None = await session.scalar(
            select(Beneficiary).where(Beneficiary.case_id == case_id))
        return found
