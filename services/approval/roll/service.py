"""Rules of the roll: a case enters it when its notice closes without objection (R-AP-4); every
change is an entry of its history and an event disbursement pays from (R-DI-1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import ReviewCase
from services.approval.decisions.models import InitialOpinion
from services.approval.low_income import service as low_income
from services.approval.rechecks.schedule import next_due, recheck_frequency
from services.approval.relatives.service import is_flagged
from services.approval.roll.models import (
    Beneficiary,
    ChangeKind,
    CoveredMember,
    RollChange,
    RollStatus,
    TemporaryAidGrant,
)
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import current_actor, new_id
from shared.contracts.approval import BeneficiaryApproved, TemporaryAidGranted
from shared.db import where_given
from shared.inputs import Keyset, Window
from shared.masking import mask_name
from shared.months import month_of
from shared.outbox import emit
from shared.programs import PROGRAMS, Program
from shared.records import get_in_jurisdiction

log = structlog.get_logger(__name__)

ROLL_PROGRAMS = frozenset({Program.DIBAO, Program.TEKUN, Program.NEAR_DIBAO})
"""Programs whose beneficiaries stay on the roll (monthly, or a recognition)."""
TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})

Unit = Literal["household", "person"]


def default_unit(program: str) -> Unit:
    """Household benefits are paid to the head, personal ones to the person (R-DI-4)."""
    return "person" if PROGRAMS[Program(program)].unit == "person" else "household"


async def near_relative_flagged(session: AsyncSession, case_id: str) -> bool:
    """R-AP-8 through R-DY-2: does the case touch a filed near relative?"""
    return await is_flagged(session, case_id)


WORKING_AGE = (16, 60)
"""Assumption (R-DY-2 names no ages): members from 16 up to 60 count as of working age."""


async def able_to_work_found(
    session: AsyncSession, case: ReviewCase, member_ids: Sequence[str] | None, today: date
) -> bool:
    """R-DY-2: does a covered member of working age have the ability to work, as the initial
    opinion assessed them (R-AP-1; a member it did not assess keeps the rules' default)?"""
    opinion = await session.scalar(select(InitialOpinion).where(
        InitialOpinion.case_id == case.id).order_by(InitialOpinion.version.desc()).limit(1))
    facts = {c.get("member_id"): c for c in (opinion.circumstances if opinion else [])}
    for member in case.members or ():
        covered = (member.get("member_id") in member_ids if member_ids is not None
                   else member.get("counted", True))
        if not covered or not member.get("birth_date"):
            continue
        born = date.fromisoformat(member["birth_date"])
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if WORKING_AGE[0] <= age < WORKING_AGE[1] and facts.get(
                member.get("member_id"), {}).get("able_to_work", True):
            return True
    return False


async def enter_roll(
    session: AsyncSession, *, case: ReviewCase, monthly_fen: int, effective_month: str,
    certificate_number: str, member_ids: Sequence[str] | None = None, head_name_masked: str,
    unit: Unit | None = None, member_names: Mapping[str, str] | None = None,
    unsteady_income: bool = False, able_to_work: bool | None = None,
) -> Beneficiary:
    """R-AP-4: the approved case enters the roll (纳入保障名册) with its amount from its first
    month and its certificate, its re-checks scheduled (R-DY-2); ``beneficiary_approved``
    tells disbursement and intake. Once per case: a second call returns the first entry."""
    existing = await session.scalar(select(Beneficiary).where(Beneficiary.case_id == case.id))
    if existing is not None:
        return existing
    program = Program(case.program)
    if program not in ROLL_PROGRAMS:
        raise ValueError(f"{program} is not kept on the roll: grant_temporary_aid pays it once")
    if monthly_fen < 0:
        raise ValueError("monthly_fen must not be negative")
    now, today = now_of(session), today_of(session)
    members = list(dict.fromkeys(member_ids)) if member_ids is not None else None
    names = member_names or {}
    near_relative = await near_relative_flagged(session, case.id)
    if able_to_work is None:
        able_to_work = await able_to_work_found(session, case, members, today)
    months, reasons = recheck_frequency(unsteady_income=unsteady_income,
                                        able_to_work=able_to_work, near_relative=near_relative)
    actor = current_actor.get().user_id
    beneficiary = Beneficiary(
        id=new_id(), case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=str(program),
        division=case.division, area=case.area, unit=unit or default_unit(program),
        head_name_masked=mask_name(head_name_masked),
        household_size=len(members) if members is not None else case.household_size,
        monthly_fen=monthly_fen, amount_from=effective_month, effective_month=effective_month,
        certificate_number=certificate_number, status=RollStatus.active, stop_month=None,
        stop_reason=None, exit_from_month=None, stop_emitted=False, recheck_months=months,
        recheck_reasons=reasons, unsteady_income=unsteady_income, able_to_work=able_to_work,
        near_relative=near_relative, next_recheck_due=next_due(today, months),
        last_recheck_on=None, approved_at=now, approved_by=actor, updated_at=now,
    )
    session.add(beneficiary)
    session.add_all(CoveredMember(beneficiary_id=beneficiary.id, member_id=m,
                                  name_masked=mask_name(names[m]) if m in names else None)
                    for m in members or ())
    await record_change(session, beneficiary, ChangeKind.approved, amount_fen=monthly_fen,
                        effective_month=effective_month,
                        detail=f"certificate {certificate_number}; re-checked every {months} "
                        f"months{' (' + ', '.join(reasons) + ')' if reasons else ''}")
    await session.flush()
    await emit_approved(session, beneficiary, member_ids=members)
    await low_income.on_roll_entered(session, beneficiary, member_ids=members, names=names)
    return beneficiary


async def emit_approved(
    session: AsyncSession, beneficiary: Beneficiary, *, member_ids: Sequence[str] | None
) -> None:
    await emit(session, BeneficiaryApproved(
        beneficiary_id=beneficiary.id, application_id=beneficiary.application_id,
        program=Program(beneficiary.program), division=beneficiary.division,
        head_name_masked=beneficiary.head_name_masked, amount_fen=beneficiary.monthly_fen,
        effective_month=beneficiary.effective_month,
        unit=beneficiary.unit,
        member_ids=list(member_ids) if member_ids is not None else None,
    ), subject=beneficiary.id, division=beneficiary.division)


async def grant_temporary_aid(
    session: AsyncSession, *, case: ReviewCase, amount_fen: int, head_name_masked: str,
    unit: Unit | None = None, member_ids: Sequence[str] | None = None,
) -> TemporaryAidGrant:
    """R-BE-8: temporary aid granted, paid once as soon as granted (R-DI-3): recorded and told
    as ``temporary_aid_granted``. Once per case."""
    existing = await session.scalar(
        select(TemporaryAidGrant).where(TemporaryAidGrant.case_id == case.id))
    if existing is not None:
        return existing
    program = Program(case.program)
    if program not in TEMPORARY_AID:
        raise ValueError(f"{program} is not temporary aid")
    if amount_fen < 0:
        raise ValueError("amount_fen must not be negative")
    now = now_of(session)
    members = list(dict.fromkeys(member_ids)) if member_ids is not None else None
    grant = TemporaryAidGrant(
        id=new_id(), case_id=case.id, application_id=case.application_id,
        program=str(program), division=case.division, unit=unit or "household",
        head_name_masked=mask_name(head_name_masked), amount_fen=amount_fen,
        month=month_of(today_of(session)), member_ids=members, granted_at=now,
    )
    session.add(grant)
    await session.flush()
    await emit(session, TemporaryAidGranted(
        beneficiary_id=grant.id, application_id=grant.application_id,
        program=program,
        division=grant.division, head_name_masked=grant.head_name_masked,
        amount_fen=grant.amount_fen, effective_month=grant.month,
        unit=grant.unit,
        member_ids=members,
    ), subject=grant.id, division=grant.division)
    await low_income.on_temporary_aid(session, grant)
    return grant


async def record_change(
    session: AsyncSession, beneficiary: Beneficiary, kind: ChangeKind, *,
    amount_fen: int | None = None, effective_month: str | None = None,
    detail: str | None = None, reference: str | None = None, actor: str | None = None,
) -> RollChange:
    """Append one entry to the beneficiary's history (R-AU-2)."""
    now = now_of(session)
    change = RollChange(beneficiary_id=beneficiary.id, kind=kind, amount_fen=amount_fen,
                        effective_month=effective_month, detail=detail, reference=reference,
                        actor=actor or current_actor.get().user_id, at=now)
    session.add(change)
    beneficiary.updated_at = now
    return change


ROLL = Keyset("roll", Beneficiary.approved_at.asc(), Beneficiary.id.asc())
"""The order of the roll's list and its cursors: the oldest entry first."""


async def list_roll(
    session: AsyncSession, *, user: User, program: str | None = None,
    status: RollStatus | None = None, division: str | None = None,
    application_id: str | None = None, window: Window | None = None,
) -> Sequence[Beneficiary]:
    """The roll inside the user's jurisdiction (R-SE-1), oldest first (:data:`ROLL`)."""
    query = select(Beneficiary).where(user.jurisdiction(Beneficiary.division))
    query = where_given(query, (Beneficiary.program, program), (Beneficiary.status, status),
                        (Beneficiary.application_id, application_id))
    if division is not None:
        query = query.where(Beneficiary.division.startswith(division))
    query = (window or Window(ROLL, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_beneficiary(
    session: AsyncSession, *, user: User, beneficiary_id: str, for_update: bool = False
) -> Beneficiary:
    return await get_in_jurisdiction(session, Beneficiary, beneficiary_id, user=user,
                                     missing=f"no beneficiary {beneficiary_id} on the roll",
                                     for_update=for_update)


async def members_and_history(
    session: AsyncSession, beneficiary: Beneficiary
) -> tuple[Sequence[CoveredMember], Sequence[RollChange]]:
    """The members a benefit covers and its history, oldest first."""
    members = await session.scalars(select(CoveredMember).where(
        CoveredMember.beneficiary_id == beneficiary.id).order_by(CoveredMember.member_id))
    history = await session.scalars(select(RollChange).where(
        RollChange.beneficiary_id == beneficiary.id).order_by(RollChange.id))
    return members.all(), history.all()
