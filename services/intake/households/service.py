"""Household composition: who counts (R-IN-7), one head, one household per person (R-IN-4)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.models import OPEN_STATUSES, Application
from services.intake.households.models import Household, Member
from shared.masking import mask_id_number
from shared.problems import Conflict

Relationship = Literal[
    "head", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other"
]
LivingStatus = Literal["at_home", "clergy_apart_3y", "serving_sentence", "in_custody"]

NOT_COUNTED: frozenset[str] = frozenset({"clergy_apart_3y", "serving_sentence", "in_custody"})
"""R-IN-7: clergy apart ≥ 3 years, people serving a sentence or in custody are not counted."""


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


def counts_in_household(member: MemberFacts) -> bool:
    """R-IN-7: a member counts unless living at a religious site, serving a sentence or held."""
    return member.living_status not in NOT_COUNTED


def counted_size(members: Iterable[MemberFacts]) -> int:
    """How many members count in the household (R-IN-7); events call it household_size."""
    return sum(1 for m in members if counts_in_household(m))


def check_composition(members: Sequence[MemberFacts]) -> None:
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
    if counted_size(members) == 0:
        raise HouseholdError("no member counts in the household (R-IN-7)")


def head_of(members: Sequence[MemberFacts]) -> MemberFacts:
    """The head of a household that passed check_composition."""
    return next(m for m in members if m.relationship == "head")


def _person_lock_key(id_number: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock on one person."""
    digest = hashlib.sha256(f"assist-intake-person:{id_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock_persons(session: AsyncSession, id_numbers: Iterable[str]) -> None:
    """Serialise concurrent applications naming the same people until this transaction ends.

    SQLite needs nothing: every transaction takes the write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({_person_lock_key(n) for n in id_numbers})
    # One round trip; the locks are taken in key order, so two applications never deadlock.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM "
             "(SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS ordered"),
        {"keys": keys})


async def check_one_household_per_person(
    session: AsyncSession, *, program: str, head_id_number: str, id_numbers: Sequence[str],
) -> None:
    """R-IN-4: nobody in two open applications of one program, nor in two households at once."""
    rows = await session.execute(
        select(Member.id_number, Application.number, Application.program,
               Household.head_id_number)
        .join(Household, Member.household_id == Household.id)
        .join(Application, Household.application_id == Application.id)
        .where(Member.id_number.in_(list(id_numbers)), Application.status.in_(OPEN_STATUSES))
        .order_by(Application.submitted_at, Application.number)
    )
    position = {number: i for i, number in enumerate(id_numbers)}
    for row in rows:
        field = f"household.members.{position[row.id_number]}.id_number"
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
