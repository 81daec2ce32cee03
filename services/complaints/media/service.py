"""Rules of media cases (媒体披露问题调查处理, R-CO-4): the household investigated within 3 working
days of the disclosure; the record of cause, course, nature, responsible person and proposed
handling; similar cases searched for among complaints and cases; a rectification ledger item
for the county (R-OV-3); the handling rate (target 100%)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links.models import CaseReference
from services.complaints.complaints.access import visible_to
from services.complaints.complaints.models import Complaint
from services.complaints.media.models import MediaCase, MediaStatus
from services.complaints.rectification.service import open_item
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.complaints import MediaCaseInvestigated, MediaCaseRegistered
from shared.divisions import county_of, level
from shared.inputs import Keyset, Window
from shared.months import add_months, first_day
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.records import get_in_jurisdiction
from shared.workdays import WorkingCalendar

INVESTIGATION_WORKING_DAYS = 3
"""R-CO-4: 3个工作日内 入户调查核实, from the day of the disclosure."""
SIMILAR_LIMIT = 50
"""Similar complaints, and similar cases, listed at most (the closest first)."""
SIMILAR_CASE_SERVICE = "approval"
"""Case references searched for similar cases: approval's review cases (one per application),
not every record of every service about the same household."""

MEDIA_CASES = Keyset("media-cases", MediaCase.registered_at.desc(), MediaCase.id.asc())
OVERDUE = Keyset("media-cases-overdue", MediaCase.investigation_due_on.asc(), MediaCase.id.asc())


def investigation_overdue(today: date) -> ColumnElement[bool]:
    """SQL: not investigated, and the 3 working days have passed."""
    return and_(MediaCase.status == MediaStatus.registered.value,
                MediaCase.investigation_due_on < today)


def is_overdue(media: MediaCase, today: date) -> bool:
    return media.status == MediaStatus.registered and media.investigation_due_on < today


async def register(session: AsyncSession, *, user: User, division: str, outlet: str,
                   headline: str, summary: str, category: str, program: str | None,
                   household: str | None, disclosed_on: date, calendar: WorkingCalendar,
                   county: str) -> MediaCase:
    """A problem the media disclosed; the investigation due within 3 working days of the
    disclosure (R-CO-4). Emits ``media_case_registered``."""
    if level(division) not in ("county", "township", "village") or county_of(division) != county:
        raise InvalidField("division", f"{division} is not a division of this county ({county})")
    user.require_access(division)
    today = today_of(session)
    if disclosed_on > today:
        raise InvalidField("disclosed_on", f"the disclosure is after today ({today})")
    due = calendar.add_working_days(disclosed_on, INVESTIGATION_WORKING_DAYS)
    now = now_of(session)
    media = MediaCase(
        id=new_id(), division=division, outlet=outlet, headline=headline, summary=summary,
        category=category, program=program, household=household, disclosed_on=disclosed_on,
        investigation_due_on=due.last_day, status=MediaStatus.registered.value,
        registered_by=user.user_id, registered_at=now)
    session.add(media)
    await session.flush()
    await emit(session, MediaCaseRegistered(
        media_case_id=media.id, division=division, outlet=outlet, headline=headline,
        category=category, program=program, disclosed_on=disclosed_on,
        investigation_due_on=media.investigation_due_on, registered_by=user.user_id,
        registered_at=now), subject=media.id, division=division)
    return media


async def get_media_case(session: AsyncSession, *, user: User, media_case_id: str,
                         for_update: bool = False) -> MediaCase:
    return await get_in_jurisdiction(session, MediaCase, media_case_id, user=user,
                                     missing=f"no media case {media_case_id}",
                                     for_update=for_update)


# --- similar cases (排查同类问题) ----------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    """A complaint or a case like the media case, and why it matched."""

    kind: str  # "complaint" or "case"
    id: str
    label: str
    division: str
    program: str | None
    reasons: list[str] = field(default_factory=list)


def area_of(division: str) -> tuple[str, str]:
    """Where similar cases are searched: the township of the division (or the county), and its
    name in a reason."""
    return (division[:9], "same township") if len(division) >= 9 else (division, "same county")


def reasons_for(media: MediaCase, *, division: str, program: str | None,
                category: str | None) -> list[str]:
    """Why a record is like the media case: same place, same program, same kind of problem."""
    area, where = area_of(media.division)
    found = []
    if len(media.division) == 12 and division == media.division:
        found.append("same village")
    elif division.startswith(area):
        found.append(where)
    if media.program is not None and program == media.program:
        found.append("same program")
    if category is not None and category == media.category:
        found.append("same kind of problem")
    return found


async def similar_cases(session: AsyncSession, *, user: User, media: MediaCase
                        ) -> list[Similar]:
    """R-CO-4 排查同类问题: complaints of the same township with the same kind of problem or
    program, and approval's cases of the same township and program, that the user may see."""
    area, _ = area_of(media.division)
    like = Complaint.category == media.category
    if media.program is not None:
        like = or_(like, Complaint.program == media.program)
    complaints = (await session.scalars(
        select(Complaint).where(visible_to(user), Complaint.division.startswith(area), like)
        .order_by(Complaint.registered_at.desc(), Complaint.id).limit(SIMILAR_LIMIT))).all()
    found = [Similar("complaint", c.id, f"{c.tracking_number} {c.subject}", c.division,
                     c.program, reasons_for(media, division=c.division, program=c.program,
                                            category=c.category)) for c in complaints]
    if media.program is not None:
        cases = (await session.scalars(
            select(CaseReference).where(
                user.jurisdiction(CaseReference.division),
                CaseReference.division.startswith(area),
                CaseReference.service == SIMILAR_CASE_SERVICE,
                CaseReference.program == media.program)
            .order_by(CaseReference.last_seen.desc(), CaseReference.id)
            .limit(SIMILAR_LIMIT))).all()
        found += [Similar("case", r.id, r.application_number or r.record_id,
                          r.division or "", r.program,
                          reasons_for(media, division=r.division or "", program=r.program,
                                      category=None)) for r in cases]
    return found


async def record_investigation(
    session: AsyncSession, *, user: User, media_case_id: str, investigated_on: date | None,
    cause: str, course: str, nature: str, responsible_person: str, proposed_handling: str,
    rectify_by: date,
) -> MediaCase:
    """R-CO-4 入户调查: the record of the household investigation, the similar cases found, and
    the rectification ledger item for the county (R-OV-3, deadline ``rectify_by``). Emits
    ``media_case_investigated`` (``on_time`` within the 3 working days)."""
    media = await get_media_case(session, user=user, media_case_id=media_case_id,
                                 for_update=True)
    if media.status != MediaStatus.registered:
        raise Conflict(f"media case {media.id} was investigated on {media.investigated_on}",
                       field="status")
    today = today_of(session)
    day = investigated_on or today
    if not media.disclosed_on <= day <= today:
        raise InvalidField("investigated_on", f"the investigation lies between the disclosure "
                           f"({media.disclosed_on}) and today ({today})")
    similar = await similar_cases(session, user=user, media=media)
    item = await open_item(
        session, source="media", source_id=media.id, division=media.division,
        finding=f"媒体披露 {media.outlet}: {media.headline}. {nature}"[:4000],
        responsible=responsible_person, due_on=rectify_by, opened_by=user.user_id)
    now = now_of(session)
    media.status = MediaStatus.investigated.value
    media.investigated_on, media.cause, media.course, media.nature = day, cause, course, nature
    media.responsible_person, media.proposed_handling = responsible_person, proposed_handling
    media.similar_found, media.rectification_item_id = len(similar), item.id
    media.investigated_by, media.investigated_at = user.user_id, now
    await session.flush()
    await emit(session, MediaCaseInvestigated(
        media_case_id=media.id, division=media.division, investigated_on=day,
        on_time=day <= media.investigation_due_on, cause=cause, course=course, nature=nature,
        responsible_person=responsible_person, proposed_handling=proposed_handling,
        similar_found=len(similar), rectification_item_id=item.id, by=user.user_id, at=now),
        subject=media.id, division=media.division)
    return media


# --- lists and the handling rate ---------------------------------------------------------------


async def list_media_cases(session: AsyncSession, *, user: User,
                           status: MediaStatus | None = None, window: Window | None = None
                           ) -> Sequence[MediaCase]:
    query = select(MediaCase).where(user.jurisdiction(MediaCase.division))
    if status is not None:
        query = query.where(MediaCase.status == status.value)
    return (await session.scalars((window or Window(MEDIA_CASES, limit=100)).apply(query))).all()


async def list_overdue(session: AsyncSession, *, user: User, window: Window | None = None
                       ) -> Sequence[MediaCase]:
    """R-CO-4: media cases whose household investigation is past its 3 working days."""
    query = select(MediaCase).where(user.jurisdiction(MediaCase.division),
                                    investigation_overdue(today_of(session)))
    return (await session.scalars((window or Window(OVERDUE, limit=100)).apply(query))).all()


@dataclass(frozen=True)
class HandlingRate:
    county: str
    month: str
    disclosed: int
    investigated: int
    investigated_on_time: int
    overdue: int
    rate: float | None
    """investigated / disclosed (调处率, target 100%); None when nothing was disclosed."""


async def handling_rates(session: AsyncSession, *, user: User, month: str
                         ) -> list[HandlingRate]:
    """R-CO-4: per county, the media cases disclosed in the month and how many were
    investigated (on time), in one grouped query."""
    today = today_of(session)
    county = func.substr(MediaCase.division, 1, 6)
    done = MediaCase.status == MediaStatus.investigated.value

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = (await session.execute(
        select(county, func.count(), count(done),
               count(and_(done, MediaCase.investigated_on <= MediaCase.investigation_due_on)),
               count(investigation_overdue(today)))
        .where(user.jurisdiction(MediaCase.division),
               MediaCase.disclosed_on >= first_day(month),
               MediaCase.disclosed_on < first_day(add_months(month, 1)))
        .group_by(county).order_by(county))).all()
    return [HandlingRate(str(c), month, int(n), int(d), int(t), int(o),
                         round(int(d) / int(n), 4) if n else None) for c, n, d, t, o in rows]
