"""Events the applications listen to: the township's decision ends an application."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications import ending
from shared.contracts import EventContract
from shared.contracts.approval import ApplicationDecided
from shared.events import Envelope
from shared.inbox import Handler


async def on_application_decided(
    session: AsyncSession, decided: ApplicationDecided, event: Envelope
) -> None:
    """Approved or rejected by the township: the application ends as ``decided``."""
    await ending.record_decision(session, decided)


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationDecided: on_application_decided,
}
