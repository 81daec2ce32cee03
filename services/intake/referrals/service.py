"""Rules of referrals (R-IN-2): recorded in a village, followed up within
``referral_followup_working_days`` working days (contact made, and an application or a recorded
reason for none), overdue until they end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.divisions import service as divisions
from services.intake.referrals.models import APPLIED, CLOSED, OPEN, Referral
from services.intake.referrals.schemas import ReferralIn
from shared.auth import User
from shared.context import new_id
from shared.contracts import intake as contracts
from shared.db import utcnow, where_given
from shared.divisions import is_within, significant_prefix
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound
from shared.workdays import Deadline, WorkingCalendar, today_in_shanghai

REFERRALS = Keyset("referrals", Referral.followup_due_on.asc(), Referral.referred_at.asc(),
                   Referral.id.asc())
"""The order of the list of referrals and its cursors: the nearest follow-up deadline first."""


def followup_deadline(referred_on: date, calendar: WorkingCalendar, working_days: int
                      ) -> Deadline:
    """R-IN-2: the last day to follow a referral up, counted as R-AP-7 counts."""
    return calendar.add_working_days(referred_on, working_days)


def is_overdue(referral: Referral, *, today: date) -> bool:
    """R-IN-2: a referral that has not ended is overdue once its last day has ended (contact
    alone does not end it: an application or a recorded reason does)."""
    return referral.status == OPEN and today > referral.followup_due_on


def _division_of(division: str, county: str) -> None:
    if not is_within(division, county):
        raise InvalidField("division", f"{division} is not in county {county}, which this "
                           "installation serves")


async def record_referral(
    session: AsyncSession, *, user: User, county: str, calendar: WorkingCalendar,
    followup_working_days: int, request: ReferralIn, now: datetime | None = None,
) -> Referral:
    """A village assistant or caseworker records a person in need in their village (R-IN-2)."""
    now = now or utcnow()
    today = today_in_shanghai(now)
    _division_of(request.division, county)
    user.require_access(request.division)
    await divisions.require_in_force(session, request.division, on=today, field="division")
    deadline = followup_deadline(today, calendar, followup_working_days)
    referral = Referral(
        id=new_id(), division=request.division, person_name=request.name,
        id_number=request.id_number, phone=request.phone, address=request.address,
        situation=request.situation, reported_by=request.reported_by, referred_at=now,
        referred_on=today, referred_by=user.user_id, referred_by_role=user.role,
        followup_due_on=deadline.last_day, followup_due_provisional=deadline.provisional,
        status=OPEN)
    session.add(referral)
    await session.flush()
    await emit(session, contracts.ReferralRecorded(
        referral_id=referral.id, division=referral.division,
        person_name=referral.person_name,
        id_number=mask_id_number(referral.id_number) if referral.id_number else None,
        reported_by=referral.reported_by, referred_at=now, referred_on=today,
        followup_due_on=deadline.last_day, followup_due_provisional=deadline.provisional,
    ), subject=referral.id, division=referral.division)
    return referral


async def load_referral(session: AsyncSession, referral_id: str, *, for_update: bool = False
                        ) -> Referral:
    query = select(Referral).where(Referral.id == referral_id)
    if for_update:
        query = query.with_for_update()
    referral = await session.scalar(query.execution_options(populate_existing=True))
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


async def get_referral(session: AsyncSession, *, user: User, referral_id: str) -> Referral:
    referral = await load_referral(session, referral_id)
    user.require_record(referral.division, f"no referral {referral_id}")
    return referral


async def _open_referral(session: AsyncSession, user: User, referral_id: str) -> Referral:
    referral = await load_referral(session, referral_id, for_update=True)
    user.require_record(referral.division, f"no referral {referral_id}")
    if referral.status != OPEN:
        raise Conflict(f"referral {referral.id} has ended ({referral.status})", rule="R-IN-2",
                       application_number=referral.application_number)
    return referral


async def record_contact(
    session: AsyncSession, *, user: User, referral_id: str, contacted_on: date | None,
    note: str, now: datetime | None = None,
) -> Referral:
    """Contact made with the person referred (R-IN-2); recorded once."""
    now = now or utcnow()
    today = today_in_shanghai(now)
    referral = await _open_referral(session, user, referral_id)
    if referral.contacted_on is not None:
        raise Conflict(f"contact with referral {referral.id} was recorded on "
                       f"{referral.contacted_on}", rule="R-IN-2")
    contacted_on = contacted_on or today
    if not referral.referred_on <= contacted_on <= today:
        raise InvalidField("contacted_on", f"must be between the referral's day "
                           f"({referral.referred_on}) and today ({today})")
    referral.contacted_on = contacted_on
    referral.contacted_at = now
    referral.contacted_by = user.user_id
    referral.contact_note = note
    await session.flush()
    await emit(session, contracts.ReferralContacted(
        referral_id=referral.id, division=referral.division, contacted_on=contacted_on,
        note=note, late=contacted_on > referral.followup_due_on,
    ), subject=referral.id, division=referral.division)
    return referral


async def close_referral(
    session: AsyncSession, *, user: User, referral_id: str, reason_code: str, reason: str,
    now: datetime | None = None,
) -> Referral:
    """The referral ends without an application, for a recorded reason (R-IN-2)."""
    now = now or utcnow()
    referral = await _open_referral(session, user, referral_id)
    await _end(session, referral, user=user, status=CLOSED, on=today_in_shanghai(now), at=now,
               reason_code=reason_code, reason=reason)
    return referral


async def end_in_application(
    session: AsyncSession, *, user: User, referral_id: str, application_id: str,
    application_number: str, received_on: date, id_numbers: Sequence[str], now: datetime,
) -> Referral:
    """An application follows the referral (R-IN-1 active discovery, R-IN-2): the referral
    ends, linked to it, on the day the application was received. A referral that names an ID
    number ends only in an application with that person in the household."""
    referral = await _open_referral(session, user, referral_id)
    if referral.id_number is not None and referral.id_number not in id_numbers:
        raise InvalidField("referral_id", f"the referral names "
                           f"{mask_id_number(referral.id_number)}, who is not in this household")
    ended_on = max(received_on, referral.referred_on)
    if referral.contacted_on is None:  # applying is contact made
        referral.contacted_on = ended_on
        referral.contacted_at = now
        referral.contacted_by = user.user_id
    referral.application_id = application_id
    referral.application_number = application_number
    await _end(session, referral, user=user, status=APPLIED, on=ended_on, at=now)
    return referral


async def _end(session: AsyncSession, referral: Referral, *, user: User, status: str, on: date,
               at: datetime, reason_code: str | None = None, reason: str | None = None) -> None:
    referral.status = status
    referral.ended_on = on
    referral.ended_at = at
    referral.ended_by = user.user_id
    referral.end_reason_code = reason_code
    referral.end_reason = reason
    await session.flush()
    await emit(session, contracts.ReferralEnded(
        referral_id=referral.id, division=referral.division,
        outcome="applied" if status == APPLIED else "no_application",
        application_id=referral.application_id,
        application_number=referral.application_number, reason_code=reason_code,
        reason=reason, ended_on=on, ended_at=at, late=on > referral.followup_due_on,
    ), subject=referral.id, division=referral.division)


async def list_referrals(
    session: AsyncSession, *, user: User, today: date, status: str | None = None,
    division: str | None = None, overdue: bool | None = None, referred_from: date | None = None,
    referred_to: date | None = None, window: Window | None = None,
) -> Sequence[Referral]:
    """Referrals inside the user's jurisdiction, the nearest deadline first (:data:`REFERRALS`),
    filtered by status, division (and everything below it), days referred and ``overdue``."""
    query = select(Referral).where(user.jurisdiction(Referral.division))
    query = where_given(query, (Referral.status, status))
    if division is not None:
        query = query.where(Referral.division.startswith(significant_prefix(division)))
    if referred_from is not None:
        query = query.where(Referral.referred_on >= referred_from)
    if referred_to is not None:
        query = query.where(Referral.referred_on <= referred_to)
    if overdue is not None:
        late = and_(Referral.status == OPEN, Referral.followup_due_on < today)
        query = query.where(late if overdue else not_(late))
    query = (window or Window(REFERRALS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
