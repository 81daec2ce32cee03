"""Rules of the staff register: the county officer registers the people who serve in social
assistance and the village cadres, and ends their posts. Disbursement refuses them as proxies
(R-DI-5); oversight counts each township's dedicated staff (R-OV-4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.divisions import service as divisions
from services.intake.staff.models import StaffMember
from services.intake.staff.schemas import StaffIn
from shared import divisions as codes
from shared.at_rest import keyring_of
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.intake import (
    ASSISTANCE_STAFF,
    DEDICATED_STAFF,
    StaffKind,
    StaffLeft,
    StaffRegistered,
)
from shared.digests import person_digest
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number, mask_name
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound

STAFF = Keyset("staff", StaffMember.registered_at.desc(), StaffMember.id.desc())
"""The order of the register's list and its cursors: the latest registered first."""

LEVELS: dict[StaffKind, frozenset[str]] = {
    StaffKind.county_dedicated: frozenset({"county"}),
    StaffKind.township_dedicated: frozenset({"township"}),
    StaffKind.caseworker: frozenset({"county", "township"}),
    StaffKind.village_assistant: frozenset({"village"}),
    StaffKind.village_cadre: frozenset({"village"}),
}
"""At which level of division each kind serves."""


def check_level(kind: StaffKind, division: str) -> None:
    """A kind serves at its level of division: 422 naming ``division`` otherwise."""
    level = codes.level(division)
    if level not in LEVELS[kind]:
        raise InvalidField("division", f"{kind.value} serves at a "
                           f"{' or '.join(sorted(LEVELS[kind]))} code, {division} is a {level}")


def in_post(member: StaffMember, on: date) -> bool:
    return member.valid_from <= on and (member.valid_until is None or on < member.valid_until)


async def register(session: AsyncSession, *, user: User, county: str, body: StaffIn
                   ) -> StaffMember:
    """The county officer registers a person in a post. The same person twice in the same post
    (kind and division) with overlapping days is refused (409)."""
    now, today = now_of(session), today_of(session)
    if not codes.is_within(body.division, county):
        raise InvalidField("division", f"{body.division} is not in county {county}, which this "
                           "installation serves")
    user.require_access(body.division)
    check_level(body.kind, body.division)
    valid_from = body.valid_from or today
    await divisions.require_in_force(session, body.division, on=valid_from, field="division")
    digest = person_digest(keyring_of(session), body.id_number)
    clash = await session.scalar(select(StaffMember.id).where(
        StaffMember.id_digest == digest, StaffMember.kind == body.kind.value,
        StaffMember.division == body.division,
        or_(StaffMember.valid_until.is_(None), StaffMember.valid_until > valid_from)))
    if clash is not None:
        raise Conflict(f"{mask_id_number(body.id_number)} is already registered as "
                       f"{body.kind.value} in {body.division} (staff {clash})", staff_id=clash)
    member = StaffMember(
        id=new_id(), name=body.name, id_digest=digest, id_masked=mask_id_number(body.id_number),
        kind=body.kind.value, division=body.division, title=body.title, valid_from=valid_from,
        registered_by=user.user_id, registered_at=now)
    try:  # the open-post index decides between two registrations at once
        async with session.begin_nested():
            session.add(member)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"{mask_id_number(body.id_number)} was registered as {body.kind.value} "
                       f"in {body.division} at the same moment") from None
    await emit(session, StaffRegistered(
        staff_id=member.id, name_masked=mask_name(member.name), id_number=body.id_number,
        kind=body.kind, assistance_staff=body.kind in ASSISTANCE_STAFF,
        dedicated=body.kind in DEDICATED_STAFF, division=member.division, title=member.title,
        valid_from=valid_from, valid_until=None,
    ), subject=member.id, division=member.division)
    return member


async def load(session: AsyncSession, staff_id: str, *, for_update: bool = False) -> StaffMember:
    query = select(StaffMember).where(StaffMember.id == staff_id)
    if for_update:
        query = query.with_for_update()
    member = await session.scalar(query.execution_options(populate_existing=True))
    if member is None:
        raise NotFound(f"no staff member {staff_id}")
    return member


async def get(session: AsyncSession, *, user: User, staff_id: str) -> StaffMember:
    member = await load(session, staff_id)
    user.require_record(member.division, f"no staff member {staff_id}")
    return member


async def end(session: AsyncSession, *, user: User, staff_id: str, left_on: date | None,
              reason: str | None) -> StaffMember:
    """The person left the post from ``left_on`` (exclusive end; default today). Once (409)."""
    member = await load(session, staff_id, for_update=True)
    user.require_record(member.division, f"no staff member {staff_id}")
    if member.valid_until is not None:
        raise Conflict(f"staff member {staff_id} left on {member.valid_until}")
    left_on = left_on or today_of(session)
    if left_on <= member.valid_from:
        raise InvalidField("left_on", f"must be after the first day in the post "
                           f"({member.valid_from})")
    member.valid_until = left_on
    member.left_reason = reason
    member.ended_by = user.user_id
    member.ended_at = now_of(session)
    await session.flush()
    kind = StaffKind(member.kind)
    await emit(session, StaffLeft(
        staff_id=member.id, name_masked=mask_name(member.name), kind=kind,
        assistance_staff=kind in ASSISTANCE_STAFF, dedicated=kind in DEDICATED_STAFF,
        division=member.division, valid_from=member.valid_from, valid_until=left_on,
        reason=reason,
    ), subject=member.id, division=member.division)
    return member


async def list_staff(
    session: AsyncSession, *, user: User, division: str | None = None,
    kind: StaffKind | None = None, active_on: date | None = None, window: Window | None = None,
) -> Sequence[StaffMember]:
    """The register inside the user's jurisdiction, the latest first (:data:`STAFF`), filtered by
    division (and below), kind and the day they were in the post."""
    query = select(StaffMember).where(user.jurisdiction(StaffMember.division))
    if division is not None:
        query = query.where(StaffMember.division.startswith(codes.significant_prefix(division)))
    if kind is not None:
        query = query.where(StaffMember.kind == kind.value)
    if active_on is not None:
        query = query.where(StaffMember.valid_from <= active_on, or_(
            StaffMember.valid_until.is_(None), StaffMember.valid_until > active_on))
    query = (window or Window(STAFF, limit=100)).apply(query)
    return (await session.scalars(query)).all()
