"""Rules of the low-income register (低收入人口, R-DY-4): kept from the roll as it changes, with
the categories staff add (at-risk, expenditure hardship, others); listed and counted masked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.low_income.models import Category, LowIncomePerson, Source
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import current_actor, new_id
from shared.contracts.approval import LowIncomePersonAdded, LowIncomePersonEnded
from shared.db import where_given
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number, mask_name
from shared.outbox import emit
from shared.problems import Conflict, NotFound

if TYPE_CHECKING:
    from services.approval.roll.models import Beneficiary, TemporaryAidGrant

REGISTER = Keyset("low_income", LowIncomePerson.recorded_at.asc(), LowIncomePerson.id.asc())
"""The order of the register's list and its cursors: the oldest entry first."""

STAFF_CATEGORIES = frozenset({Category.at_risk, Category.expenditure_hardship, Category.other,
                              Category.near_dibao})
"""What staff may add by hand; dibao and tekun come from the roll alone (R-DI-1)."""


def _entry(*, category: Category, division: str, name_masked: str, source: Source,
           since_day: date, now: datetime, member_id: str | None = None,
           beneficiary_id: str | None = None, application_id: str | None = None,
           id_number_masked: str | None = None, note: str | None = None) -> LowIncomePerson:
    return LowIncomePerson(
        id=new_id(), category=category, division=division, name_masked=name_masked,
        id_number_masked=id_number_masked, member_id=member_id, beneficiary_id=beneficiary_id,
        application_id=application_id, source=source, active=True, since=since_day,
        ended_on=None, ended_reason=None, note=note,
        recorded_by=current_actor.get().user_id, recorded_at=now)


async def on_roll_entered(
    session: AsyncSession, beneficiary: Beneficiary, *, member_ids: Sequence[str] | None,
    names: Mapping[str, str],
) -> None:
    """A beneficiary entered the roll: its people join the register in its program's category
    (dibao, tekun, near-dibao); a household whose members are not named, by its head."""
    category = Category(beneficiary.program)
    now, today = now_of(session), today_of(session)
    people = [(m, mask_name(names[m]) if m in names else beneficiary.head_name_masked)
              for m in member_ids] if member_ids else [(None, beneficiary.head_name_masked)]
    session.add_all(_entry(category=category, division=beneficiary.division, name_masked=name,
                           source=Source.roll, since_day=today, now=now, member_id=member,
                           beneficiary_id=beneficiary.id,
                           application_id=beneficiary.application_id)
                    for member, name in people)


async def on_temporary_aid(session: AsyncSession, grant: TemporaryAidGrant) -> None:
    """Expenditure-type temporary aid (支出型临时救助) marks the household as one in expenditure
    hardship (R-DY-4), once per application."""
    if grant.program != "temp_expenditure":
        return
    known = await session.scalar(select(LowIncomePerson.id).where(
        LowIncomePerson.application_id == grant.application_id,
        LowIncomePerson.category == Category.expenditure_hardship,
        LowIncomePerson.active.is_(True)))
    if known is None:
        session.add(_entry(category=Category.expenditure_hardship, division=grant.division,
                           name_masked=grant.head_name_masked, source=Source.temporary_aid,
                           since_day=today_of(session), now=now_of(session),
                           beneficiary_id=grant.id, application_id=grant.application_id))


async def on_roll_stopped(
    session: AsyncSession, beneficiary: Beneficiary, *, reason: str, near_dibao: bool = False
) -> None:
    """The benefit stopped: its people leave its category; after a gradual exit (R-BE-6) the
    household is near-dibao and stays on the register as such."""
    today = today_of(session)
    current = (await session.scalars(select(LowIncomePerson).where(
        LowIncomePerson.beneficiary_id == beneficiary.id,
        LowIncomePerson.category == beneficiary.program,
        LowIncomePerson.active.is_(True)))).all()
    await session.execute(update(LowIncomePerson).where(
        LowIncomePerson.id.in_([p.id for p in current])).values(
        active=False, ended_on=today, ended_reason=reason))
    if near_dibao and beneficiary.program == Category.dibao:
        now = now_of(session)
        session.add_all(_entry(category=Category.near_dibao, division=p.division,
                               name_masked=p.name_masked, source=Source.roll, since_day=today,
                               now=now, member_id=p.member_id, beneficiary_id=beneficiary.id,
                               application_id=beneficiary.application_id,
                               note="after the gradual exit (R-BE-6)")
                        for p in current)


async def add_person(
    session: AsyncSession, *, user: User, category: Category, division: str, name: str,
    id_number: str | None = None, note: str | None = None,
) -> LowIncomePerson:
    """Staff add an at-risk, expenditure-hardship, near-dibao or other low-income person
    (R-DY-4); kept masked."""
    user.require_access(division)
    if category not in STAFF_CATEGORIES:
        raise Conflict(f"{category} people enter the register from the roll only (R-DI-1)",
                       field="category")
    person = _entry(category=category, division=division, name_masked=mask_name(name),
                    source=Source.staff, since_day=today_of(session), now=now_of(session),
                    id_number_masked=mask_id_number(id_number) if id_number else None, note=note)
    session.add(person)
    await session.flush()
    await emit(session, LowIncomePersonAdded(
        person_id=person.id, category=category.value, division=division,
        name_masked=person.name_masked, id_number_masked=person.id_number_masked,
        recorded_by=user.user_id), subject=person.id, division=division)
    return person


async def end_person(
    session: AsyncSession, *, user: User, person_id: str, reason: str
) -> LowIncomePerson:
    """Staff end an entry they added (the roll's entries end with the roll)."""
    person = await get_person(session, user=user, person_id=person_id)
    if person.source != Source.staff:
        raise Conflict("entries from the roll end when the benefit stops", field="person_id")
    if person.active:
        person.active, person.ended_on, person.ended_reason = False, today_of(session), reason
        await session.flush()
        await emit(session, LowIncomePersonEnded(
            person_id=person.id, category=person.category, division=person.division,
            reason=reason, ended_on=person.ended_on), subject=person.id, division=person.division)
    return person


async def get_person(session: AsyncSession, *, user: User, person_id: str) -> LowIncomePerson:
    person = await session.get(LowIncomePerson, person_id)
    if person is None:
        raise NotFound(f"no low-income register entry {person_id}")
    user.require_record(person.division, f"no low-income register entry {person_id}")
    return person


async def list_people(
    session: AsyncSession, *, user: User, category: Category | None = None,
    division: str | None = None, active: bool | None = True, source: Source | None = None,
    window: Window | None = None,
) -> Sequence[LowIncomePerson]:
    """The register inside the user's jurisdiction, oldest entry first (:data:`REGISTER`)."""
    query = select(LowIncomePerson).where(user.jurisdiction(LowIncomePerson.division))
    query = where_given(query, (LowIncomePerson.category, category),
                        (LowIncomePerson.active, active), (LowIncomePerson.source, source))
    if division is not None:
        query = query.where(LowIncomePerson.division.startswith(division))
    query = (window or Window(REGISTER, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def count_by_category(
    session: AsyncSession, *, user: User, division: str | None = None
) -> dict[str, int]:
    """R-DY-4: how many people of each category are on the register now."""
    query = (select(LowIncomePerson.category, func.count())
             .where(user.jurisdiction(LowIncomePerson.division),
                    LowIncomePerson.active.is_(True))
             .group_by(LowIncomePerson.category))
    if division is not None:
        query = query.where(LowIncomePerson.division.startswith(division))
    counts = {c.value: 0 for c in Category}
    counts.update({str(category): n for category, n in (await session.execute(query)).all()})
    return counts
