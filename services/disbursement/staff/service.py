"""Intake's staff register kept as digests: who may never be a proxy (R-DI-5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.staff.models import RegisteredStaff
from shared.at_rest import keyring_of
from shared.clock import now_of
from shared.contracts.intake import REFUSED_AS_PROXY, StaffLeft, StaffRegistered
from shared.digests import person_digest


async def keep_registered(session: AsyncSession, registered: StaffRegistered
                          ) -> RegisteredStaff | None:
    """A post of the register, kept as the digest of the person; None when it was kept
    already (a replay changes nothing)."""
    if await session.get(RegisteredStaff, registered.staff_id) is not None:
        return None
    staff = RegisteredStaff(
        staff_id=registered.staff_id,
        id_digest=person_digest(keyring_of(session), registered.id_number),
        name_masked=registered.name_masked, kind=registered.kind.value,
        refused_as_proxy=registered.kind in REFUSED_AS_PROXY, division=registered.division,
        valid_from=registered.valid_from, valid_until=registered.valid_until,
        updated_at=now_of(session))
    session.add(staff)
    await session.flush()
    return staff


async def keep_left(session: AsyncSession, left: StaffLeft) -> bool:
    """The post ended; False when its registration has not arrived (retry later)."""
    staff = await session.get(RegisteredStaff, left.staff_id)
    if staff is None:
        return False
    staff.valid_until, staff.updated_at = left.valid_until, now_of(session)
    await session.flush()
    return True


async def staff_refused_as_proxy(session: AsyncSession, digest: str, on: date
                                 ) -> RegisteredStaff | None:
    """The post, in force on ``on``, that makes the person with ``digest`` unfit as a proxy:
    assistance staff or a village cadre (R-DI-5); None if there is none."""
    return await session.scalar(select(RegisteredStaff).where(
        RegisteredStaff.id_digest == digest, RegisteredStaff.refused_as_proxy.is_(True),
        RegisteredStaff.valid_from <= on,
        or_(RegisteredStaff.valid_until.is_(None), RegisteredStaff.valid_until > on))
        .order_by(RegisteredStaff.valid_from).limit(1))
