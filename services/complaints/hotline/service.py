"""Rules of the hotline (求助热线, R-CO-5): every call logged, answered or missed, in working
hours or not (the hours a setting, the days from the working-day calendar); the answer rate per
county and month: calls answered in working hours / calls in working hours (target 100%)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.contacts import phone_context
from services.complaints.hotline.models import HotlineCall
from shared.at_rest import seal_at_rest
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.complaints import HotlineCallLogged
from shared.divisions import county_of, level
from shared.inputs import Keyset, Window
from shared.masking import mask_phone
from shared.months import add_months, first_day
from shared.outbox import emit
from shared.problems import InvalidField
from shared.records import get_in_jurisdiction
from shared.workdays import SHANGHAI, WorkingCalendar

CALLS = Keyset("hotline-calls", HotlineCall.called_at.desc(), HotlineCall.id.asc())
"""The order of the call log and its cursors: the latest call first."""

Hours = tuple[tuple[time, time], ...]


def parse_hours(text: str) -> Hours:
    """``"08:30-12:00,13:30-17:30"`` → the ranges, each start before its end (ValueError)."""
    ranges = []
    for part in text.split(","):
        start, end = (time.fromisoformat(t.strip()) for t in part.split("-"))
        if start >= end:
            raise ValueError(f"the range {part} ends before it starts")
        ranges.append((start, end))
    return tuple(ranges)


def in_working_hours(moment: datetime, *, calendar: WorkingCalendar, hours: Hours) -> bool:
    """R-CO-5: the call came on a working day (holidays and 调休 from the calendar), within the
    hotline's hours (Asia/Shanghai; a range includes its start, not its end)."""
    local = moment.astimezone(SHANGHAI)
    if not calendar.is_working_day(local.date()):
        return False
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock < end for start, end in hours)


@dataclass(frozen=True)
class AnswerRate:
    county: str
    month: str
    calls: int
    in_working_hours: int
    answered_in_working_hours: int
    missed_in_working_hours: int
    rate: float | None
    """answered / calls in working hours; None when there were none."""


def answer_rate(answered: int, in_hours: int) -> float | None:
    """R-CO-5 接听率: answered / calls in working hours, to 4 decimals; None without calls."""
    return round(answered / in_hours, 4) if in_hours else None


async def log_call(session: AsyncSession, *, user: User, division: str, called_at: datetime,
                   answered: bool, caller_phone: str | None, note: str | None,
                   calendar: WorkingCalendar, hours: Hours, county: str) -> HotlineCall:
    """Log one call to the county's or a township's line (R-CO-5); emits
    ``hotline_call_logged`` with the caller's phone sealed."""
    if level(division) not in ("county", "township") or county_of(division) != county:
        raise InvalidField("division", f"{division} is not this county's or one of its "
                           "townships' line")
    user.require_access(division)
    now = now_of(session)
    if called_at > now:
        raise InvalidField("called_at", "the call is in the future")
    call_id = new_id()
    call = HotlineCall(
        id=call_id, division=division, called_at=called_at, answered=answered,
        in_working_hours=in_working_hours(called_at, calendar=calendar, hours=hours),
        caller_phone_sealed=seal_at_rest(
            session, "phone", phone_context("hotline_call", call_id), caller_phone)
        if caller_phone else None,
        caller_phone_masked=mask_phone(caller_phone) if caller_phone else None,
        note=note, complaint_id=None, logged_by=user.user_id, logged_at=now)
    session.add(call)
    await session.flush()
    await emit(session, HotlineCallLogged(
        call_id=call.id, division=division, called_at=called_at, answered=answered,
        in_working_hours=call.in_working_hours, caller_phone=caller_phone,
        logged_by=user.user_id), subject=call.id, division=division)
    return call


async def get_call(session: AsyncSession, *, user: User, call_id: str) -> HotlineCall:
    return await get_in_jurisdiction(session, HotlineCall, call_id, user=user,
                                     missing=f"no hotline call {call_id}")


async def list_calls(session: AsyncSession, *, user: User, answered: bool | None = None,
                     in_hours: bool | None = None, since: datetime | None = None,
                     until: datetime | None = None, window: Window | None = None
                     ) -> Sequence[HotlineCall]:
    query = select(HotlineCall).where(user.jurisdiction(HotlineCall.division))
    if answered is not None:
        query = query.where(HotlineCall.answered.is_(answered))
    if in_hours is not None:
        query = query.where(HotlineCall.in_working_hours.is_(in_hours))
    if since is not None:
        query = query.where(HotlineCall.called_at >= since)
    if until is not None:
        query = query.where(HotlineCall.called_at < until)
    return (await session.scalars((window or Window(CALLS, limit=100)).apply(query))).all()


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant, Asia/Shanghai, as aware datetimes."""
    start, following = first_day(month), first_day(add_months(month, 1))
    return (datetime.combine(start, time(0), tzinfo=SHANGHAI),
            datetime.combine(following, time(0), tzinfo=SHANGHAI))


async def answer_rates(session: AsyncSession, *, user: User, month: str) -> list[AnswerRate]:
    """R-CO-5: per county of the user's reach, the month's calls, those in working hours and
    how many of them were answered (one grouped query)."""
    start, end = month_bounds(month)
    county = func.substr(HotlineCall.division, 1, 6)
    in_hours = HotlineCall.in_working_hours.is_(True)
    rows = (await session.execute(
        select(county, func.count(),
               func.coalesce(func.sum(case((in_hours, 1), else_=0)), 0),
               func.coalesce(func.sum(case((in_hours & HotlineCall.answered.is_(True), 1),
                                           else_=0)), 0))
        .where(user.jurisdiction(HotlineCall.division), HotlineCall.called_at >= start,
               HotlineCall.called_at < end)
        .group_by(county).order_by(county))).all()
    return [AnswerRate(county=str(c), month=month, calls=int(n), in_working_hours=int(h),
                       answered_in_working_hours=int(a), missed_in_working_hours=int(h) - int(a),
                       rate=answer_rate(int(a), int(h))) for c, n, h, a in rows]
