"""Every domain event keeps its record's case reference up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links import service
from shared.contracts import EventContract, all_contracts
from shared.contracts.kit import OperationRecorded
from shared.events import Envelope


async def on_any_event(session: AsyncSession, data: EventContract, event: Envelope) -> None:
    """Remember which record, division and application the event is about."""
    await service.note_event(session, event)


HANDLERS = {
    contract: on_any_event for contract in all_contracts()
    # Reads and refusals change no case: complaints does not even subscribe to them.
    if contract is not OperationRecorded
}
