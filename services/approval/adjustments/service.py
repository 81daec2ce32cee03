"""Rules of adjustments (增发、减发、停发, R-DY-3; 渐退, R-BE-6): a caseworker proposes, with the
amount the benefit rules give under the parameters in force; a township leader who is not the
proposer confirms (R-AP-2), from a stated month that is never before the current one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.adjustments.assess import Found, assess_change, household_of
from services.approval.adjustments.models import (
    Adjustment,
    AdjustmentStatus,
    Change,
    Source,
)
from services.approval.low_income import service as low_income
from services.approval.policy.service import NoPolicyInForce, parameters_of, version_in_force
from services.approval.relatives.service import require_no_conflict
from services.approval.roll.models import Beneficiary, ChangeKind, RollStatus
from services.approval.roll.service import record_change
from shared.auth import User
from shared.benefits import Area, Parameters
from shared.benefits.area import applicable_area
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import (
    AdjustmentProposed,
    AdjustmentRejected,
    BeneficiaryAdjusted,
    BeneficiaryStopped,
    GradualExitStarted,
)
from shared.db import where_given
from shared.inputs import Keyset, Window
from shared.months import add_months, first_day, month_of, months_between
from shared.outbox import emit
from shared.problems import Conflict, FourEyes, RuleViolation
from shared.records import get_in_jurisdiction

ADJUSTMENTS = Keyset("adjustments", Adjustment.proposed_at.asc(), Adjustment.id.asc())
"""The order of the list of adjustments and its cursors: the oldest proposal first."""

GRADUAL_EXIT_END = "渐退期满 the gradual exit ended (R-BE-6)"


class AdjustmentMonthPast(Conflict):
    slug = "adjustment-month-past"
    title = "An adjustment takes effect from the current month or later"


class AdjustmentPending(Conflict):
    slug = "adjustment-pending"
    title = "The beneficiary has an adjustment waiting for its confirmation"


async def policy_for(
    session: AsyncSession, beneficiary: Beneficiary, month: str
) -> tuple[str | None, Mapping[Area, Parameters]]:
    """The county's parameters in force on the month's first day, by area (R-BE, R-BE-12),
    and the version of the beneficiary's own area; 409 ``no-policy-in-force`` if it has none."""
    county, on = beneficiary.division[:6], first_day(month)
    found: dict[Area, Parameters] = {}
    own: str | None = None
    for area in ("urban", "rural"):
        version = await version_in_force(session, county=county, area=area, on=on)
        if version is not None:
            found[area] = parameters_of(version)
            if area == beneficiary.area:
                own = version.id
    if own is None:
        raise NoPolicyInForce(
            f"no {beneficiary.area} policy parameters of county {county} are in force on {on}",
            county=county, area=beneficiary.area, on=on.isoformat())
    return own, found


def check_month(month: str, *, current: str) -> None:
    """R-DY-3: a change takes effect from a stated month, never before the current one (a
    decrease or stop never reclaims what was paid; an increase owed for past months is not
    made up by the roll: nothing is paid outside the monthly ledger, R-DI-1, R-DI-2)."""
    if month < current:
        raise AdjustmentMonthPast(f"effective_month {month} is before the current month "
                                  f"{current} (R-DY-3)", field="effective_month")


async def _open_adjustment(session: AsyncSession, beneficiary_id: str) -> Adjustment | None:
    return await session.scalar(select(Adjustment).where(
        Adjustment.beneficiary_id == beneficiary_id,
        Adjustment.status == AdjustmentStatus.proposed))


def _changeable(beneficiary: Beneficiary) -> None:
    if beneficiary.status == RollStatus.stopped or beneficiary.stop_emitted:
        raise Conflict(f"beneficiary {beneficiary.id} stops from {beneficiary.stop_month}: "
                       "nothing more changes on the roll", field="beneficiary_id")


async def propose(
    session: AsyncSession, *, beneficiary: Beneficiary, proposed_by: str,
    source: Source, reason: str, effective_month: str, found: Found | None = None,
    stop: bool = False, recheck_id: str | None = None,
) -> Adjustment | None:
    """R-DY-3: propose the change the rules give for the household as found (or a stop for a
    stated reason: death, moving away, the household's request). None when nothing changes."""
    _changeable(beneficiary)
    check_month(effective_month, current=month_of(today_of(session)))
    assessment: dict[str, object] | None = None
    version_id, stop_month = None, None
    if stop:
        change, new_fen = Change.stop, None
    else:
        if found is None:
            raise ValueError("a recomputed adjustment needs the household as found")
        version_id, params = await policy_for(session, beneficiary, effective_month)
        area: Area = "urban" if beneficiary.area == "urban" else "rural"
        person = found.members[0].member_id if beneficiary.program == "tekun" else None
        try:
            household = household_of(found, area=area, county=beneficiary.division[:6],
                                     on=first_day(effective_month))
            if household.area != applicable_area(household, params):
                version_id = None  # R-BE-12: on the other area's standard
            result = assess_change(
                program=beneficiary.program,
                in_gradual_exit=beneficiary.status == RollStatus.gradual_exit,
                current_fen=beneficiary.monthly_fen, household=household, params=params,
                effective_month=effective_month, person_id=person)
        except ValueError as exc:  # the rules refuse the household as given
            raise RuleViolation(f"the benefit rules cannot compute on this household: {exc}",
                                rule="R-BE", field="household") from exc
        if result.outcome == "unchanged":
            return None
        change, new_fen, stop_month = Change(result.outcome), result.new_fen, result.stop_month
        assessment = result.assessment
    adjustment = Adjustment(
        id=new_id(), beneficiary_id=beneficiary.id, case_id=beneficiary.case_id,
        division=beneficiary.division, change=change, source=source, recheck_id=recheck_id,
        reason=reason, current_fen=beneficiary.monthly_fen, new_fen=new_fen,
        effective_month=effective_month, stop_month=stop_month, policy_version_id=version_id,
        found=found.as_dict() if found is not None else None, assessment=assessment,
        status=AdjustmentStatus.proposed, proposed_by=proposed_by,
        proposed_at=now_of(session))
    session.add(adjustment)
    await session.flush()
    await emit(session, AdjustmentProposed(
        adjustment_id=adjustment.id, beneficiary_id=beneficiary.id, case_id=beneficiary.case_id,
        division=beneficiary.division, change=change.value, source=source.value,
        recheck_id=recheck_id, current_fen=adjustment.current_fen, new_fen=new_fen,
        effective_month=effective_month, stop_month=stop_month, policy_version_id=version_id,
        reason=reason, proposed_by=proposed_by, proposed_at=adjustment.proposed_at,
    ), subject=adjustment.id, division=beneficiary.division)
    return adjustment


async def propose_by_staff(
    session: AsyncSession, *, user: User, beneficiary: Beneficiary, kind: Literal[
        "recompute", "stop"], reason: str, effective_month: str, found: Found | None,
    recheck_id: str | None,
) -> Adjustment | None:
    """A caseworker's proposal after a reported change or a re-check (R-DY-3); one open at a
    time; refused to a staff member with a near relative in the household (R-AP-8)."""
    user.require_access(beneficiary.division)
    await require_no_conflict(session, case_id=beneficiary.case_id, user=user)
    if await _open_adjustment(session, beneficiary.id) is not None:
        raise AdjustmentPending(f"beneficiary {beneficiary.id} has an adjustment waiting for "
                                "its confirmation: confirm or reject it first")
    return await propose(
        session, beneficiary=beneficiary, proposed_by=user.user_id,
        source=Source.recheck if recheck_id else Source.reported_change, reason=reason,
        effective_month=effective_month, found=found, stop=kind == "stop",
        recheck_id=recheck_id)


async def supersede_open(session: AsyncSession, beneficiary: Beneficiary, *, why: str) -> None:
    """A newer re-check replaces a proposal still waiting (rejected, with the reason)."""
    waiting = await _open_adjustment(session, beneficiary.id)
    if waiting is not None:
        await _reject(session, waiting, by="system:approval", reason=why)


async def confirm(
    session: AsyncSession, *, user: User, adjustment_id: str, effective_month: str | None,
    note: str | None,
) -> Adjustment:
    """R-AP-2 four eyes: the township leader, not the proposer, confirms; the change goes on
    the roll from its month and is told to disbursement and intake (R-DY-3, R-BE-6)."""
    adjustment = await _decidable(session, user=user, adjustment_id=adjustment_id)
    beneficiary = await session.get(Beneficiary, adjustment.beneficiary_id, with_for_update=True)
    assert beneficiary is not None
    _changeable(beneficiary)
    current = month_of(today_of(session))
    month = effective_month or adjustment.effective_month
    check_month(month, current=current)
    if month != adjustment.effective_month and adjustment.stop_month is not None:
        shift = months_between(adjustment.effective_month, month)
        adjustment.stop_month = add_months(adjustment.stop_month, shift)
    adjustment.effective_month = month
    adjustment.status = AdjustmentStatus.confirmed
    adjustment.decided_by, adjustment.decided_at = user.user_id, now_of(session)
    adjustment.decision_note = note
    await apply(session, beneficiary, adjustment, current=current)
    return adjustment


async def apply(
    session: AsyncSession, beneficiary: Beneficiary, adjustment: Adjustment, *, current: str
) -> None:
    """Put a confirmed adjustment on the roll, with its history entry and its event."""
    month, change = adjustment.effective_month, Change(adjustment.change)
    subject, division = beneficiary.id, beneficiary.division
    if change in (Change.increase, Change.decrease):
        assert adjustment.new_fen is not None
        beneficiary.monthly_fen, beneficiary.amount_from = adjustment.new_fen, month
        if beneficiary.status == RollStatus.gradual_exit:  # eligible again: the exit ends
            beneficiary.status, beneficiary.stop_month = RollStatus.active, None
            beneficiary.exit_from_month = None
        await record_change(session, beneficiary, ChangeKind(f"{change.value}d"),
                            amount_fen=adjustment.new_fen, effective_month=month,
                            detail=adjustment.reason, reference=adjustment.id)
        await emit(session, BeneficiaryAdjusted(
            beneficiary_id=beneficiary.id, amount_fen=adjustment.new_fen, effective_month=month,
            division=division, adjustment_id=adjustment.id, change=change.value,
        ), subject=subject, division=division)
    elif change == Change.gradual_exit:
        assert adjustment.stop_month is not None
        beneficiary.status = RollStatus.gradual_exit
        beneficiary.exit_from_month, beneficiary.stop_month = month, adjustment.stop_month
        beneficiary.stop_reason = GRADUAL_EXIT_END
        await record_change(session, beneficiary, ChangeKind.gradual_exit,
                            amount_fen=beneficiary.monthly_fen, effective_month=month,
                            detail=f"{adjustment.reason}; stops from {adjustment.stop_month}",
                            reference=adjustment.id)
        await emit(session, GradualExitStarted(
            beneficiary_id=beneficiary.id, adjustment_id=adjustment.id, division=division,
            amount_fen=beneficiary.monthly_fen, first_month=month,
            last_month=add_months(adjustment.stop_month, -1), stop_month=adjustment.stop_month,
        ), subject=subject, division=division)
    else:
        beneficiary.stop_month, beneficiary.stop_reason = month, adjustment.reason
        await record_change(session, beneficiary, ChangeKind.stopped, effective_month=month,
                            detail=adjustment.reason, reference=adjustment.id)
        await emit_stop(session, beneficiary, reason=adjustment.reason,
                        adjustment_id=adjustment.id)
        if month <= current:
            await mark_stopped(session, beneficiary)
    await session.flush()


async def emit_stop(
    session: AsyncSession, beneficiary: Beneficiary, *, reason: str,
    adjustment_id: str | None = None,
) -> None:
    """停发: ``beneficiary_stopped`` for the stop month, exactly once per beneficiary."""
    if beneficiary.stop_emitted or beneficiary.stop_month is None:
        return
    beneficiary.stop_emitted = True
    await emit(session, BeneficiaryStopped(
        beneficiary_id=beneficiary.id, effective_month=beneficiary.stop_month,
        adjustment_id=adjustment_id, reason=reason, division=beneficiary.division,
    ), subject=beneficiary.id, division=beneficiary.division)


async def mark_stopped(session: AsyncSession, beneficiary: Beneficiary) -> None:
    """The stop month has come: the beneficiary leaves the roll's active lists and the
    low-income register's category (after a gradual exit it stays there as near-dibao)."""
    exited = beneficiary.status == RollStatus.gradual_exit
    beneficiary.status = RollStatus.stopped
    beneficiary.updated_at = now_of(session)
    await low_income.on_roll_stopped(session, beneficiary, reason=beneficiary.stop_reason or
                                     "stopped", near_dibao=exited)


async def reject(
    session: AsyncSession, *, user: User, adjustment_id: str, reason: str
) -> Adjustment:
    """The township leader does not confirm the proposal: the roll stays as it was."""
    adjustment = await _decidable(session, user=user, adjustment_id=adjustment_id)
    await _reject(session, adjustment, by=user.user_id, reason=reason)
    return adjustment


async def _reject(session: AsyncSession, adjustment: Adjustment, *, by: str, reason: str) -> None:
    adjustment.status = AdjustmentStatus.rejected
    adjustment.decided_by, adjustment.decided_at = by, now_of(session)
    adjustment.decision_note = reason
    await session.flush()
    await emit(session, AdjustmentRejected(
        adjustment_id=adjustment.id, beneficiary_id=adjustment.beneficiary_id,
        division=adjustment.division, reason=reason, rejected_by=by,
        rejected_at=adjustment.decided_at,
    ), subject=adjustment.id, division=adjustment.division)


async def _decidable(session: AsyncSession, *, user: User, adjustment_id: str) -> Adjustment:
    adjustment = await get_adjustment(session, user=user, adjustment_id=adjustment_id,
                                      for_update=True)
    if adjustment.status != AdjustmentStatus.proposed:
        raise Conflict(f"adjustment {adjustment_id} is {adjustment.status}, not proposed",
                       field="adjustment_id")
    if adjustment.proposed_by == user.user_id:
        raise FourEyes("you proposed this adjustment: another township leader decides it "
                       "(R-AP-2)", rule="R-AP-2")
    await require_no_conflict(session, case_id=adjustment.case_id, user=user)
    return adjustment


async def get_adjustment(
    session: AsyncSession, *, user: User, adjustment_id: str, for_update: bool = False
) -> Adjustment:
    return await get_in_jurisdiction(session, Adjustment, adjustment_id, user=user,
                                     missing=f"no adjustment {adjustment_id}",
                                     for_update=for_update)


async def list_adjustments(
    session: AsyncSession, *, user: User, status: AdjustmentStatus | None = None,
    beneficiary_id: str | None = None, change: Change | None = None,
    window: Window | None = None,
) -> Sequence[Adjustment]:
    """Adjustments inside the user's jurisdiction, the oldest proposal first."""
    query = select(Adjustment).where(user.jurisdiction(Adjustment.division))
    query = where_given(query, (Adjustment.status, status),
                        (Adjustment.beneficiary_id, beneficiary_id), (Adjustment.change, change))
    query = (window or Window(ADJUSTMENTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
