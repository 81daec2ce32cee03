"""Rules of the investigation task: opened once per accepted application, worked on by a team
of two township staff at least with the village committee assisting (R-VE-1), closed when the
application ends before it does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.forms.models import FormConfirmation, InvestigationForm
from services.verification.investigations.models import (
    ClosedReason,
    HouseholdMember,
    Investigation,
    InvestigationStatus,
    Investigator,
)
from services.verification.recusals import service as recusals
from shared import direct
from shared.auth import Role, User
from shared.batch_reads import Unopened
from shared.context import new_id
from shared.contracts.intake import MemberIdentified
from shared.contracts.verification import (
    CheckSummary,
    InvestigationClosed,
    InvestigationOpened,
    InvestigatorsAssigned,
    StaffMember,
    VillageHelper,
)
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number
from shared.outbox import emit
from shared.problems import Conflict, Forbidden, InvalidField, NotFound, RuleViolation
from shared.workdays import SHANGHAI

INVESTIGATIONS = Keyset("investigations", Investigation.opened_at.desc(), Investigation.id.desc())
"""The order of the list of investigations and its cursors: newest first."""

MIN_INVESTIGATORS = 2
"""R-VE-1: every household investigation is done by two township staff at least."""
INVESTIGATOR_ROLES = frozenset({Role.caseworker, Role.township_leader})
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a time of something done may lie (clocks differ)."""


class InvestigationNotOpen(Conflict):
    slug, title = "investigation-not-open", "The investigation is no longer open"


class NotAnInvestigator(Forbidden):
    slug, title = "not-an-investigator", "Not an investigator of this investigation"


# --- rules: plain functions ---------------------------------------------------------------------


def township_of(division: str) -> str:
    """The township (9 digits) of a village (12) or township (9) division."""
    return division[:9]


def check_team(investigators: Sequence[StaffMember]) -> None:
    """R-VE-1: at least two different township staff (caseworkers or township leaders)."""
    people = {i.user_id for i in investigators}
    if len(people) != len(investigators):
        raise RuleViolation("an investigator is listed twice", rule="R-VE-1")
    if len(people) < MIN_INVESTIGATORS:
        raise RuleViolation(f"a household investigation needs at least {MIN_INVESTIGATORS} "
                            f"township staff (R-VE-1); {len(people)} given", rule="R-VE-1")


def can_investigate(user: User, investigation: Investigation) -> bool:
    """Township staff of the investigation's township (R-VE-1, R-SE-1): caseworkers and
    township leaders whose divisions cover it."""
    return user.role in INVESTIGATOR_ROLES and user.can_access(investigation.division)


def is_overdue(investigation: Investigation, *, today: date) -> bool:
    """An open investigation whose review period (R-AP-7) has ended (24:00 Asia/Shanghai)."""
    return investigation.status == InvestigationStatus.open and today > investigation.review_due_on


def check_not_future(field: str, moment: datetime, *, now: datetime) -> None:
    """A time at which something was done is not in the future (422 naming ``field``)."""
    if moment > now + CLOCK_SKEW:
        raise InvalidField(field, "is in the future")


def require_open(investigation: Investigation) -> None:
    if investigation.status != InvestigationStatus.open:
        reason = f" ({investigation.closed_reason})" if investigation.closed_reason else ""
        raise InvestigationNotOpen(f"investigation {investigation.id} is "
                                   f"{investigation.status}{reason}: nothing more is recorded")


# --- the task ----------------------------------------------------------------------------------


async def open_investigation(
    session: AsyncSession, *, application_id: str, application_number: str, program: str,
    division: str, household_size: int, accepted_on: date, review_due_on: date,
    review_due_provisional: bool, members: Sequence[MemberIdentified] = (),
) -> Investigation:
    """Open the household investigation task for an accepted application, once."""
    investigation_id, _opened = await open_investigation_once(
        session, application_id=application_id, application_number=application_number,
        program=program, division=division, household_size=household_size,
        accepted_on=accepted_on, review_due_on=review_due_on,
        review_due_provisional=review_due_provisional, members=members)
    return await session.get_one(Investigation, investigation_id)


_INVESTIGATIONS = Investigation.metadata.tables[Investigation.__tablename__]
_MEMBERS = HouseholdMember.metadata.tables[HouseholdMember.__tablename__]
_OPENED_FOR = direct.Statement(select(_INVESTIGATIONS.c.id).where(
    _INVESTIGATIONS.c.application_id == bindparam("application_id"))
    .order_by(_INVESTIGATIONS.c.follows_id.is_not(None), _INVESTIGATIONS.c.opened_at,
              _INVESTIGATIONS.c.id).limit(1))
"""The investigation the application's acceptance opened, if any (:mod:`shared.direct`: built
once, run on the driver, no ORM entity loaded to learn that there is none, the usual answer).
After an objection the application may have others (R-AP-4, ``reinvestigation``): each follows
an earlier one (``follows_id``), so the one that follows none comes first, then the first
opened — never whichever row the database happens to return first. It skips the session's
autoflush: whatever writes an investigation writes its row at once (here, and a
reinvestigation by its flush), so nothing pending in the session is missed."""
_OPENED_AMONG = direct.Statement(select(_INVESTIGATIONS.c.application_id).distinct().where(
    _INVESTIGATIONS.c.application_id.in_(bindparam("application_ids", expanding=True))))
"""Which of a batch's applications have an investigation (:data:`UNOPENED`)."""
_OPENING = ("id", "application_id", "application_number", "program", "division",
            "household_size", "status", "accepted_on", "review_due_on", "review_due_provisional",
            "opened_at")
_OPEN = direct.Statement(insert(_INVESTIGATIONS).inline().values(
    {name: bindparam(name) for name in _OPENING}))
"""A new investigation's row (the columns not named are NULL until its work sets them)."""
_HOUSEHOLD = direct.Statement(insert(_MEMBERS).inline().values(
    {c.name: bindparam(c.name) for c in _MEMBERS.columns}))
UNOPENED = Unopened("verification.unopened", _OPENED_AMONG)
"""The applications a batch's acceptances found with no investigation (the batch hook)."""


async def open_investigation_once(
    session: AsyncSession, *, application_id: str, application_number: str, program: str,
    division: str, household_size: int, accepted_on: date, review_due_on: date,
    review_due_provisional: bool, members: Sequence[MemberIdentified] = (),
    into: direct.Writes | None = None,
) -> tuple[str, bool]:
    """:func:`open_investigation`, by its id, and whether this call opened it (else it was
    open already).

    A new investigation and its household are written as plain rows by statements built once
    and run on the driver (:mod:`shared.direct`: the investigation's insert and the
    household's, sent together), not as ORM objects flushed: the objects' construction and the
    flush's bookkeeping cost more than the rows. ``into``: added to these writes instead, sent
    by the caller (before anything reads them)."""
    if not UNOPENED.take(session, application_id):  # not known to have none: read
        existing = await direct.scalar(session, _OPENED_FOR, {"application_id": application_id})
        if existing is not None:
            return existing, False
    investigation_id = new_id()
    async with direct.writing(session, into) as writes:
        writes.add(_OPEN, {
            "id": investigation_id, "application_id": application_id,
            "application_number": application_number, "program": program, "division": division,
            "household_size": household_size, "status": InvestigationStatus.open,
            "accepted_on": accepted_on, "review_due_on": review_due_on,
            "review_due_provisional": review_due_provisional, "opened_at": utcnow()})
        writes.add(_HOUSEHOLD, [
            {"investigation_id": investigation_id, "member_id": m.member_id, "position": i,
             "name": m.name, "id_number_masked": mask_id_number(m.id_number),
             "relationship": m.relationship, "counted": m.counted}
            for i, m in enumerate(members)])
    await emit(session, InvestigationOpened(
        investigation_id=investigation_id, application_id=application_id,
        application_number=application_number, program=program,
    ), subject=investigation_id, division=division)
    return investigation_id, True


async def list_investigations(
    session: AsyncSession, *, user: User, today: date, status: str | None = None,
    application_id: str | None = None, program: str | None = None, division: str | None = None,
    opened_from: date | None = None, opened_to: date | None = None,
    overdue: bool | None = None, investigator: str | None = None, window: Window | None = None,
) -> Sequence[Investigation]:
    """Investigations inside the user's jurisdiction, newest first (:data:`INVESTIGATIONS`)."""
    query = select(Investigation).where(user.jurisdiction(Investigation.division))
    query = where_given(query, (Investigation.status, status),
                        (Investigation.application_id, application_id),
                        (Investigation.program, program))
    query = filter_investigations(query, today=today, division=division, overdue=overdue)
    if opened_from is not None:
        query = query.where(Investigation.opened_at >= day_start(opened_from))
    if opened_to is not None:
        query = query.where(Investigation.opened_at < day_start(opened_to, 1))
    if investigator is not None:
        query = query.where(Investigation.id.in_(
            select(Investigator.investigation_id).where(Investigator.user_id == investigator)))
    query = (window or Window(INVESTIGATIONS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


def filter_investigations(query: Any, *, today: date, division: str | None = None,
                          overdue: bool | None = None) -> Any:
    """The filters every list of investigation work shares: a division (and what lies below
    it) and ``overdue`` (open past ``review_due_on``, R-AP-7). The query selects from or
    joins :class:`Investigation`."""
    if division is not None:
        query = query.where(Investigation.division.startswith(division))
    if overdue is True:
        query = query.where(Investigation.status == InvestigationStatus.open,
                            Investigation.review_due_on < today)
    elif overdue is False:
        query = query.where(Investigation.review_due_on >= today)
    return query


def day_start(day: date, plus_days: int = 0) -> datetime:
    """00:00 Asia/Shanghai of ``day`` (+ days), as an aware time."""
    return datetime.combine(day + timedelta(days=plus_days), datetime.min.time(), SHANGHAI)


async def get_investigation(
    session: AsyncSession, *, user: User, investigation_id: str
) -> Investigation:
    """One investigation the user may see (R-SE-1): 404 if there is none or it lies outside."""
    investigation = await session.get(Investigation, investigation_id)
    if investigation is None:
        raise NotFound(f"no investigation {investigation_id}")
    user.require_record(investigation.division, f"no investigation {investigation_id}")
    await recusals.require_not_recused(session, application_id=investigation.application_id,
                                       user=user)  # R-AP-8 回避
    return investigation


async def investigation_for_work(
    session: AsyncSession, *, user: User, investigation_id: str
) -> Investigation:
    """An open investigation of the user's township, to record work on (R-VE-1, R-SE-1). Its
    row is locked until the transaction ends (PostgreSQL; SQLite serialises every write), so
    two requests working on one investigation take turns: a form version, a confirmation or
    the completion is never made twice."""
    investigation = await session.scalar(
        select(Investigation).where(Investigation.id == investigation_id)
        .with_for_update().execution_options(populate_existing=True))
    if investigation is None:
        raise NotFound(f"no investigation {investigation_id}")
    user.require_record(investigation.division, f"no investigation {investigation_id}")
    await recusals.require_not_recused(session, application_id=investigation.application_id,
                                       user=user)  # R-AP-8 回避
    require_open(investigation)
    return investigation


async def members_of(session: AsyncSession, investigation_id: str) -> list[HouseholdMember]:
    return list((await session.scalars(
        select(HouseholdMember).where(HouseholdMember.investigation_id == investigation_id)
        .order_by(HouseholdMember.position))).all())


async def team_of(session: AsyncSession, investigation_id: str) -> list[Investigator]:
    return list((await session.scalars(
        select(Investigator).where(Investigator.investigation_id == investigation_id)
        .order_by(Investigator.assigned_at, Investigator.user_id))).all())


async def require_investigator(session: AsyncSession, user: User,
                               investigation: Investigation) -> Investigator:
    """The caller as an assigned investigator (R-VE-1); 403 for anyone else."""
    member = await session.get(Investigator, (investigation.id, user.user_id))
    if member is None:
        raise NotAnInvestigator(f"{user.user_id} is not assigned to investigation "
                                f"{investigation.id}; its investigators confirm for themselves")
    return member


async def assign_team(
    session: AsyncSession, *, user: User, investigation_id: str,
    investigators: Sequence[StaffMember], village_helper: VillageHelper,
) -> list[Investigator]:
    """Set the team (R-VE-1): two township staff at least and the village committee's helper,
    none of them recused (R-AP-8). A team is replaced only while nobody has confirmed the
    form's newest version, or once a recusal has left it short of two."""
    investigation = await investigation_for_work(session, user=user,
                                                 investigation_id=investigation_id)
    check_team(investigators)
    await recusals.refuse_recused(session, application_id=investigation.application_id,
                                  user_ids=[i.user_id for i in investigators])  # R-AP-8
    team = await team_of(session, investigation.id)
    if (investigation.village_helper_name, investigation.village_helper_title) == (
            village_helper.name, village_helper.title) and {
            (i.user_id, i.name, i.role) for i in team} == {
            (i.user_id, i.name, i.role) for i in investigators}:
        return team  # the same team again: nothing changes
    if len(team) >= MIN_INVESTIGATORS and await _form_confirmed(session, investigation.id):
        raise Conflict("the form has been confirmed: the team that confirmed it stays (R-VE-1); "
                       "record a new version of the form first to change the team")
    now = utcnow()
    for old in team:
        await session.delete(old)
    await session.flush()
    team = [Investigator(investigation_id=investigation.id, user_id=i.user_id, name=i.name,
                         role=i.role, assigned_at=now, assigned_by=user.user_id)
            for i in investigators]
    session.add_all(team)
    investigation.village_helper_name = village_helper.name
    investigation.village_helper_title = village_helper.title
    investigation.team_assigned_at = now
    await session.flush()
    await emit(session, InvestigatorsAssigned(
        investigation_id=investigation.id, application_id=investigation.application_id,
        investigators=list(investigators), village_helper=village_helper, assigned_at=now,
    ), subject=investigation.id, division=investigation.division)
    return team


async def _form_confirmed(session: AsyncSession, investigation_id: str) -> bool:
    """Someone confirmed the newest version of the form."""
    newest = (select(func.max(InvestigationForm.version))
              .where(InvestigationForm.investigation_id == investigation_id).scalar_subquery())
    confirmation = await session.scalar(select(FormConfirmation.id).where(
        FormConfirmation.investigation_id == investigation_id,
        FormConfirmation.version == newest).limit(1))
    return confirmation is not None


async def record_check_summary(session: AsyncSession, *, investigation_id: str,
                               summary: CheckSummary) -> None:
    """Where the cross-checks (R-VE-4) leave their summary for the completion event: call it
    whenever an investigation's check results change. While a source is ``pending``, the
    investigation cannot complete."""
    investigation = await session.get(Investigation, investigation_id)
    if investigation is None:
        raise NotFound(f"no investigation {investigation_id}")
    investigation.check_summary = summary.model_dump(mode="json")
    await session.flush()


def check_summary_of(investigation: Investigation) -> CheckSummary | None:
    if investigation.check_summary is None:
        return None
    return CheckSummary.model_validate(investigation.check_summary)


async def close_investigation(
    session: AsyncSession, *, application_id: str, reason: ClosedReason, note: str | None,
    closed_at: datetime,
) -> Investigation | None:
    """The application ended (refused or withdrawn): its open investigation is closed with the
    reason and leaves the work lists. A completed or closed one stays as it is."""
    investigation = await session.scalar(  # the latest: one more after an objection (R-AP-4)
        select(Investigation).where(Investigation.application_id == application_id)
        .order_by(Investigation.opened_at.desc(), Investigation.id.desc()).limit(1))
    if investigation is None or investigation.status != InvestigationStatus.open:
        return investigation
    investigation.status = InvestigationStatus.closed
    investigation.closed_reason = reason
    investigation.closed_note = note
    investigation.closed_at = closed_at
    await session.flush()
    await emit(session, InvestigationClosed(
        investigation_id=investigation.id, application_id=application_id,
        application_number=investigation.application_number, program=investigation.program,
        reason=reason.value, note=note, closed_at=closed_at,
    ), subject=investigation.id, division=investigation.division)
    return investigation


async def by_ids(session: AsyncSession, ids: set[str]) -> dict[str, Investigation]:
    """The investigations of these ids (for lists of their letters, doubts …)."""
    if not ids:
        return {}
    rows = await session.scalars(select(Investigation).where(Investigation.id.in_(ids)))
    return {i.id: i for i in rows}
