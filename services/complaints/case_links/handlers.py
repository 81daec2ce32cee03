"""Every event of every service keeps its record's case reference up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links import service
from shared.events import Envelope


async def on_any_event(session: AsyncSession, event: Envelope) -> None:
    """Remember which record, division and application the event is about."""
    await service.note_event(session, event)


HANDLERS = {"*": on_any_event}
