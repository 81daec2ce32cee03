"""The complaints service's daily job (shared.scheduler): complaints past their handling or
answer deadline (R-CO-3) and media cases past their 3 working days (R-CO-4) are noted once each,
as events, so the log, the county's supervision and the city see every missed deadline."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.lists import answer_overdue, handling_overdue
from services.complaints.complaints.models import Complaint
from services.complaints.media.models import MediaCase
from services.complaints.media.service import investigation_overdue
from shared.clock import now_of, today_of
from shared.contracts.complaints import ComplaintOverdue, MediaCaseOverdue
from shared.outbox import emit
from shared.scheduler import Daily, Job

BATCH = 500
"""Records noted in one run at most of each kind; the next run takes the rest."""


async def note_overdue(session: AsyncSession) -> str:
    """R-CO-3, R-CO-4: emit ``complaint_overdue`` (per deadline) and ``media_case_overdue``
    once for each record newly past its deadline; running it twice notes nothing twice."""
    today, now = today_of(session), now_of(session)
    counts = {}
    for deadline, overdue, noted in (
            ("handling", handling_overdue(today), Complaint.handling_overdue_noted_at),
            ("answer", answer_overdue(today), Complaint.answer_overdue_noted_at)):
        late = (await session.scalars(select(Complaint).where(overdue, noted.is_(None))
                                      .order_by(Complaint.id).limit(BATCH))).all()
        for complaint in late:
            setattr(complaint, noted.key, now)
            due = complaint.handling_due_on if deadline == "handling" else complaint.answer_due_on
            assert due is not None
            await emit(session, ComplaintOverdue(
                complaint_id=complaint.id, tracking_number=complaint.tracking_number,
                division=complaint.division, level=complaint.level,
                handled_by=complaint.handled_by, deadline=deadline,
                due_on=due, noted_on=today), subject=complaint.id, division=complaint.division)
        counts[deadline] = len(late)
    media = (await session.scalars(select(MediaCase).where(
        investigation_overdue(today), MediaCase.overdue_noted_at.is_(None))
        .order_by(MediaCase.id).limit(BATCH))).all()
    for case in media:
        case.overdue_noted_at = now
        await emit(session, MediaCaseOverdue(
            media_case_id=case.id, division=case.division,
            investigation_due_on=case.investigation_due_on, noted_on=today),
            subject=case.id, division=case.division)
    await session.flush()
    return (f"{counts['handling']} complaints past handling, {counts['answer']} past their "
            f"answer, {len(media)} media cases past their 3 working days")


JOBS = [
    Job("note_overdue_complaints", note_overdue, Daily(time(0, 20)),
        description="R-CO-3, R-CO-4: note complaints and media cases newly past their "
        "deadlines, once each"),
]
