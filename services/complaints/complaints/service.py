"""Rules of complaints, reports and petitions (投诉举报、信访, R-CO-1 … R-CO-3): registration with
a tracking number, routing to the township or the county, acceptance, investigation notes, the
conclusion (filed with the city when the county handled it) and the answer to the complainant.
The pure rules are in rules.py, who sees and acts in access.py, the lists in lists.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links.models import CaseReference
from services.complaints.complaints import rules
from services.complaints.complaints.access import get_complaint, require_handler
from services.complaints.complaints.contacts import phone_context
from services.complaints.complaints.lists import (  # re-exported: the supervision report's
    overdue_by_handler as overdue_by_handler,
)
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
from shared.at_rest import seal_at_rest
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
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
from shared.counters import Counter
from shared.divisions import county_of, level
from shared.masking import mask_phone
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.workdays import SHANGHAI, WorkingCalendar


class ComplaintClosed(Conflict):
    slug = "complaint-concluded"
    title = "The complaint is concluded"


class ComplaintNotConcluded(Conflict):
    slug = "complaint-not-concluded"
    title = "The complaint is not concluded yet"


class ComplaintAlreadyAnswered(Conflict):
    slug = "complaint-answered"
    title = "The complaint has been answered"


@dataclass(frozen=True)
class Terms:
    """The installation's periods (R-CO-3) and calendar, from its settings."""

    calendar: WorkingCalendar
    handling_days: int
    answer_days: int
    county: str


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


# --- registration (R-CO-1) and routing (R-CO-2) ------------------------------------------------


TRACKING_NUMBERS = Counter(TrackingSequence)


async def next_tracking_number(session: AsyncSession, *, county: str, year: int) -> str:
    """The county's next tracking number of the year, in one statement: unique, and gapless in
    commit order (the row stays locked until the commit; a rollback gives the number back)."""
    sequence = await TRACKING_NUMBERS.next(session, county=county, year=year)
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
                   check_code_digest: Callable[[str], str] | None = None,
                   source_address: str | None = None) -> Complaint:
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
        call = await session.scalar(select(HotlineCall).where(
            HotlineCall.id == filing.hotline_call_id).with_for_update())  # one complaint a call
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
        contact_phone_sealed=seal_at_rest(
            session, "phone", phone_context("complaint", complaint_id), filing.contact_phone)
        if filing.contact_phone else None,
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
                  reason: str, concerns: Concerns | None = None) -> Complaint:
    """R-CO-2: the county routes a complaint again (to itself, or back to the township of the
    division concerned), recorded with its reason, and may correct what it concerns; never
    once concluded, and never to the township while it concerns assistance staff or the
    township's own fairness."""
    complaint = await get_complaint(session, user=user, complaint_id=complaint_id,
                                    for_update=True)
    if complaint.status == Status.concluded:
        raise ComplaintClosed(f"complaint {complaint.tracking_number} is concluded")
    if level_ == Level.township and len(complaint.division) == 6:
        raise InvalidField("level", "the complaint names no township to hand it to")
    reclassified = concerns is not None and concerns != complaint.concerns
    concerning = concerns if concerns is not None else Concerns(complaint.concerns)
    if level_ == Level.township and concerning in rules.COUNTY_HANDLES:
        raise Conflict(f"complaint {complaint.tracking_number} concerns {concerning.value}: "
                       "the county handles it and files the result with the city (R-CO-2); "
                       "if that is wrong, say what it concerns (`concerns`)",
                       rule="R-CO-2", field="level", concerns=concerning.value)
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
    if reclassified:
        complaint.concerns = concerning.value
    if complaint.status == Status.accepted:  # the new handler accepts it anew
        complaint.status, complaint.accepted_by, complaint.accepted_at = \
            Status.registered.value, None, None
    await session.flush()
    await emit(session, ComplaintRerouted(
        complaint_id=complaint.id, tracking_number=complaint.tracking_number,
        division=complaint.division, from_level=previous, level=level_.value,
        handled_by=handled_by, reason=reason, by=user.user_id, at=now,
        concerns=concerning.value if reclassified else None),
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
