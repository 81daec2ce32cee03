"""Every event on the stream enters the operation log (DESIGN: the audit consumer takes all)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.log import service
from shared.events import Envelope
from shared.inbox import completed_by, prepared_by


@prepared_by(service.gather_entries)
@completed_by(service.write_entries)
async def append_event(session: AsyncSession, event: Envelope) -> None:
    """Log one event as it travelled — who, what, when, which record, request id and source
    address (R-AU-1); personal data stays sealed, and the chain covers the ciphertext."""
    await service.append_entry(session, event)
