"""The ledger's daily job (shared.scheduler): an item past its deadline and not done is noted
once, as an event (R-OV-3), so the log, the monthly report and the city see it."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.rectification.models import RectificationItem
from services.complaints.rectification.service import overdue_on
from shared.clock import now_of, today_of
from shared.contracts.complaints import RectificationItemOverdue
from shared.outbox import emit
from shared.scheduler import Daily, Job

BATCH = 500
"""Items noted in one run at most; the next run takes the rest."""


async def note_overdue_items(session: AsyncSession) -> str:
    """R-OV-3: emit ``rectification_item_overdue`` once for each item newly past its deadline;
    running it twice notes nothing twice."""
    today, now = today_of(session), now_of(session)
    late = (await session.scalars(
        select(RectificationItem).where(overdue_on(today),
                                        RectificationItem.overdue_noted_at.is_(None))
        .order_by(RectificationItem.due_on, RectificationItem.id).limit(BATCH))).all()
    for item in late:
        item.overdue_noted_at = now
        await emit(session, RectificationItemOverdue(
            item_id=item.id, source=item.source, source_id=item.source_id,
            division=item.division, responsible=item.responsible, due_on=item.due_on,
            noted_on=today), subject=item.id, division=item.division)
    await session.flush()
    return f"{len(late)} rectification items past their deadline noted"


JOBS = [
    Job("note_overdue_rectification", note_overdue_items, Daily(time(0, 25)),
        description="R-OV-3: note once each ledger item newly past its correction deadline"),
]
