"""Intake's staff register events: the people refused as proxies, and proxies revoked when
they join it (R-DI-5)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.proxies import service as proxies
from services.disbursement.staff import service
from shared.contracts import EventContract
from shared.contracts.intake import StaffLeft, StaffRegistered
from shared.events import Envelope
from shared.inbox import Handler, NotYet


async def on_staff_registered(session: AsyncSession, registered: StaffRegistered,
                              event: Envelope) -> None:
    staff = await service.keep_registered(session, registered)
    if staff is not None:  # a proxy who now holds a post refused as proxy is one no more
        await proxies.revoke_for_staff(session, staff)


async def on_staff_left(session: AsyncSession, left: StaffLeft, event: Envelope) -> None:
    if not await service.keep_left(session, left):
        raise NotYet(f"staff member {left.staff_id} left before their registration arrived")


HANDLERS: dict[type[EventContract], Handler] = {
    StaffRegistered: on_staff_registered,
    StaffLeft: on_staff_left,
}
