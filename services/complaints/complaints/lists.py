"""Lists of complaints (R-CO-2, R-CO-3): in one's reach, overdue (handling or answer) with the
count per handling township and county, and the results filed with the city."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.access import visible_to
from services.complaints.complaints.models import Complaint, Level, Status
from shared.auth import User
from shared.clock import today_of
from shared.db import where_given
from shared.inputs import Keyset, Window

COMPLAINTS = Keyset("complaints", Complaint.registered_at.desc(), Complaint.id.asc())
"""The order of the list of complaints and its cursors: the newest first."""
OVERDUE_HANDLING = Keyset("complaints-overdue-handling", Complaint.handling_due_on.asc(),
                          Complaint.id.asc())
OVERDUE_ANSWER = Keyset("complaints-overdue-answer", Complaint.answer_due_on.asc(),
                        Complaint.id.asc())
CITY_FILINGS = Keyset("complaints-city-filings", Complaint.result_filed_at.desc(),
                      Complaint.id.asc())

Overdue = Literal["handling", "answer"]


def handling_overdue(today: date) -> ColumnElement[bool]:
    """SQL: not concluded, and the handling deadline's last day has passed."""
    return and_(Complaint.status != Status.concluded.value, Complaint.handling_due_on < today)


def answer_overdue(today: date) -> ColumnElement[bool]:
    """SQL: an answer asked for, not given, and its deadline's last day has passed."""
    return and_(Complaint.answer_wanted.is_(True), Complaint.answered_on.is_(None),
                Complaint.answer_due_on < today)


def is_handling_overdue(complaint: Complaint, today: date) -> bool:
    return complaint.status != Status.concluded and complaint.handling_due_on < today


def is_answer_overdue(complaint: Complaint, today: date) -> bool:
    return (complaint.answer_wanted and complaint.answered_on is None
            and complaint.answer_due_on is not None and complaint.answer_due_on < today)


async def list_complaints(
    session: AsyncSession, *, user: User, status: Status | None = None,
    level_: Level | None = None, kind: str | None = None, concerns: str | None = None,
    channel: str | None = None, division: str | None = None,
    case_reference_id: str | None = None, window: Window | None = None,
) -> Sequence[Complaint]:
    """Complaints the user may see, the newest first (:data:`COMPLAINTS`)."""
    query = select(Complaint).where(visible_to(user))
    if division is not None:
        user.require_access(division)
        query = query.where(Complaint.division.startswith(division))
    query = where_given(query, (Complaint.status, status), (Complaint.level, level_),
                        (Complaint.kind, kind), (Complaint.concerns, concerns),
                        (Complaint.channel, channel),
                        (Complaint.case_reference_id, case_reference_id))
    query = (window or Window(COMPLAINTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def list_overdue(session: AsyncSession, *, user: User, which: Overdue,
                       handled_by: str | None = None, window: Window | None = None
                       ) -> Sequence[Complaint]:
    """R-CO-3: complaints past their handling deadline, or past the answer's, the longest
    overdue first."""
    today = today_of(session)
    overdue = handling_overdue(today) if which == "handling" else answer_overdue(today)
    query = select(Complaint).where(visible_to(user), overdue)
    if handled_by is not None:
        query = query.where(Complaint.handled_by == handled_by)
    keyset = OVERDUE_HANDLING if which == "handling" else OVERDUE_ANSWER
    return (await session.scalars((window or Window(keyset, limit=100)).apply(query))).all()


@dataclass(frozen=True)
class OverdueCount:
    handled_by: str
    level: str
    open: int
    handling_overdue: int
    answer_overdue: int


async def overdue_by_handler(session: AsyncSession, *, user: User) -> list[OverdueCount]:
    """R-CO-3: per township and county that handles complaints, how many are open and how
    many are past their handling or answer deadline (one grouped query)."""
    today = today_of(session)

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = (await session.execute(
        select(Complaint.handled_by, Complaint.level,
               count(Complaint.status != Status.concluded.value),
               count(handling_overdue(today)), count(answer_overdue(today)))
        .where(visible_to(user), or_(Complaint.status != Status.concluded.value,
                                     answer_overdue(today)))
        .group_by(Complaint.handled_by, Complaint.level)
        .order_by(Complaint.handled_by))).all()
    return [OverdueCount(h, lv, int(o), int(ho), int(ao)) for h, lv, o, ho, ao in rows]


async def city_filings(session: AsyncSession, *, user: User, county: str | None = None,
                       window: Window | None = None) -> Sequence[Complaint]:
    """R-CO-2 备案: the results the counties filed with the city, the newest first."""
    query = select(Complaint).where(visible_to(user), Complaint.result_filed_at.is_not(None))
    if county is not None:
        user.require_access(county)
        query = query.where(Complaint.division.startswith(county))
    return (await session.scalars((window or Window(CITY_FILINGS, limit=100)).apply(query))
            ).all()
