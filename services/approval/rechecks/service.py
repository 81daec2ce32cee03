"""Rules of re-checks (复核, R-DY-2): scheduled per beneficiary, issued to verification as tasks
ahead of their day, their results recorded on the roll with the adjustment they call for
(R-DY-3, R-BE-6), and what is overdue shown per township and county."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import structlog
from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.adjustments import service as adjustments
from services.approval.adjustments.assess import Found
from services.approval.adjustments.models import Source
from services.approval.policy.service import NoPolicyInForce
from services.approval.rechecks.models import Recheck, RecheckStatus
from services.approval.rechecks.schedule import next_due, recheck_frequency
from services.approval.relatives.models import FlaggedCase
from services.approval.relatives.service import require_no_conflict
from services.approval.roll.models import Beneficiary, ChangeKind, CoveredMember, RollStatus
from services.approval.roll.service import near_relative_flagged, record_change
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import current_actor, new_id
from shared.contracts.approval import (
    RecheckRecorded,
    RecheckRequested,
    RecheckScheduleChanged,
    RollMember,
)
from shared.contracts.verification import RecheckCompleted
from shared.db import where_given
from shared.inbox import NotYet
from shared.inputs import Keyset, Window
from shared.months import add_months, month_of
from shared.outbox import emit
from shared.problems import Conflict, NotFound, RuleViolation
from shared.workdays import SHANGHAI

log = structlog.get_logger(__name__)

RECHECKS = Keyset("rechecks", Recheck.due_on.asc(), Recheck.id.asc())
"""The order of the list of re-checks and its cursors: the nearest due day first."""

LEAD_DAYS = 30
"""A re-check is issued to verification this many days before it falls due, so the team can
visit in time; it is overdue from the day after its due day until its result is recorded."""

ISSUE_BATCH = 1000
"""Re-checks issued per run of the job at most; the next run issues the rest."""


class RecheckNotIssued(NotYet):
    """A result names a re-check not recorded here (yet): redeliver later."""


async def issue(
    session: AsyncSession, beneficiary: Beneficiary, *, trigger: str, due_on: date
) -> Recheck:
    """Issue one re-check to verification (``recheck_requested``), once while one is open."""
    open_ = await session.scalar(select(Recheck).where(
        Recheck.beneficiary_id == beneficiary.id, Recheck.status == RecheckStatus.requested))
    if open_ is not None:
        return open_
    now = now_of(session)
    recheck = Recheck(
        id=new_id(), beneficiary_id=beneficiary.id, division=beneficiary.division,
        program=beneficiary.program, trigger=trigger, due_on=due_on,
        frequency_months=beneficiary.recheck_months, reasons=list(beneficiary.recheck_reasons),
        status=RecheckStatus.requested, requested_at=now,
        requested_by=current_actor.get().user_id)
    session.add(recheck)
    members = (await session.scalars(select(CoveredMember).where(
        CoveredMember.beneficiary_id == beneficiary.id).order_by(CoveredMember.member_id))).all()
    await record_change(session, beneficiary, ChangeKind.recheck_requested,
                        detail=f"due {due_on} ({trigger})", reference=recheck.id)
    await session.flush()
    await emit(session, RecheckRequested(
        recheck_id=recheck.id, beneficiary_id=beneficiary.id, case_id=beneficiary.case_id,
        application_id=beneficiary.application_id,
        application_number=beneficiary.application_number,
        program=beneficiary.program,
        division=beneficiary.division, head_name_masked=beneficiary.head_name_masked,
        household_size=beneficiary.household_size,
        members=[RollMember(member_id=m.member_id, name_masked=m.name_masked) for m in members],
        monthly_fen=beneficiary.monthly_fen, due_on=due_on,
        frequency_months=beneficiary.recheck_months,
        reasons=list(beneficiary.recheck_reasons), requested_at=now,
    ), subject=recheck.id, division=beneficiary.division)
    return recheck


async def follow_near_relative_flags(session: AsyncSession) -> int:
    """R-DY-2 with R-AP-8: a case flagged for a filed near relative after it entered the roll
    is re-checked every 6 months from then on (its next due day brought forward)."""
    flagged = select(FlaggedCase.case_id).where(FlaggedCase.case_id == Beneficiary.case_id)
    newly = (await session.scalars(select(Beneficiary).where(
        Beneficiary.near_relative.is_(False), Beneficiary.status != RollStatus.stopped,
        flagged.exists()))).all()
    for beneficiary in newly:
        beneficiary.near_relative = True
        months, reasons = recheck_frequency(unsteady_income=beneficiary.unsteady_income,
                                            able_to_work=beneficiary.able_to_work,
                                            near_relative=True)
        since = beneficiary.last_recheck_on or beneficiary.approved_at.astimezone(SHANGHAI).date()
        beneficiary.recheck_months, beneficiary.recheck_reasons = months, reasons
        beneficiary.next_recheck_due = min(beneficiary.next_recheck_due, next_due(since, months))
        await record_change(session, beneficiary, ChangeKind.recheck_frequency,
                            detail=f"every {months} months ({', '.join(reasons)})")
    return len(newly)


async def issue_due_rechecks(session: AsyncSession) -> str:
    """The scheduler's job (R-DY-2): every beneficiary still paid whose re-check falls due
    within :data:`LEAD_DAYS` and has none open gets one (flags of near relatives followed
    first)."""
    flagged = await follow_near_relative_flags(session)
    today = today_of(session)
    has_open = select(Recheck.id).where(Recheck.beneficiary_id == Beneficiary.id,
                                        Recheck.status == RecheckStatus.requested).exists()
    due = (await session.scalars(
        select(Beneficiary)
        .where(Beneficiary.status != RollStatus.stopped, Beneficiary.stop_emitted.is_(False),
               Beneficiary.next_recheck_due <= today + timedelta(days=LEAD_DAYS), ~has_open)
        .order_by(Beneficiary.next_recheck_due, Beneficiary.id).limit(ISSUE_BATCH))).all()
    for beneficiary in due:
        await issue(session, beneficiary, trigger="scheduled", due_on=beneficiary.next_recheck_due)
    return f"{len(due)} re-checks issued, {flagged} newly half-yearly (R-AP-8)"


async def request_recheck(
    session: AsyncSession, *, user: User, beneficiary: Beneficiary, due_on: date | None
) -> Recheck:
    """A caseworker asks for a re-check now (a reported change, a spot check of a flagged case,
    R-AP-8): issued at once, due on the day given or the next due day."""
    user.require_access(beneficiary.division)
    if beneficiary.status == RollStatus.stopped:
        raise Conflict(f"beneficiary {beneficiary.id} has stopped", field="beneficiary_id")
    today = today_of(session)
    if due_on is not None and due_on < today:
        raise Conflict(f"due_on {due_on} is before today {today}", field="due_on")
    return await issue(session, beneficiary, trigger="requested",
                       due_on=due_on or max(today, beneficiary.next_recheck_due))


async def set_unsteady_income(
    session: AsyncSession, *, user: User, beneficiary: Beneficiary, unsteady: bool, reason: str
) -> Beneficiary:
    """R-DY-2: a caseworker says the household's income is (no longer) unsteady before its
    next re-check finds it: the frequency follows and the next due day is counted again from
    the last re-check (or the approval); a shorter frequency never puts it later."""
    user.require_access(beneficiary.division)
    await require_no_conflict(session, case_id=beneficiary.case_id, user=user)
    if beneficiary.status == RollStatus.stopped:
        raise Conflict(f"beneficiary {beneficiary.id} has stopped", field="beneficiary_id")
    beneficiary.unsteady_income = unsteady
    months, reasons = recheck_frequency(unsteady_income=unsteady,
                                        able_to_work=beneficiary.able_to_work,
                                        near_relative=beneficiary.near_relative)
    since = beneficiary.last_recheck_on or beneficiary.approved_at.astimezone(SHANGHAI).date()
    due = next_due(since, months)
    if months < beneficiary.recheck_months:
        due = min(due, beneficiary.next_recheck_due)
    beneficiary.recheck_months, beneficiary.recheck_reasons = months, reasons
    beneficiary.next_recheck_due = due
    await record_change(session, beneficiary, ChangeKind.recheck_frequency,
                        detail=f"every {months} months"
                        f"{' (' + ', '.join(reasons) + ')' if reasons else ''}: {reason}")
    await session.flush()
    await emit(session, RecheckScheduleChanged(
        beneficiary_id=beneficiary.id, division=beneficiary.division, unsteady_income=unsteady,
        frequency_months=months, reasons=reasons, next_recheck_due=due, reason=reason,
        changed_by=user.user_id), subject=beneficiary.id, division=beneficiary.division)
    return beneficiary


async def record_result(session: AsyncSession, completed: RecheckCompleted) -> Recheck:
    """The re-check's result on the roll (R-DY-2): the re-check schedule follows what was found
    (half-yearly for unsteady income, members able to work, a filed near relative), and the
    change the benefit rules give is proposed (R-DY-3, R-BE-6), proposed by whoever recorded
    the result, for a township leader to confirm (R-AP-2). Once per re-check."""
    recheck = await session.scalar(
        select(Recheck).where(Recheck.id == completed.recheck_id).with_for_update())
    if recheck is None:
        raise RecheckNotIssued(f"no re-check {completed.recheck_id} here (yet)")
    if recheck.status != RecheckStatus.requested:
        return recheck
    beneficiary = await session.get(Beneficiary, recheck.beneficiary_id, with_for_update=True)
    assert beneficiary is not None
    today = today_of(session)
    found = Found(members=completed.members, income=completed.income, assets=completed.assets,
                  rigid_expenditure=completed.rigid_expenditure,
                  long_lived_in_border_county=completed.long_lived_in_border_county)
    recheck.status, recheck.task_id = RecheckStatus.completed, completed.task_id
    recheck.visited_on, recheck.completed_at = completed.visited_on, completed.completed_at
    recheck.completed_by, recheck.findings = completed.completed_by, completed.findings
    recheck.result = found.as_dict() | {"unsteady_income": completed.unsteady_income}
    before = (beneficiary.recheck_months, list(beneficiary.recheck_reasons))
    beneficiary.unsteady_income = completed.unsteady_income
    beneficiary.able_to_work = any(m.able_to_work and m.covered for m in completed.members)
    beneficiary.near_relative = await near_relative_flagged(session, beneficiary.case_id)
    months, reasons = recheck_frequency(unsteady_income=beneficiary.unsteady_income,
                                        able_to_work=beneficiary.able_to_work,
                                        near_relative=beneficiary.near_relative)
    beneficiary.recheck_months, beneficiary.recheck_reasons = months, reasons
    beneficiary.last_recheck_on = completed.visited_on
    beneficiary.next_recheck_due = next_due(completed.visited_on, months)
    adjustment = await _propose(session, beneficiary, recheck, found, completed, today)
    await record_change(session, beneficiary, ChangeKind.recheck_completed,
                        amount_fen=recheck.assessed_fen, detail=f"{recheck.outcome or 'recorded'}:"
                        f" {completed.findings}", reference=recheck.id,
                        actor=completed.completed_by)
    if before != (months, reasons):
        await record_change(session, beneficiary, ChangeKind.recheck_frequency,
                            detail=f"every {months} months"
                            f"{' (' + ', '.join(reasons) + ')' if reasons else ''}",
                            reference=recheck.id, actor=completed.completed_by)
    await session.flush()
    await emit(session, RecheckRecorded(
        recheck_id=recheck.id, beneficiary_id=beneficiary.id, division=beneficiary.division,
        visited_on=completed.visited_on,
        outcome=recheck.outcome or "unchanged",
        assessed_fen=recheck.assessed_fen, adjustment_id=adjustment,
        frequency_months=months,
        reasons=reasons, next_recheck_due=beneficiary.next_recheck_due,
        recorded_at=now_of(session),
    ), subject=recheck.id, division=beneficiary.division)
    return recheck


async def _propose(
    session: AsyncSession, beneficiary: Beneficiary, recheck: Recheck, found: Found,
    completed: RecheckCompleted, today: date,
) -> str | None:
    """Propose what the rules give, from the month after the re-check (次月); none for a
    benefit already stopping, or when no parameters are in force (recorded without)."""
    if beneficiary.status == RollStatus.stopped or beneficiary.stop_emitted:
        recheck.outcome = "unchanged"
        return None
    await adjustments.supersede_open(session, beneficiary,
                                     why=f"superseded by re-check {recheck.id}")
    try:
        adjustment = await adjustments.propose(
            session, beneficiary=beneficiary, proposed_by=completed.completed_by,
            source=Source.recheck, recheck_id=recheck.id, found=found,
            reason=f"复核 re-check {completed.visited_on}: {completed.findings}",
            effective_month=add_months(month_of(today), 1))
    except (NoPolicyInForce, RuleViolation) as problem:
        log.warning("recheck_not_assessed", recheck_id=recheck.id, reason=problem.detail)
        return None
    if adjustment is None:
        recheck.outcome, recheck.assessed_fen = "unchanged", beneficiary.monthly_fen
        return None
    recheck.outcome, recheck.assessed_fen = adjustment.change, adjustment.new_fen
    recheck.assessment, recheck.adjustment_id = adjustment.assessment, adjustment.id
    return adjustment.id


async def cancel_open(session: AsyncSession, beneficiary_id: str) -> None:
    """A benefit that stopped needs no more re-checks: the open one is cancelled."""
    for recheck in (await session.scalars(select(Recheck).where(
            Recheck.beneficiary_id == beneficiary_id,
            Recheck.status == RecheckStatus.requested))).all():
        recheck.status = RecheckStatus.cancelled


async def list_rechecks(
    session: AsyncSession, *, user: User, today: date, status: RecheckStatus | None = None,
    overdue: bool | None = None, beneficiary_id: str | None = None, division: str | None = None,
    window: Window | None = None,
) -> Sequence[Recheck]:
    """Re-checks inside the user's jurisdiction, the nearest due day first; ``overdue``: not
    done by the end of their due day (R-DY-2)."""
    query = select(Recheck).where(user.jurisdiction(Recheck.division))
    query = where_given(query, (Recheck.status, status), (Recheck.beneficiary_id, beneficiary_id))
    if division is not None:
        query = query.where(Recheck.division.startswith(division))
    if overdue is not None:
        late = and_(Recheck.status == RecheckStatus.requested, Recheck.due_on < today)
        query = query.where(late if overdue else not_(late))
    query = (window or Window(RECHECKS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def overdue_by_township(
    session: AsyncSession, *, user: User, today: date
) -> list[tuple[str, int, int]]:
    """R-DY-2 per township: (township code, open re-checks, overdue ones), in the user's
    jurisdiction. A county's figure is the sum of its townships'."""
    township = func.substr(Recheck.division, 1, 9)
    late = func.sum(case((Recheck.due_on < today, 1), else_=0))
    rows = await session.execute(
        select(township, func.count(), late)
        .where(user.jurisdiction(Recheck.division), Recheck.status == RecheckStatus.requested)
        .group_by(township).order_by(township))
    return [(code, count, int(overdue or 0)) for code, count, overdue in rows.all()]


async def get_recheck(session: AsyncSession, *, user: User, recheck_id: str) -> Recheck:
    recheck = await session.get(Recheck, recheck_id)
    if recheck is None:
        raise NotFound(f"no re-check {recheck_id}")
    user.require_record(recheck.division, f"no re-check {recheck_id}")
    return recheck

