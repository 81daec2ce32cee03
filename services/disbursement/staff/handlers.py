"""Intake's staff register events: the people refused as proxies (R-DI-5)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.staff import service
from shared.contracts import EventContract
from shared.contracts.intake import StaffLeft, StaffRegistered
from shared.events import Envelope
from shared.inbox import Handler, NotYet


async def on_staff_registered(session: AsyncSession, registered: StaffRegistered,
                              event: Envelope) -> None:
    await service.keep_registered(session, registered)


async def on_staff_left(session: AsyncSession, left: StaffLeft, event: Envelope) -> None:
    if not await service.keep_left(session, left):
        raise NotYet(f"staff member {left.staff_id} left before their registration arrived")


HANDLERS: dict[type[EventContract], Handler] = {
    StaffRegistered: on_staff_registered,
    StaffLeft: on_staff_left,
}
