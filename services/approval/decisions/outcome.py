"""What a confirmation sets going (R-AP-2 → R-AP-3, R-BE-8, R-AP-5): a positive one posts the
public notice (dibao, tekun, near-dibao) or grants temporary aid at once; a negative one
rejects the case, and its written notice with reasons is due within 3 working days."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.decisions.models import (
    Confirmation,
    EmergencyAid,
    InitialOpinion,
    Outcome,
    Refusal,
)
from services.approval.notices.service import post_notice
from services.approval.roll.service import grant_temporary_aid
from shared.context import new_id
from shared.contracts.approval import ApplicationDecided, CaseConfirmed
from shared.divisions import name_of
from shared.outbox import emit
from shared.programs import Program, written_refusal_deadline
from shared.workdays import SHANGHAI, WorkingCalendar

TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})
UNKNOWN_NAME = "*"


def township_name(division: str) -> str:
    return name_of(division[:9]) or division[:9]


def county_name(division: str) -> str:
    return name_of(division[:6]) or division[:6]


def refusal_document_number(case: ReviewCase, year: int) -> str:
    """发文字号 of the written refusal: the township's, the year, the application's number."""
    return f"{township_name(case.division)}民救〔{year}〕{case.application_number}号"


def status_after(program: Program, outcome: str) -> CaseStatus:
    if outcome == Outcome.rejected:
        return CaseStatus.rejected
    return CaseStatus.approved if program in TEMPORARY_AID else CaseStatus.in_public_notice


async def granted_first(session: AsyncSession, application_id: str) -> int:
    """Emergency aid already granted at intake on the application (先行救助, R-IN-5)."""
    aid = await session.scalar(select(EmergencyAid.amount_fen)
                               .where(EmergencyAid.application_id == application_id))
    return aid or 0


async def carry_out(session: AsyncSession, *, case: ReviewCase, opinion: InitialOpinion,
                    confirmation: Confirmation, calendar: WorkingCalendar) -> None:
    """Record the confirmation and do what it decides; the case's status follows."""
    program = Program(case.program)
    session.add(confirmation)
    await session.flush()
    status = status_after(program, confirmation.outcome)
    await emit(session, CaseConfirmed(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=program, division=case.division,
        confirmation_id=confirmation.id, opinion_id=opinion.id,
        opinion_version=opinion.version, by=confirmation.by,
        meeting_id=confirmation.meeting_id, outcome=confirmation.outcome,
        amount_fen=confirmation.amount_fen, case_by_case=confirmation.case_by_case,
        reason_code=confirmation.reason_code, confirmed_by=confirmation.confirmed_by,
        confirmed_at=confirmation.confirmed_at, status=status,
    ), subject=case.id, division=case.division)
    members = opinion.figures.get("covered_member_ids") or None
    if confirmation.outcome == Outcome.rejected:
        await reject(session, case=case, confirmation=confirmation, calendar=calendar)
    elif program in TEMPORARY_AID:  # paid once, at approval: no public notice (R-BE-8, R-DI-3)
        rest = confirmation.amount_fen - await granted_first(session, case.application_id)
        if rest > 0:
            await grant_temporary_aid(
                session, case=case, amount_fen=rest,
                head_name_masked=case.head_name_masked or UNKNOWN_NAME,
                unit="person" if members and len(members) == 1 else "household",
                member_ids=members)
        case.status = CaseStatus.approved
        await session.flush()
        await _decided(session, case, confirmation)
    else:  # R-AP-3: the notice is posted; its end approves the case (R-AP-4)
        await post_notice(session, case=case, confirmation_id=confirmation.id,
                          monthly_fen=confirmation.amount_fen,
                          household_size=max(1, len(members or ())),
                          confirmed_at=confirmation.confirmed_at)


async def reject(session: AsyncSession, *, case: ReviewCase, confirmation: Confirmation,
                 calendar: WorkingCalendar) -> Refusal:
    """R-AP-5: the case is rejected; the written notice with reasons is due within 3 working
    days of the decision. ``application_decided`` ends the application at intake."""
    decided_on = confirmation.confirmed_at.astimezone(SHANGHAI).date()
    due = written_refusal_deadline(decided_on, calendar)
    assert confirmation.reason_code is not None and confirmation.reasons
    refusal = Refusal(
        id=new_id(), case_id=case.id, confirmation_id=confirmation.id, division=case.division,
        document_number=refusal_document_number(case, decided_on.year),
        reason_code=confirmation.reason_code, reasons=confirmation.reasons,
        decided_at=confirmation.confirmed_at, decided_on=decided_on, notice_due_on=due.last_day,
        notice_due_provisional=due.provisional)
    session.add(refusal)
    case.status = CaseStatus.rejected
    await session.flush()
    await _decided(session, case, confirmation)
    return refusal


async def _decided(session: AsyncSession, case: ReviewCase, confirmation: Confirmation) -> None:
    rejected = confirmation.outcome == Outcome.rejected
    await emit(session, ApplicationDecided(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=Program(case.program),
        division=case.division, outcome="rejected" if rejected else "approved",
        decided_at=confirmation.confirmed_at,
        decided_on=confirmation.confirmed_at.astimezone(SHANGHAI).date(),
        reason_code=confirmation.reason_code if rejected else None,
        reason="；".join(confirmation.reasons or ()) if rejected else None,
    ), subject=case.id, division=case.division)
