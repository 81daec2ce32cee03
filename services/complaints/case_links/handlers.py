"""Every event of every service keeps its record's case reference up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links import service
from shared.events import Envelope
from shared.operations import OPERATION_RECORDED


async def on_any_event(session: AsyncSession, event: Envelope) -> None:
    """Remember which record, division and application the event is about.

    Reads and refusals (``operation_recorded``) change no case: they are not case references.
    """
    if event.event == OPERATION_RECORDED:
        return
    await service.note_event(session, event)


HANDLERS = {"*": on_any_event}
