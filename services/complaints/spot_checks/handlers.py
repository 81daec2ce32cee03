"""Approval's decisions make the spot checks' register (R-OV-1)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.spot_checks import service
from shared.contracts import EventContract
from shared.contracts.approval import ApplicationDecided
from shared.events import Envelope
from shared.inbox import Handler


async def on_application_decided(session: AsyncSession, data: ApplicationDecided,
                                 event: Envelope) -> None:
    await service.note_decision(session, data)


HANDLERS: dict[type[EventContract], Handler] = {ApplicationDecided: on_application_decided}
