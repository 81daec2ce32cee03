"""Rules of the application: one window (R-IN-1), identity (R-IN-4), acceptance (R-IN-3)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy import (
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    not_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from services.intake.applications import rules
from services.intake.applications.models import (
    ACCEPTED,
    AWAITING_MATERIALS,
    OPEN_STATUSES,
    Application,
    ApplicationSequence,
)
from services.intake.applications.schemas import ApplicationIn
from services.intake.divisions import service as divisions
from services.intake.emergency.models import EmergencyGrant
from services.intake.households import service as households
from services.intake.households.models import Household, Member
from services.intake.materials import service as materials
from services.intake.materials.models import MaterialsNotice
from services.intake.recipients import service as recipients
from services.intake.referrals import service as referrals
from shared import direct
from shared.auth import User
from shared.bulk import built, insert_new
from shared.context import new_id
from shared.contracts import intake as contracts
from shared.counters import Counter
from shared.db import utcnow, where_given
from shared.divisions import is_within, significant_prefix
from shared.events import Envelope
from shared.idcard import parse_resident_id
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number
from shared.outbox import amend_for_relay, emit, gathered
from shared.problems import Conflict, InvalidField, NotFound
from shared.programs import Program, review_deadline
from shared.workdays import Deadline, WorkingCalendar, today_in_shanghai

log = structlog.get_logger(__name__)

APPLICATION_NUMBER = re.compile(r"^SQ(?P<county>\d{6})-(?P<day>\d{8})-(?P<sequence>\d{6})$")
APPLICATIONS = Keyset("applications", Application.submitted_at.desc(), Application.number.desc())
"""The order of the list of applications and its cursors: newest first (numbers are unique)."""


@dataclass(frozen=True)
class IntakeOffice:
    """What this installation's windows need: the county, the calendar, the periods."""

    county: str
    calendar: WorkingCalendar
    temp_aid_working_days: int
    paper_backdate_working_days: int = 5
    referral_followup_working_days: int = 5


def format_application_number(county: str, day: date, sequence: int) -> str:
    """R-IN-1: SQ<county>-<Asia/Shanghai date>-<sequence>, e.g. SQ230722-20261127-000042."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence {sequence} is outside 1..999999")
    number = f"SQ{county}-{day:%Y%m%d}-{sequence:06d}"
    if not APPLICATION_NUMBER.match(number):
        raise ValueError(f"county {county!r} is not a 6-digit county code")
    return number


DAYS_NUMBERS = Counter(ApplicationSequence)
"""The numbers given on each Asia/Shanghai day (R-IN-1)."""


async def next_application_number(session: AsyncSession, *, county: str, day: date) -> str:
    """The next number of the day, in one statement; concurrent windows wait their turn
    (:class:`shared.counters.Counter`)."""
    return format_application_number(county, day, await DAYS_NUMBERS.next(session, day=day))


def numbers_last(session: AsyncSession) -> bool:
    """Whether this engine numbers a submission in its last statement (PostgreSQL).

    The day's row of :class:`ApplicationSequence` stays locked until the commit, and concurrent
    windows queue on it, each for as long as the holder takes to commit. On PostgreSQL every
    statement of a request waits for the event loop, busy with the other requests: the lock
    is therefore taken by the statement before the COMMIT, nothing between. SQLite has one
    writer at a time anyway (BEGIN IMMEDIATE): it numbers the application as it builds it."""
    return session.get_bind().dialect.name == "postgresql"


def provisional_number(county: str, day: date) -> str:
    """The number a submission's events carry until :func:`number_application_last` gives
    the real one: sequence 000000, never given (numbers start at 1)."""
    return f"SQ{county}-{day:%Y%m%d}-000000"


_numberings_last: dict[Table, direct.Statement] = {}


def _numbering_last(outbox: Table) -> direct.Statement:
    """:func:`number_application_last`'s statement for a service's outbox, built once."""
    statement = _numberings_last.get(outbox)
    if statement is not None:
        return statement
    sequence = DAYS_NUMBERS.bumped_postgresql().cte("sequence")
    given = select(sequence.c.last_value).scalar_subquery()
    table = Application.__table__
    assert isinstance(table, Table)
    numbered = (
        update(table).where(table.c.id == bindparam("application_id"))
        .values(number=bindparam("prefix", type_=String)
                + func.lpad(cast(given, String), 6, "0"))
        .returning(table.c.number).cte("numbered"))
    patched = (
        update(outbox).where(outbox.c.event_id.in_(bindparam("event_ids", expanding=True)))
        .values(payload=func.replace(outbox.c.payload, bindparam("provisional", type_=String),
                                     select(numbered.c.number).scalar_subquery()))
        .cte("patched"))
    statement = _numberings_last[outbox] = direct.Statement(
        select(given).add_cte(numbered, patched))
    return statement


async def number_application_last(
    session: AsyncSession, application: Application, *, county: str, day: date,
    event_ids: Sequence[str],
) -> None:
    """PostgreSQL: the day's next number for an application already written, in one statement.

    The application's row carries its id as its number until then (unique, so concurrent
    inserts never wait on each other), its events (``event_ids``) :func:`provisional_number`;
    the statement bumps the day's sequence, numbers the row and puts the number in the events'
    outbox payloads. Numbers stay unique, per day, in commit order and without gaps, as with
    :func:`next_application_number`: a rolled-back transaction gives its number back."""
    outbox: Table = session.info["events"].outbox
    last_value = await direct.scalar(session, _numbering_last(outbox), {
        **DAYS_NUMBERS.values_postgresql(day=day),
        "application_id": application.id, "prefix": f"SQ{county}-{day:%Y%m%d}-",
        "provisional": provisional_number(county, day), "event_ids": list(event_ids)})
    assert last_value is not None
    # Raises past 999999 (lpad would cut the number): the transaction is rolled back.
    number = format_application_number(county, day, last_value)
    set_committed_value(application, "number", number)
    amend_for_relay(session, event_ids, provisional_number(county, day), number)


def with_everything(query: Select[Any]) -> Select[Any]:
    return query.options(
        selectinload(Application.household).selectinload(Household.members),
        selectinload(Application.notice).selectinload(MaterialsNotice.items),
        selectinload(Application.supplied),
        selectinload(Application.emergency_grant),
    ).execution_options(populate_existing=True)


async def load_application(
    session: AsyncSession, application_id: str, *, for_update: bool = False
) -> Application:
    """One application with household, members, notice and materials loaded."""
    query = with_everything(select(Application).where(Application.id == application_id))
    if for_update:
        query = query.with_for_update(of=Application)
    application = await session.scalar(query)
    if application is None:
        raise NotFound(f"no application {application_id}")
    return application


async def get_application(session: AsyncSession, *, user: User, application_id: str) -> Application:
    application = await load_application(session, application_id)
    user.require_record(application.division, f"no application {application_id}")
    return application


async def list_applications(
    session: AsyncSession, *, user: User, status: str | None = None, program: str | None = None,
    number: str | None = None, division: str | None = None, channel: str | None = None,
    received_from: date | None = None, received_to: date | None = None,
    overdue: bool | None = None, today: date | None = None, window: Window | None = None,
) -> Sequence[Application]:
    """Applications inside the user's jurisdiction, newest first (:data:`APPLICATIONS`),
    filtered by status, program, number, channel, division (and everything below it), the
    days received and ``overdue`` (accepted, past the R-AP-7 deadline, not ended)."""
    query = select(Application).where(user.jurisdiction(Application.division))
    query = where_given(query, (Application.status, status),
                        (Application.program, program),
                        (Application.number, number),
                        (Application.channel, channel))
    if division is not None:
        query = query.where(Application.division.startswith(significant_prefix(division)))
    if received_from is not None:
        query = query.where(Application.received_on >= received_from)
    if received_to is not None:
        query = query.where(Application.received_on <= received_to)
    if overdue is not None:
        late = and_(Application.status == ACCEPTED,
                    Application.review_due_on < (today or today_in_shanghai()))
        query = query.where(late if overdue else not_(late))
    query = (window or Window(APPLICATIONS, limit=100)).apply(query)
    return (await session.scalars(with_everything(query))).all()


def _check_materials_known(codes: Sequence[str], known: Sequence[materials.Material],
                           program: str) -> None:
    """Unknown material codes are refused, naming the field (R-IN-3)."""
    known_codes = {m.code for m in known}
    for i, code in enumerate(codes):
        if code not in known_codes:
            raise InvalidField(f"materials.{i}", f"{code!r} is not a material of {program}; "
                               f"known: {', '.join(sorted(known_codes))}")


async def submit_application(
    session: AsyncSession, *, user: User, office: IntakeOffice, request: ApplicationIn,
    now: datetime | None = None,
) -> Application:
    """Receive an application at any window (R-IN-1): accept it, or issue the one-time notice.

    A paper application received earlier counts from the day it was received: its acceptance
    date, its members' ages (R-IN-7) and the division register's day are that day's."""
    now = now or utcnow()
    if not is_within(request.division, office.county):
        raise InvalidField("division", f"{request.division} is not in county {office.county}, "
                           "which this installation serves")
    user.require_access(request.division)
    received_on = rules.receipt_day(
        request.received_on, channel=request.channel, today=today_in_shanghai(now),
        calendar=office.calendar, backdate_working_days=office.paper_backdate_working_days)
    proxy = rules.channel_facts(
        channel=request.channel, role=user.role, user_id=user.user_id, division=request.division,
        proxy_agent=request.proxy.agent if request.proxy else None,
        proxy_title=request.proxy.agent_title if request.proxy else None,
        referral_id=request.referral_id)
    # The household's division must be in force in the county's register that day.
    await divisions.require_in_force(session, request.division, on=received_on,
                                     field="division")
    program = str(request.program)
    if request.emergency is not None:
        rules.check_emergency(program, happened_on=request.emergency.happened_on,
                              received_on=received_on)
        if is_within(request.emergency.happened_in, office.county):
            await divisions.require_in_force(session, request.emergency.happened_in,
                                             on=received_on, field="emergency.happened_in")
    checklist = await materials.checklist_of(session, program, office.county)
    _check_materials_known(request.materials, checklist, program)
    members_in = request.household.members
    undeclared = households.undeclared_cohabitation(members_in)
    if undeclared is not None:
        raise InvalidField(f"household.members.{undeclared}.lives_with_household",
                           f"say whether this {members_in[undeclared].relationship} has lived "
                           "with the household long-term: only then do they count (R-IN-7)")
    try:
        households.check_composition(members_in, on=received_on)
    except households.HouseholdError as exc:
        raise InvalidField("household.members", str(exc)) from None
    head = households.head_of(members_in)
    await households.lock_persons(session, [m.id_number for m in members_in])
    reasons = [households.count_reason(m, on=received_on) for m in members_in]
    counted = {m.id_number: i for i, m in enumerate(members_in)
               if reasons[i] in households.COUNTED_REASONS}
    await households.check_one_household_per_person(
        session, program=program, head_id_number=head.id_number, counted=counted)
    await recipients.check_not_receiving(session, program=program,
                                         head_id_number=head.id_number, counted=counted,
                                         today=today_in_shanghai(now))

    members = []
    for position, m in enumerate(members_in):
        identity = parse_resident_id(m.id_number)
        members.append(built(
            Member, id=new_id(), position=position, name=m.name, id_number=identity.number,
            relationship=m.relationship, living_status=m.living_status,
            is_student=m.is_student, cannot_live_independently=m.cannot_live_independently,
            lives_with_household=m.lives_with_household,
            counted=reasons[position] in households.COUNTED_REASONS,
            count_reason=reasons[position], birth_date=identity.birth_date, sex=identity.sex,
        ))
    application_id = new_id()
    supplied = list(dict.fromkeys(request.materials))
    emergency = request.emergency
    missing = materials.missing_materials(checklist, supplied)
    # An accepted submission is numbered last on PostgreSQL (see numbers_last); a referral and
    # a notice record the number in rows of their own, so they take it as they are built.
    late = numbers_last(session) and request.referral_id is None and not missing
    today = today_in_shanghai(now)
    # Built whole in memory, every relationship set (shared.bulk.built: as a load sets them),
    # notice included: written at once, never reloaded, nothing of it changed after.
    application = built(
        Application, id=application_id, program=program, channel=request.channel,
        division=request.division, area=request.area, contact_phone=request.contact_phone,
        status=AWAITING_MATERIALS, submitted_at=now, submitted_by=user.user_id,
        received_on=received_on, referral_id=request.referral_id,
        proxy_committee=proxy.committee if proxy else None,
        proxy_agent=proxy.agent if proxy else None,
        proxy_agent_title=proxy.agent_title if proxy else None,
        emergency_division=emergency.happened_in if emergency else None,
        emergency_on=emergency.happened_on if emergency else None,
        emergency_circumstances=emergency.circumstances if emergency else None,
        number=application_id if late else await next_application_number(
            session, county=office.county, day=today),
        household=built(Household, id=new_id(), address=request.household.address,
                        head_id_number=head.id_number, members=members),
        notice=materials.one_time_notice(application_id, missing, at=now, by=user)
        if missing else None,
        emergency_grant=None,
        supplied=[materials.supplied_material(application_id, code, at=now, by=user)
                  for code in sorted(supplied)],
    )
    deadline = None if missing else mark_accepted(application, office=office, on=received_on)
    # Its rows, one insert per table (shared.bulk.insert_new: the ORM's flush of the same
    # graph cost a third of a submission's CPU), the objects left out of the session (nothing
    # changes them after this). Late, they are sent with its events, which carry the
    # provisional number (one statement on PostgreSQL, shared.direct.Writes), and the number
    # is taken last (below); otherwise now, as what follows may read them.
    writes = direct.Writes()
    await insert_new(session, application, attach=False, into=writes)
    if late:
        set_committed_value(application, "number", provisional_number(office.county, today))
    else:
        await writes.send(session)
    # Its events written together (shared.outbox.gathered: one insert), before the number.
    async with gathered(session, into=writes):
        submitted = await emit(session, contracts.ApplicationSubmitted(
            **application_facts(application), channel=application.channel, submitted_at=now,
            materials=supplied, members=[_member_masked(m) for m in members],
            received_on=received_on, entered_by=user.user_id,
            proxy=contracts.Proxy(committee=proxy.committee, agent=proxy.agent,
                                  agent_title=proxy.agent_title) if proxy else None,
            emergency=contracts.Emergency(
                happened_in=emergency.happened_in, happened_on=emergency.happened_on,
                circumstances=emergency.circumstances) if emergency else None,
            referral_id=request.referral_id,
        ), subject=application.id, division=application.division)
        if request.referral_id is not None:
            await referrals.end_in_application(
                session, user=user, referral_id=request.referral_id,
                application_id=application.id, application_number=application.number,
                received_on=received_on, id_numbers=[m.id_number for m in members], now=now)
        if application.notice is not None:
            await materials.announce_notice(session, application=application,
                                            notice=application.notice)
        accepted = None if deadline is None else await announce_accepted(
            session, application, on=received_on, deadline=deadline)
    await writes.send(session)
    if late:
        assert accepted is not None  # late: accepted at once (no notice, no referral)
        await number_application_last(session, application, county=office.county, day=today,
                                      event_ids=[submitted.id, accepted.id])
    return application


async def supply_materials(
    session: AsyncSession, *, user: User, office: IntakeOffice, application_id: str,
    codes: Sequence[str], now: datetime | None = None,
) -> Application:
    """Record materials handed in later; once the notice's items are all in, accept (R-IN-3)."""
    now = now or utcnow()
    application = await load_application(session, application_id, for_update=True)
    user.require_record(application.division, f"no application {application_id}")
    if application.status not in OPEN_STATUSES:
        raise Conflict(f"application {application.number} is {application.status}")
    demanded = materials.notice_materials(application.notice) if application.notice else []
    known = {m.code: m for m in [*await materials.checklist_of(session, application.program,
                                                                office.county),
                                 *demanded]}
    _check_materials_known(codes, list(known.values()), application.program)
    new_codes = await materials.record_supplied(session, application_id=application.id,
                                                codes=codes, at=now, by=user)
    if not new_codes:
        return application
    application = await load_application(session, application.id)
    outstanding = materials.missing_materials(demanded, [s.code for s in application.supplied])
    await emit(session, contracts.MaterialsSupplied(
        **application_facts(application), materials=new_codes,
        outstanding=[m.code for m in outstanding],
    ), subject=application.id, division=application.division)
    grant: EmergencyGrant | None = application.emergency_grant
    if grant is not None and grant.materials_complete_on is None and not outstanding:
        grant.materials_complete_on = today_in_shanghai(now)  # R-IN-5: the aid's paperwork is in
    if application.status == AWAITING_MATERIALS and not outstanding:
        await accept_application(session, application, office=office, on=today_in_shanghai(now))
    return await load_application(session, application.id)


async def demand_materials(
    session: AsyncSession, *, user: User, application_id: str, codes: Sequence[str],
    now: datetime | None = None,
) -> Application:
    """Ask the applicant again for items of the one-time notice still missing (R-IN-3); a
    demand for anything not on the notice is refused, naming it."""
    now = now or utcnow()
    application = await load_application(session, application_id)
    user.require_record(application.division, f"no application {application_id}")
    if application.status not in OPEN_STATUSES:
        raise Conflict(f"application {application.number} is {application.status}, not open")
    codes = list(dict.fromkeys(codes))
    materials.check_demand(application.notice, [s.code for s in application.supplied], codes,
                           application_number=application.number)
    assert application.notice is not None  # check_demand refuses every demand without one
    await emit(session, contracts.MaterialsDemanded(
        **application_facts(application), notice_id=application.notice.id, materials=codes,
        demanded_at=now,
    ), subject=application.id, division=application.division)
    return application


async def accept_application(
    session: AsyncSession, application: Application, *, office: IntakeOffice, on: date,
) -> None:
    """Accept (受理): record the acceptance date, from which the R-AP-7 period counts."""
    await announce_accepted(session, application, on=on,
                            deadline=mark_accepted(application, office=office, on=on))


def mark_accepted(application: Application, *, office: IntakeOffice, on: date) -> Deadline:
    """The acceptance on the application itself: status, date and the R-AP-7 deadline."""
    deadline = review_deadline(Program(application.program), on, office.calendar,
                               temp_aid_working_days=office.temp_aid_working_days)
    application.status = ACCEPTED
    application.accepted_on = on
    application.review_due_on = deadline.last_day
    application.review_due_provisional = deadline.provisional
    return deadline


async def announce_accepted(
    session: AsyncSession, application: Application, *, on: date, deadline: Deadline,
) -> Envelope:
    """The acceptance's event (after :func:`mark_accepted`)."""
    members = application.household.members
    return await emit(session, contracts.ApplicationAccepted(
        **application_facts(application), channel=application.channel, accepted_on=on,
        review_due_on=deadline.last_day, review_due_provisional=deadline.provisional,
        # Full ID numbers (sealed in the event): verification and approval cross-check people.
        members=[_member_identified(m) for m in members],
    ), subject=application.id, division=application.division)


def application_facts(application: Application) -> dict[str, Any]:
    """The fields every intake event about an application carries."""
    return {"application_id": application.id, "application_number": application.number,
            "program": application.program, "division": application.division,
            "area": application.area, "household_size": application.household.counted_size}


def _member_identified(member: Member) -> contracts.MemberIdentified:
    return contracts.MemberIdentified(
        member_id=member.id, name=member.name, id_number=member.id_number,
        relationship=member.relationship, living_status=member.living_status,
        is_student=member.is_student, counted=member.counted,
        count_reason=member.count_reason, birth_date=member.birth_date, sex=member.sex)


def _member_masked(member: Member) -> contracts.MemberMasked:
    return contracts.MemberMasked(
        member_id=member.id, name=member.name, id_number=mask_id_number(member.id_number),
        relationship=member.relationship, living_status=member.living_status,
        is_student=member.is_student, counted=member.counted,
        count_reason=member.count_reason)
