"""Every event on the stream enters the operation log (DESIGN: the audit consumer takes all)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.log import service
from shared.events import Envelope
from shared.inbox import ALL_EVENTS


async def append_event(session: AsyncSession, event: Envelope) -> None:
    """Log one event: who, what, when, which record, request id and source address (R-AU-1)."""
    await service.append_entry(session, event)


HANDLERS = {ALL_EVENTS: append_event}
