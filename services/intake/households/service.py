"""Household composition: who counts (R-IN-7), one head, one household per person (R-IN-4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.models import OPEN_STATUSES, Application
from services.intake.households.models import Household, Member
from shared import direct
from shared.db import lock_key, lock_until_commit
from shared.idcard import age_on, parse_resident_id
from shared.masking import mask_id_number
from shared.problems import Conflict
from shared.workdays import today_in_shanghai

Relationship = Literal[
    "head", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other"
]
LivingStatus = Literal["at_home", "clergy_apart_3y", "serving_sentence", "in_custody"]

NOT_COUNTED: frozenset[str] = frozenset({"clergy_apart_3y", "serving_sentence", "in_custody"})
"""R-IN-7: clergy apart ≥ 3 years, people serving a sentence or in custody are not counted."""

CountReason = Literal[
    # counted: the family members living together (共同生活的家庭成员)
    "head", "spouse", "minor_child", "adult_child_student", "adult_child_dependent",
    "supported_relative",
    # not counted
    "clergy_apart_3y", "serving_sentence", "in_custody", "adult_child_independent",
    "not_living_together", "no_duty_of_support",
]
"""Why a member counts in the household or not (R-IN-7), as stored with the member."""
COUNTED_REASONS: frozenset[str] = frozenset({
    "head", "spouse", "minor_child", "adult_child_student", "adult_child_dependent",
    "supported_relative"})
LEGAL_DUTY: frozenset[str] = frozenset({"parent", "grandparent", "grandchild", "sibling"})
"""Relatives the household may owe support to (赡养、扶养、抚养): they count when they have
lived with the household long-term (``lives_with_household``), which must be declared."""
ADULT_AGE = 18


class HouseholdError(ValueError):
    """A declared household that breaks R-IN-4 or R-IN-7; the message says why."""


class MemberFacts(Protocol):
    """What the composition rules read of a member."""

    @property
    def id_number(self) -> str: ...

    @property
    def relationship(self) -> str: ...

    @property
    def living_status(self) -> str: ...

    @property
    def is_student(self) -> bool: ...

    @property
    def cannot_live_independently(self) -> bool: ...

    @property
    def lives_with_household(self) -> bool | None: ...


def count_reason(member: MemberFacts, *, on: date | None = None) -> str:
    """R-IN-7: why the member counts in the household, or why not, on the day ``on`` (the
    application's receipt day; default today): the spouse, minor children, adult children who
    cannot live on their own (students up to a bachelor's degree included) and relatives with a
    legal duty of support living with the household long-term count; clergy apart ≥ 3 years,
    people serving a sentence or held in custody never do."""
    if member.living_status in NOT_COUNTED:
        return member.living_status
    relationship = member.relationship
    if relationship in ("head", "spouse"):
        return relationship
    if relationship == "child":
        birth = parse_resident_id(member.id_number).birth_date
        if age_on(birth, max(birth, on or today_in_shanghai())) < ADULT_AGE:
            return "minor_child"
        if member.is_student:
            return "adult_child_student"
        if member.cannot_live_independently:
            return "adult_child_dependent"
        return "adult_child_independent"
    if relationship in LEGAL_DUTY:
        return "supported_relative" if member.lives_with_household else "not_living_together"
    return "no_duty_of_support"


def counts_in_household(member: MemberFacts, *, on: date | None = None) -> bool:
    """R-IN-7: the member counts in the household (see :func:`count_reason`)."""
    return count_reason(member, on=on) in COUNTED_REASONS


def counted_size(members: Iterable[MemberFacts], *, on: date | None = None) -> int:
    """How many members count in the household (R-IN-7); events call it household_size."""
    return sum(1 for m in members if counts_in_household(m, on=on))


def undeclared_cohabitation(members: Sequence[MemberFacts]) -> int | None:
    """The position of the first relative with a legal duty of support whose living with the
    household is not declared (R-IN-7 cannot be applied without it), or None."""
    return next((i for i, m in enumerate(members)
                 if m.relationship in LEGAL_DUTY and m.living_status not in NOT_COUNTED
                 and m.lives_with_household is None), None)


def check_composition(members: Sequence[MemberFacts], *, on: date | None = None) -> None:
    """R-IN-4 exactly one head and no ID number twice; R-IN-7 at least one counted member."""
    heads = sum(1 for m in members if m.relationship == "head")
    if heads != 1:
        raise HouseholdError(f"a household has exactly one head (R-IN-4); this one has {heads}")
    seen: set[str] = set()
    for member in members:
        if member.id_number in seen:
            raise HouseholdError(
                f"ID number {mask_id_number(member.id_number)} is given twice (R-IN-4)"
            )
        seen.add(member.id_number)
    if counted_size(members, on=on) == 0:
        raise HouseholdError("no member counts in the household (R-IN-7)")


def head_of(members: Sequence[MemberFacts]) -> MemberFacts:
    """The head of a household that passed check_composition."""
    return next(m for m in members if m.relationship == "head")


async def lock_persons(session: AsyncSession, id_numbers: Iterable[str]) -> None:
    """Serialise concurrent applications naming the same people until this transaction ends:
    one advisory lock a person, all in one round trip, in key order so that two applications
    never deadlock (``shared.db.lock_until_commit``; SQLite needs nothing)."""
    await lock_until_commit(session, *(lock_key(f"assist-intake-person:{number}")
                                       for number in id_numbers))


_member, _household, _application = (Member.__table__.c, Household.__table__.c,
                                      Application.__table__.c)
COUNTED_IN_OPEN = direct.Statement(
    select(_member.id_number, _application.number, _application.program,
           _household.head_id_number)
    .select_from(Member.__table__.join(Household.__table__,
                                       _member.household_id == _household.id)
                 .join(Application.__table__, _household.application_id == _application.id))
    .where(_member.id_number.in_(bindparam("ids", expanding=True)), _member.counted.is_(True),
           _application.status.in_(OPEN_STATUSES))
    .order_by(_application.submitted_at, _application.number))
"""Open applications counting any of some people (``ids``): built once, run on the driver
(every submission)."""


async def check_one_household_per_person(
    session: AsyncSession, *, program: str, head_id_number: str, counted: Mapping[str, int],
) -> None:
    """R-IN-4: nobody in two open applications of one program, nor in two households at once.

    ``counted`` maps the ID numbers of the members who count (R-IN-7) to their positions in
    the request: a member who does not count (an adult child living on their own, a member
    serving a sentence) is listed but belongs to no household here, so they may be counted in
    another; members who count elsewhere likewise."""
    rows = await direct.fetch(session, COUNTED_IN_OPEN, {"ids": list(counted)})
    for row in rows:
        field = f"household.members.{counted[row.id_number]}.id_number"
        masked = mask_id_number(row.id_number)
        if row.program == program:
            raise Conflict(
                f"{masked} is already in open application {row.number} of {program} (R-IN-4)",
                rule="R-IN-4", field=field, other_application_number=row.number,
            )
        if row.head_id_number != head_id_number:
            raise Conflict(
                f"{masked} belongs to another household, in open application {row.number} "
                "(R-IN-4: one household at a time)",
                rule="R-IN-4", field=field, other_application_number=row.number,
            )
