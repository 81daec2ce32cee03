"""Every domain event keeps its record's case reference up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links import service
from shared.contracts import ANY_SERVICE, EventContract, all_contracts
from shared.events import Envelope
from shared.inbox import Handler, completed_by, prepared_by


@prepared_by(service.read_references)
@completed_by(service.write_new_references)
async def on_any_event(session: AsyncSession, data: EventContract, event: Envelope) -> None:
    """Remember which record, division and application the event is about."""
    await service.note_event(session, event)


HANDLERS: dict[type[EventContract], Handler] = {
    contract: on_any_event for contract in all_contracts()
    # The kit's own events (reads, refusals, redrives) change no case: complaints does not
    # even subscribe to them; nor to its own (its records are its tables: a complaint, a
    # ledger item is linked to the cases of the other services).
    if contract.service not in (ANY_SERVICE, "complaints")
}
