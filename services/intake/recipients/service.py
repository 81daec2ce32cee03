"""Rules of the register of recipients (R-IN-4): who receives which program, learnt from
approval's events and keyed by the application intake knows with its members, so that nobody
applies for a program they already receive, nor joins a second household."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.models import Application
from services.intake.households.models import Household, Member
from services.intake.recipients.models import BENEFIT, Recipient, RecipientMember
from shared import direct
from shared.db import utcnow
from shared.inbox import NotYet, Rejected
from shared.masking import mask_id_number
from shared.problems import Conflict
from shared.workdays import today_in_shanghai


class ApplicationNotHere(NotYet):
    """An event names an application intake does not hold (yet): redeliver later."""


@dataclass(frozen=True)
class Granted:
    """What approval's event says of a benefit: whose, which program, from when."""

    beneficiary_id: str
    application_id: str
    program: str
    division: str
    month: str
    member_ids: Sequence[str] | None


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


async def register(session: AsyncSession, granted: Granted, *, kind: str) -> Recipient:
    """Record who receives a benefit, once per ``beneficiary_id``: the members approval names,
    else those the application counts (R-IN-7)."""
    existing = await session.get(Recipient, granted.beneficiary_id)
    if existing is not None:
        return existing
    application = await session.scalar(select(Application).where(
        Application.id == granted.application_id))
    if application is None:
        raise ApplicationNotHere(f"no application {granted.application_id} here (yet)")
    household = await session.scalar(select(Household).where(
        Household.application_id == application.id))
    assert household is not None  # every application has its household
    members = (await session.scalars(select(Member).where(
        Member.household_id == household.id))).all()
    if granted.member_ids is None:
        covered = [m for m in members if m.counted]
    else:
        by_id = {m.id: m for m in members}
        unknown = sorted(set(granted.member_ids) - set(by_id))
        if unknown:
            raise Rejected(f"member ids {', '.join(unknown)} are not members of application "
                           f"{application.number}")
        covered = [by_id[i] for i in dict.fromkeys(granted.member_ids)]
    recipient = Recipient(
        beneficiary_id=granted.beneficiary_id, application_id=application.id,
        application_number=application.number, program=granted.program,
        division=granted.division, kind=kind, since_month=granted.month, stopped_from=None,
        recorded_at=utcnow(),
        members=[RecipientMember(id_number=m.id_number, program=granted.program,
                                 head_id_number=household.head_id_number) for m in covered])
    session.add(recipient)
    await session.flush()
    return recipient


async def stop(session: AsyncSession, *, beneficiary_id: str, month: str) -> None:
    """Nothing is paid from ``month`` on (停发): from then on the members are free to apply.
    A stop before its approval has arrived is *not yet*."""
    recipient = await session.get(Recipient, beneficiary_id)
    if recipient is None:
        raise NotYet(f"beneficiary {beneficiary_id} is not registered here yet")
    if recipient.stopped_from is None or month < recipient.stopped_from:
        recipient.stopped_from = month


_recipient, _recipient_member = Recipient.__table__.c, RecipientMember.__table__.c
RECEIVING = direct.Statement(
    select(_recipient_member.id_number, _recipient_member.head_id_number, _recipient.program,
           _recipient.beneficiary_id, _recipient.application_number)
    .select_from(RecipientMember.__table__.join(
        Recipient.__table__, _recipient.beneficiary_id == _recipient_member.beneficiary_id))
    .where(_recipient_member.id_number.in_(bindparam("ids", expanding=True)),
           _recipient.kind == BENEFIT,
           or_(_recipient.stopped_from.is_(None), _recipient.stopped_from > bindparam("month")))
    .order_by(_recipient.since_month, _recipient.beneficiary_id))
"""Benefits received in a month by any of some people (``ids``): built once, run on the
driver (every submission)."""


async def check_not_receiving(
    session: AsyncSession, *, program: str, head_id_number: str, counted: Mapping[str, int],
    today: date | None = None,
) -> None:
    """R-IN-4: nobody counted in the household already receives the program, nor receives any
    benefit in another household (another head). ``counted`` maps the counted members' ID
    numbers to their positions in the request; the refusal names the other record."""
    month = month_of(today or today_in_shanghai())
    rows = await direct.fetch(session, RECEIVING, {"ids": list(counted), "month": month})
    for row in rows:
        field = f"household.members.{counted[row.id_number]}.id_number"
        masked = mask_id_number(row.id_number)
        extra = {"rule": "R-IN-4", "field": field, "beneficiary_id": row.beneficiary_id,
                 "other_application_number": row.application_number}
        if row.program == program:
            raise Conflict(f"{masked} already receives {program} (beneficiary "
                           f"{row.beneficiary_id}, application {row.application_number}) "
                           "(R-IN-4)", **extra)
        if row.head_id_number != head_id_number:
            raise Conflict(f"{masked} receives {row.program} in another household (beneficiary "
                           f"{row.beneficiary_id}, application {row.application_number}) "
                           "(R-IN-4: one household at a time)", **extra)
