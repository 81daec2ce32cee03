"""Rules of complaints, reports and petitions (投诉举报、信访, R-CO-1 … R-CO-3): registration with
a tracking number, routing to the township or the county, acceptance, investigation notes, the
conclusion (filed with the city when the county handled it), the answer to the complainant, and
the overdue lists. The pure rules are in rules.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links.models import CaseReference
from services.complaints.complaints import rules
from services.complaints.complaints.models import (
    Complaint,
    ComplaintNote,
    ComplaintRouting,
    Concerns,
    Level,
    Status,
    TrackingSequence,
)
from services.complaints.hotline.models import HotlineCall
from services.complaints.rectification.service import open_item
from shared.auth import Role, User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.base import EventData, Personal
from shared.contracts.complaints import (
    CaseComplaintRegistered,
    ComplaintAccepted,
    ComplaintAnswered,
    ComplaintConcluded,
    ComplaintNoted,
    ComplaintRegistered,
    ComplaintRerouted,
    ComplaintResultFiled,
    HotlineCallLinked,
)
from shared.db import where_given
from shared.divisions import county_of, level
from shared.inputs import Keyset, Window
from shared.masking import mask_name, mask_phone
from shared.outbox import EventSource, emit
from shared.problems import Conflict, Forbidden, InvalidField, NotFound, Problem
from shared.sealing import Sealer
from shared.workdays import SHANGHAI, WorkingCalendar

COMPLAINTS = Keyset("complaints", Complaint.registered_at.desc(), Complaint.id.asc())
"""The order of the list of complaints and its cursors: the newest first."""
OVERDUE_HANDLING = Keyset("complaints-overdue-handling", Complaint.handling_due_on.asc(),
                          Complaint.id.asc())
OVERDUE_ANSWER = Keyset("complaints-overdue-answer", Complaint.answer_due_on.asc(),
                        Complaint.id.asc())
CITY_FILINGS = Keyset("complaints-city-filings", Complaint.result_filed_at.desc(),
                      Complaint.id.asc())

TOWNSHIP_ROLES = frozenset({Role.village_assistant, Role.caseworker, Role.township_leader})
"""Roles of a township: they never see what the county handles (a complaint about their own
staff or their own fairness, R-CO-2)."""
HANDLERS = {Level.township: frozenset({Role.caseworker, Role.township_leader}),
            Level.county: frozenset({Role.county_officer})}
"""Who acts on a complaint, by the level that handles it (R-CO-2)."""

Overdue = Literal["handling", "answer"]


class NotTheHandler(Forbidden):
    slug = "complaint-handled-elsewhere"
    title = "Another level handles this complaint"


class ComplaintClosed(Conflict):
    slug = "complaint-concluded"
    title = "The complaint is concluded"


class ComplaintNotConcluded(Conflict):
    slug = "complaint-not-concluded"
    title = "The complaint is not concluded yet"


class ComplaintAlreadyAnswered(Conflict):
    slug = "complaint-answered"
    title = "The complaint has been answered"


class TooManyComplaints(Problem):
    status, slug, title = 429, "too-many-complaints", "Too many complaints from here this hour"


@dataclass(frozen=True)
class Terms:
    """The installation's periods (R-CO-3) and calendar, from its settings."""

    calendar: WorkingCalendar
    handling_days: int
    answer_days: int
    county: str


class _PhoneAtRest(EventData):
    """A phone kept at rest: sealed as an event's would be, bound to its row."""

    phone: Annotated[str, Personal("phone")]


def sealer_of(session: AsyncSession) -> Sealer:
    source: EventSource = session.info["events"]
    if source.sealer is None:
        raise RuntimeError("complaints runs without event keys: it cannot keep phone numbers")
    return source.sealer


def seal_phone(session: AsyncSession, context: str, phone: str) -> str:
    """The phone sealed for its row (``context``: it opens only there)."""
    return str(sealer_of(session).seal(_PhoneAtRest, {"phone": phone}, event_id=context)["phone"])


def open_phone(session: AsyncSession, context: str, sealed: str) -> str:
    return str(sealer_of(session).open(_PhoneAtRest, {"phone": sealed}, event_id=context)["phone"])


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


# --- who sees and who acts -------------------------------------------------------------------


def visible_to(user: User) -> ColumnElement[bool]:
    """Complaints inside the user's divisions; a township's roles never see those the county
    handles (R-CO-2, R-SE-1)."""
    within = user.jurisdiction(Complaint.division)
    if user.role in TOWNSHIP_ROLES:
        return and_(within, Complaint.level == Level.township.value)
    return within


def can_see(user: User, complaint: Complaint) -> bool:
    return user.can_access(complaint.division) and not (
        user.role in TOWNSHIP_ROLES and complaint.level == Level.county)


async def get_complaint(session: AsyncSession, *, user: User, complaint_id: str,
                        for_update: bool = False) -> Complaint:
    """One complaint the user may see; 404 otherwise, exactly as one that does not exist."""
    query = select(Complaint).where(Complaint.id == complaint_id)
    complaint = await session.scalar(query.with_for_update() if for_update else query)
    missing = f"no complaint {complaint_id}"
    if complaint is None:
        raise NotFound(missing)
    user.require_record(complaint.division if can_see(user, complaint) else None, missing)
    return complaint


def require_handler(user: User, complaint: Complaint) -> None:
    """R-CO-2: the township's caseworkers and leaders act on what the township handles, the
    county's officers on what the county handles; 403 ``complaint-handled-elsewhere``."""
    if user.role not in HANDLERS[Level(complaint.level)]:
        raise NotTheHandler(f"the {complaint.level} handles complaint "
                            f"{complaint.tracking_number} ({complaint.handled_by})")


# --- registration (R-CO-1) and routing (R-CO-2) ------------------------------------------------


async def next_tracking_number(session: AsyncSession, *, county: str, year: int) -> str:
    """The county's next tracking number of the year, in one statement: unique, and gapless in
    commit order (the row stays locked until the commit; a rollback gives the number back)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = insert(TrackingSequence).values(county=county, year=year, last_value=1)
    sequence = await session.scalar(upsert.on_conflict_do_update(
        index_elements=["county", "year"],
        set_={"last_value": TrackingSequence.last_value + 1},
    ).returning(TrackingSequence.last_value))
    assert sequence is not None
    return rules.format_tracking_number(county, year, sequence)


@dataclass(frozen=True)
class Filing:
    """What a complaint says, as staff or the public filed it."""

    kind: str
    channel: str
    subject: str
    content: str
    concerns: str
    category: str
    answer_wanted: bool
    division: str | None = None
    program: str | None = None
    case_reference_id: str | None = None
    household: str | None = None
    staff_member: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    hotline_call_id: str | None = None


async def _case_of(session: AsyncSession, user: User | None, reference_id: str
                   ) -> CaseReference:
    """The case a complaint names: 422 ``case_reference_id`` if unknown or out of reach."""
    reference = await session.get(CaseReference, reference_id)
    if reference is None or reference.division is None or (
            user is not None and not user.can_access(reference.division)):
        raise InvalidField("case_reference_id", f"no case reference {reference_id}: find the "
                           "case in /api/v1/case-references")
    return reference


def _division_of(filing: Filing, reference: CaseReference | None, county: str) -> str:
    division = filing.division or (reference.division if reference else None)
    if division is None:
        raise InvalidField("division", "name the division the complaint concerns (or a case)")
    if level(division) not in ("county", "township", "village") or county_of(division) != county:
        raise InvalidField("division", f"{division} is not a division of this county ({county})")
    return division


async def register(session: AsyncSession, *, filing: Filing, terms: Terms, user: User | None,
                   check_code_digest: Any = None, source_address: str | None = None) -> Complaint:
    """R-CO-1 登记: a complaint, report or petition with its tracking number, routed (R-CO-2),
    its deadlines set (R-CO-3); by staff (``user``) or by the public (``user`` None, a check
    code's digest given as ``check_code_digest(tracking_number)``). Emits
    ``complaint_registered`` and, when it names a case, ``case_complaint_registered`` on the
    case's own record (so the case's history shows it)."""
    reference = None
    if filing.case_reference_id is not None:
        reference = await _case_of(session, user, filing.case_reference_id)
    elif filing.concerns == Concerns.case:
        raise InvalidField("case_reference_id", "a complaint about a case names the case")
    if filing.concerns == Concerns.staff and not filing.staff_member:
        raise InvalidField("staff_member", "name the staff member the complaint concerns")
    division = _division_of(filing, reference, terms.county)
    if user is not None:
        user.require_access(division)
    call = None
    if filing.hotline_call_id is not None:
        call = await session.get(HotlineCall, filing.hotline_call_id)
        if call is None or (user is not None and not user.can_access(call.division)):
            raise InvalidField("hotline_call_id", f"no hotline call {filing.hotline_call_id}")
        if call.complaint_id is not None:
            raise Conflict(f"hotline call {call.id} already has its complaint",
                           field="hotline_call_id")
    now = now_of(session)
    today = shanghai_day(now)
    routing = rules.route(filing.concerns, division)
    due = rules.deadlines(today, calendar=terms.calendar, handling_days=terms.handling_days,
                          answer_days=terms.answer_days, answer_wanted=filing.answer_wanted)
    number = await next_tracking_number(session, county=terms.county, year=today.year)
    complaint_id = new_id()
    by = user.user_id if user is not None else "public"
    complaint = Complaint(
        id=complaint_id, tracking_number=number, kind=filing.kind, channel=filing.channel,
        subject=filing.subject, content=filing.content, concerns=filing.concerns,
        category=filing.category, program=filing.program, division=division,
        household=filing.household, staff_member=filing.staff_member,
        case_reference_id=reference.id if reference else None,
        case_service=reference.service if reference else None,
        case_record_id=reference.record_id if reference else None,
        level=routing.level.value, handled_by=routing.handled_by, routing_reason=routing.reason,
        contact_name=filing.contact_name,
        contact_phone_sealed=seal_phone(session, f"complaint:{complaint_id}",
                                        filing.contact_phone) if filing.contact_phone else None,
        contact_phone_masked=mask_phone(filing.contact_phone) if filing.contact_phone else None,
        answer_wanted=filing.answer_wanted, hotline_call_id=call.id if call else None,
        filed_by_public=user is None, source_address=source_address,
        check_code_digest=check_code_digest(number) if check_code_digest else None,
        status=Status.registered.value, registered_by=by, registered_at=now, registered_on=today,
        handling_due_on=due.handling.last_day,
        answer_due_on=due.answer.last_day if due.answer else None, note_count=0)
    session.add(complaint)
    session.add(ComplaintRouting(id=new_id(), complaint_id=complaint_id, seq=1,
                                 level=routing.level.value, handled_by=routing.handled_by,
                                 reason=routing.reason, by=by, at=now))
    if call is not None:
        call.complaint_id = complaint_id
    await session.flush()
    await emit(session, ComplaintRegistered(
        complaint_id=complaint_id, tracking_number=number, kind=filing.kind,
        channel=filing.channel, subject=filing.subject, content=filing.content,
        concerns=filing.concerns, category=filing.category, program=filing.program,
        division=division, level=routing.level.value, handled_by=routing.handled_by,
        routing_reason=routing.reason, answer_wanted=filing.answer_wanted,
        contact_phone=filing.contact_phone, case_reference_id=complaint.case_reference_id,
        case_service=complaint.case_service, case_record_id=complaint.case_record_id,
        hotline_call_id=complaint.hotline_call_id, filed_by_public=user is None,
        handling_due_on=complaint.handling_due_on, answer_due_on=complaint.answer_due_on,
        registered_at=now), subject=complaint_id, division=division)
    if reference is not None:
        await emit(session, CaseComplaintRegistered(
            complaint_id=complaint_id, tracking_number=number, kind=filing.kind,
            case_reference_id=reference.id, case_service=reference.service,
            case_record_id=reference.record_id, division=division,
            level=routing.level.value, registered_at=now), subject=reference.record_id,
            division=division)
    if call is not None:
        await emit(session, HotlineCallLinked(call_id=call.id, division=call.division,
                                              complaint_id=complaint_id, tracking_number=number),
                   subject=call.id, division=call.division)
    return complaint


async def reroute(session: AsyncSession, *, user: User, complaint_id: str, level_: Level,
                  reason: str) -> Complaint:
    """R-CO-2: the county routes a complaint again (to itself, or back to the township of the
    division concerned), recorded with its reason; never once concluded."""
    complaint = await get_complaint(session, user=user, complaint_id=complaint_id,
                                    for_update=True)
    if complaint.status == Status.concluded:
        raise ComplaintClosed(f"complaint {complaint.tracking_number} is concluded")
    if level_ == Level.township and len(complaint.division) == 6:
        raise InvalidField("level", "the complaint names no township to hand it to")
    handled_by = complaint.division[:9] if level_ == Level.township else complaint.division[:6]
    if (complaint.level, complaint.handled_by) == (level_.value, handled_by):
        raise Conflict(f"the {level_.value} {handled_by} handles it already", field="level")
    previous = complaint.level
    now = now_of(session)
    seq = 1 + int(await session.scalar(select(func.max(ComplaintRouting.seq)).where(
        ComplaintRouting.complaint_id == complaint.id)) or 0)
    session.add(ComplaintRouting(id=new_id(), complaint_id=complaint.id, seq=seq,
                                 level=level_.value, handled_by=handled_by, reason=reason,
                                 by=user.user_id, at=now))
    complaint.level, complaint.handled_by = level_.value, handled_by
    complaint.routing_reason = f"re-routed by the county: {reason}"[:300]
    if complaint.status == Status.accepted:  # the new handler accepts it anew
        complaint.status, complaint.accepted_by, complaint.accepted_at = \
            Status.registered.value, None, None
    await session.flush()
    await emit(session, ComplaintRerouted(
        complaint_id=complaint.id, tracking_number=complaint.tracking_number,
        division=complaint.division, from_level=previous, level=level_.value,
        handled_by=handled_by, reason=reason, by=user.user_id, at=now),
        subject=complaint.id, division=complaint.division)
    return complaint


async def routings(session: AsyncSession, complaint_id: str) -> Sequence[ComplaintRouting]:
    return (await session.scalars(select(ComplaintRouting).where(
        ComplaintRouting.complaint_id == complaint_id).order_by(ComplaintRouting.seq))).all()


async def notes(session: AsyncSession, complaint_id: str) -> Sequence[ComplaintNote]:
    return (await session.scalars(select(ComplaintNote).where(
        ComplaintNote.complaint_id == complaint_id).order_by(ComplaintNote.seq))).all()


# --- handling and answer (R-CO-3) --------------------------------------------------------------


async def _handled(session: AsyncSession, user: User, complaint_id: str) -> Complaint:
    complaint = await get_complaint(session, user=user, complaint_id=complaint_id,
                                    for_update=True)
    require_handler(user, complaint)
    return complaint


async def accept(session: AsyncSession, *, user: User, complaint_id: str) -> Complaint:
    """受理: the handling level takes the complaint on; 409 if done already."""
    complaint = await _handled(session, user, complaint_id)
    if complaint.status != Status.registered:
        raise Conflict(f"complaint {complaint.tracking_number} is {complaint.status}",
                       field="status")
    now = now_of(session)
    complaint.status, complaint.accepted_by, complaint.accepted_at = \
        Status.accepted.value, user.user_id, now
    await session.flush()
    await emit(session, ComplaintAccepted(
        complaint_id=complaint.id, tracking_number=complaint.tracking_number,
        division=complaint.division, level=complaint.level, by=user.user_id, at=now),
        subject=complaint.id, division=complaint.division)
    return complaint


async def add_note(session: AsyncSession, *, user: User, complaint_id: str, note: str
                   ) -> ComplaintNote:
    """调查核实: a note of the investigation, once accepted and until concluded."""
    complaint = await _handled(session, user, complaint_id)
    if complaint.status != Status.accepted:
        raise Conflict(f"complaint {complaint.tracking_number} is {complaint.status}: notes "
                       "are taken between acceptance and conclusion", field="status")
    now = now_of(session)
    complaint.note_count += 1
    row = ComplaintNote(id=new_id(), complaint_id=complaint.id, seq=complaint.note_count,
                        note=note, by=user.user_id, at=now)
    session.add(row)
    await session.flush()
    await emit(session, ComplaintNoted(complaint_id=complaint.id, division=complaint.division,
                                       seq=row.seq, note=note, by=user.user_id, at=now),
               subject=complaint.id, division=complaint.division)
    return row


@dataclass(frozen=True)
class Rectification:
    responsible: str
    due_on: date


async def conclude(session: AsyncSession, *, user: User, complaint_id: str,
                   substantiated: bool, finding: str, handling: str,
                   rectification: Rectification | None) -> Complaint:
    """办结: the finding and its handling. A finding that needs rectification opens a ledger
    item (R-OV-3); a complaint the county handled is filed with the city (R-CO-2). Emits
    ``complaint_concluded`` (and ``complaint_result_filed``)."""
    complaint = await _handled(session, user, complaint_id)
    if complaint.status != Status.accepted:
        raise Conflict(f"complaint {complaint.tracking_number} is {complaint.status}: it is "
                       "concluded once accepted", field="status")
    if rectification is not None and not substantiated:
        raise InvalidField("rectification", "only a substantiated finding is rectified")
    now = now_of(session)
    today = shanghai_day(now)
    item = None
    if rectification is not None:
        item = await open_item(
            session, source="complaint", source_id=complaint.id, division=complaint.division,
            finding=f"{complaint.tracking_number}: {finding}"[:4000],
            responsible=rectification.responsible, due_on=rectification.due_on,
            opened_by=user.user_id, case_id=complaint.case_record_id)
    complaint.status = Status.concluded.value
    complaint.substantiated, complaint.finding, complaint.handling = \
        substantiated, finding, handling
    complaint.concluded_by, complaint.concluded_at, complaint.concluded_on = \
        user.user_id, now, today
    complaint.rectification_item_id = item.id if item else None
    if complaint.level == Level.county:
        complaint.result_filed_at = now
    await session.flush()
    await emit(session, ComplaintConcluded(
        complaint_id=complaint.id, tracking_number=complaint.tracking_number,
        division=complaint.division, level=complaint.level, substantiated=substantiated,
        finding=finding, handling=handling, concluded_on=today,
        on_time=rules.on_time(today, complaint.handling_due_on),
        rectification_item_id=complaint.rectification_item_id, by=user.user_id, at=now),
        subject=complaint.id, division=complaint.division)
    if complaint.level == Level.county:
        await emit(session, ComplaintResultFiled(
            complaint_id=complaint.id, tracking_number=complaint.tracking_number,
            division=complaint.division, county=complaint.division[:6],
            concerns=complaint.concerns, substantiated=substantiated, finding=finding,
            handling=handling, filed_at=now), subject=complaint.id, division=complaint.division)
    return complaint


async def answer(session: AsyncSession, *, user: User, complaint_id: str, text: str,
                 method: str, answered_on: date | None) -> Complaint:
    """反馈: the result sent back to the complainant, once concluded, on a day between the
    conclusion and today. Emits ``complaint_answered`` (``on_time`` by its answer deadline)."""
    complaint = await _handled(session, user, complaint_id)
    if complaint.status != Status.concluded or complaint.concluded_on is None:
        raise ComplaintNotConcluded(f"complaint {complaint.tracking_number} is "
                                    f"{complaint.status}: the answer gives its result")
    if complaint.answered_on is not None:
        raise ComplaintAlreadyAnswered(f"complaint {complaint.tracking_number} was answered "
                                       f"on {complaint.answered_on}")
    today = today_of(session)
    day = answered_on or today
    if not complaint.concluded_on <= day <= today:
        raise InvalidField("answered_on", f"the answer's day lies between the conclusion "
                           f"({complaint.concluded_on}) and today ({today})")
    now = now_of(session)
    complaint.answer_text, complaint.answer_method = text, method
    complaint.answered_by, complaint.answered_on = user.user_id, day
    await session.flush()
    await emit(session, ComplaintAnswered(
        complaint_id=complaint.id, tracking_number=complaint.tracking_number,
        division=complaint.division, method=method, answered_on=day,
        on_time=rules.on_time(day, complaint.answer_due_on), by=user.user_id, at=now),
        subject=complaint.id, division=complaint.division)
    return complaint


# --- lists -------------------------------------------------------------------------------------


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


# --- the public (R-CO-1) ------------------------------------------------------------------------


async def check_public_limit(session: AsyncSession, *, source_address: str | None,
                             per_hour: int) -> None:
    """A few complaints an hour from one address on the public form (429)."""
    if not source_address:
        return
    since = now_of(session) - timedelta(hours=1)
    mine = await session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.filed_by_public.is_(True), Complaint.source_address == source_address,
        Complaint.registered_at >= since))
    if (mine or 0) >= per_hour:
        raise TooManyComplaints(f"at most {per_hour} complaints an hour from one address; "
                                "call the complaint telephone meanwhile")


async def followed(session: AsyncSession, *, tracking_number: str, code: str,
                   keys: dict[str, bytes]) -> Complaint:
    """The complaint a tracking number and its check code name; a wrong code is answered as
    an unknown number (404), so numbers cannot be probed."""
    complaint = await session.scalar(select(Complaint).where(
        Complaint.tracking_number == tracking_number))
    if complaint is None or not rules.code_matches(keys, tracking_number, code,
                                                   complaint.check_code_digest):
        raise NotFound(f"no complaint {tracking_number} with this check code")
    return complaint


def contact_shown(complaint: Complaint) -> dict[str, str | None]:
    """The contact as answers show it: masked (R-SE-2)."""
    return {"contact_name_masked": mask_name(complaint.contact_name)
            if complaint.contact_name else None,
            "contact_phone_masked": complaint.contact_phone_masked}
