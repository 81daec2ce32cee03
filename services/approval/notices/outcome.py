"""The end of the notice (R-AP-3, R-AP-4): at 24:00 of D+7 a notice without objection approves
its case — the benefit fixed, paid from the month after the system confirmation (次月发放), a
certificate number (救助保障证号) issued, the decision published and the household entered on
the roll. Closed by a scheduled job on the service's clock; running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.decisions.models import Confirmation, InitialOpinion
from services.approval.notices.models import CertificateSequence, Notice, NoticeStatus
from services.approval.notices.service import effective_month_of
from services.approval.roll import service as roll
from shared.clock import now_of
from shared.contracts.approval import ApplicationDecided, NoticeClosed
from shared.counters import Counter
from shared.outbox import emit
from shared.programs import Program
from shared.workdays import SHANGHAI

BATCH = 200
"""Notices closed in one run at most; the next run takes the rest."""


def format_certificate_number(county: str, year: int, sequence: int) -> str:
    """R-AP-4 救助保障证号: <county>-<year>-<sequence>, e.g. 230722-2026-000123."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence {sequence} is outside 1..999999")
    if not (len(county) == 6 and county.isdigit()):
        raise ValueError(f"county {county!r} is not a 6-digit county code")
    return f"{county}-{year:04d}-{sequence:06d}"


CERTIFICATE_NUMBERS = Counter(CertificateSequence)


async def next_certificate_number(session: AsyncSession, *, county: str, year: int) -> str:
    """The county's next certificate number of the year, in one statement: unique, and gapless
    in commit order (the sequence's row stays locked until the commit; a rollback gives the
    number back), on PostgreSQL and SQLite alike."""
    sequence = await CERTIFICATE_NUMBERS.next(session, county=county, year=year)
    return format_certificate_number(county, year, sequence)


def covered_members(case: ReviewCase, household_size: int) -> list[str] | None:
    """Who the confirmed benefit covers, by intake's member ids: the counted members when the
    confirmed household is theirs, the head alone for a household of one (R-BE-4); else None
    (the roll then takes the case's household)."""
    members: Sequence[dict[str, Any]] = case.members or ()
    counted = [m["member_id"] for m in members if m.get("counted")]
    if len(counted) == household_size:
        return counted
    if household_size == 1:
        head = next((m["member_id"] for m in members if m.get("relationship") == "head"), None)
        return [head] if head else None
    return None


async def covered_of(session: AsyncSession, notice: Notice, case: ReviewCase) -> list[str] | None:
    """Who the confirmation covers (its opinion's ``covered_member_ids``, R-BE-4), else as
    :func:`covered_members` finds them."""
    opinion = await session.scalar(
        select(InitialOpinion).join(Confirmation, Confirmation.opinion_id == InitialOpinion.id)
        .where(Confirmation.id == notice.confirmation_id))
    ids = (opinion.figures or {}).get("covered_member_ids") if opinion is not None else None
    return list(ids) if ids else covered_members(case, notice.household_size)


def member_names(case: ReviewCase) -> dict[str, str]:
    members: Sequence[dict[str, Any]] = case.members or ()
    return {m["member_id"]: m["name"] for m in members if m.get("name")}


async def approve_after_notice(session: AsyncSession, notice: Notice, case: ReviewCase) -> None:
    """R-AP-4: no objection by the end of the notice — the case is approved."""
    county = session.info["events"].county
    decided_at = notice.closes_at
    decided_on = decided_at.astimezone(SHANGHAI).date()
    number = await next_certificate_number(session, county=county, year=decided_on.year)
    month = effective_month_of(notice.confirmed_at)
    notice.status = NoticeStatus.passed
    notice.ended_at = decided_at
    notice.certificate_number = number
    notice.effective_month = month
    case.status = CaseStatus.approved
    await session.flush()
    await emit(session, NoticeClosed(
        notice_id=notice.id, case_id=case.id, application_id=case.application_id,
        division=case.division, outcome="passed", closed_at=decided_at,
        certificate_number=number, effective_month=month,
    ), subject=case.id, division=case.division)
    await emit(session, ApplicationDecided(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=Program(case.program),
        division=case.division, outcome="approved", decided_at=decided_at,
        decided_on=decided_on,
    ), subject=case.id, division=case.division)
    members = await covered_of(session, notice, case)
    if Program(case.program) in roll.TEMPORARY_AID:
        await roll.grant_temporary_aid(
            session, case=case, amount_fen=notice.monthly_fen,
            head_name_masked=notice.head_name_masked, member_ids=members)
    else:
        await roll.enter_roll(
            session, case=case, monthly_fen=notice.monthly_fen, effective_month=month,
            certificate_number=number, member_ids=members,
            head_name_masked=notice.head_name_masked, member_names=member_names(case))


async def withdraw_notice(session: AsyncSession, notice: Notice, case: ReviewCase | None) -> None:
    """The case ended otherwise during the notice (its application ended at intake): the
    notice ends without approving anything."""
    notice.status = NoticeStatus.withdrawn
    notice.ended_at = notice.closes_at
    await session.flush()
    await emit(session, NoticeClosed(
        notice_id=notice.id, case_id=notice.case_id, application_id=notice.application_id,
        division=notice.division, outcome="withdrawn", closed_at=notice.closes_at,
    ), subject=notice.case_id, division=notice.division)


async def close_due_notices(session: AsyncSession) -> str:
    """R-AP-3, R-AP-4: close every open notice whose 24:00 of D+7 has passed on the service's
    clock; each passed notice approves its case. Idempotent: a closed notice is not open."""
    now: datetime = now_of(session)
    due = (await session.scalars(
        select(Notice).where(Notice.status == NoticeStatus.open, Notice.closes_at <= now)
        .order_by(Notice.closes_at, Notice.id).limit(BATCH).with_for_update())).all()
    approved = withdrawn = 0
    for notice in due:
        case = await session.get(ReviewCase, notice.case_id, with_for_update=True)
        if case is not None and case.status == CaseStatus.in_public_notice:
            await approve_after_notice(session, notice, case)
            approved += 1
        else:
            await withdraw_notice(session, notice, case)
            withdrawn += 1
    return f"{len(due)} notices closed: {approved} approved, {withdrawn} withdrawn"

