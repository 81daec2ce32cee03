"""The roll's scheduled jobs (shared.scheduler): re-checks issued as they fall due (R-DY-2),
and stops announced and made as their month comes (R-BE-6, R-DY-3)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.adjustments.service import emit_stop, mark_stopped
from services.approval.rechecks.service import cancel_open, issue_due_rechecks
from services.approval.roll.models import Beneficiary, RollStatus
from shared.clock import today_of
from shared.months import add_months, month_of
from shared.scheduler import Daily, Job


async def stop_due_benefits(session: AsyncSession) -> str:
    """R-BE-6: a gradual exit's stop is announced (``beneficiary_stopped`` for its stop month,
    once) in the month before that month, so it reaches disbursement before the ledger of the
    stop month is frozen on the 24th (R-DI-2); in the stop month the beneficiary is marked
    stopped, its open re-check cancelled and its people moved on the low-income register."""
    current = month_of(today_of(session))
    announce = (await session.scalars(select(Beneficiary).where(
        Beneficiary.stop_month.is_not(None), Beneficiary.stop_emitted.is_(False),
        Beneficiary.stop_month <= add_months(current, 1)).order_by(Beneficiary.id))).all()
    for beneficiary in announce:
        await emit_stop(session, beneficiary, reason=beneficiary.stop_reason or "stopped")
    ending = (await session.scalars(select(Beneficiary).where(
        Beneficiary.status != RollStatus.stopped, Beneficiary.stop_month.is_not(None),
        Beneficiary.stop_month <= current).order_by(Beneficiary.id))).all()
    for beneficiary in ending:
        await mark_stopped(session, beneficiary)
        await cancel_open(session, beneficiary.id)
    await session.flush()
    return f"{len(announce)} stops announced, {len(ending)} beneficiaries stopped"


JOBS = [
    Job("issue_due_rechecks", issue_due_rechecks, Daily(time(1, 0)),
        description="R-DY-2: issue the re-checks falling due within 30 days to verification"),
    Job("stop_due_benefits", stop_due_benefits, Daily(time(0, 30)),
        description="R-BE-6, R-DY-3: announce next month's stops, mark this month's stopped"),
]
