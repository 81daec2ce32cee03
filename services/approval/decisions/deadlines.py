"""R-AP-7 deadlines: the review period extended once by the township leader, with a reason
(dibao 30 working days instead of 20, tekun 20 instead of 15), and the overdue counts per
township and county."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import OPEN_STATUSES, ReviewCase
from services.approval.decisions.models import ReviewExtension
from services.approval.decisions.schemas import OverdueCount, OverdueSummary
from services.approval.decisions.service import WrongStatus, case_for_step
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.approval import ReviewDeadlineExtended
from shared.divisions import name_of
from shared.outbox import emit
from shared.problems import Conflict, RuleViolation
from shared.programs import Program, review_deadline
from shared.workdays import WorkingCalendar

EXTENDABLE = frozenset({Program.DIBAO, Program.TEKUN})
"""R-AP-7 gives a longer period with a recorded extension to these programs only."""


class AlreadyExtended(Conflict):
    slug, title = "already-extended", "The review period was extended already"


async def extend(session: AsyncSession, *, user: User, case_id: str, reason: str,
                 calendar: WorkingCalendar) -> ReviewExtension:
    """R-AP-7: the leader extends the review period of an open dibao or tekun case, once, with
    a reason; the due date is counted again from the acceptance on the calendar."""
    case = await case_for_step(session, user=user, case_id=case_id)
    program = Program(case.program)
    if program not in EXTENDABLE:
        raise RuleViolation(f"{program} has no extended review period: only dibao and tekun may "
                            "be extended (R-AP-7)", rule="R-AP-7")
    if case.status not in OPEN_STATUSES:
        raise WrongStatus(f"case {case.id} is {case.status}: its review has ended",
                          case_status=case.status)
    if case.review_extended:
        raise AlreadyExtended(f"the review period of case {case.id} was extended already; it "
                              "is extended once (R-AP-7)", rule="R-AP-7")
    due = review_deadline(program, case.accepted_on, calendar, extended=True)
    now = now_of(session)
    extension = ReviewExtension(
        id=new_id(), case_id=case.id, reason=reason, previous_due_on=case.review_due_on,
        review_due_on=due.last_day, review_due_provisional=due.provisional,
        extended_by=user.user_id, extended_at=now)
    session.add(extension)
    case.review_due_on, case.review_due_provisional = due.last_day, due.provisional
    case.review_extended = True
    await session.flush()
    await emit(session, ReviewDeadlineExtended(
        case_id=case.id, application_id=case.application_id, program=program,
        division=case.division, reason=reason, previous_due_on=extension.previous_due_on,
        review_due_on=due.last_day, review_due_provisional=due.provisional,
        extended_by=user.user_id, extended_at=now,
    ), subject=case.id, division=case.division)
    return extension


async def extension_of(session: AsyncSession, case_id: str) -> ReviewExtension | None:
    return await session.scalar(select(ReviewExtension)
                                .where(ReviewExtension.case_id == case_id))


async def overdue_summary(session: AsyncSession, *, user: User, today: date) -> OverdueSummary:
    """R-AP-7: open cases and those past their last day, per township (the first 9 digits of
    the division) and per county, inside the user's jurisdiction."""
    township = func.substr(ReviewCase.division, 1, 9)
    late = func.sum(when((ReviewCase.review_due_on < today, 1), else_=0))
    rows = (await session.execute(
        select(township, func.count(), late)
        .where(user.jurisdiction(ReviewCase.division), ReviewCase.status.in_(OPEN_STATUSES))
        .group_by(township).order_by(township))).all()
    townships = [OverdueCount(division=code, name=name_of(code), open=n, overdue=int(k or 0))
                 for code, n, k in rows]
    counties: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in townships:
        counts = counties[t.division[:6]]
        counts[0] += t.open
        counts[1] += t.overdue
    return OverdueSummary(on=today, townships=townships, counties=[
        OverdueCount(division=code, name=name_of(code), open=n, overdue=k)
        for code, (n, k) in sorted(counties.items())])
