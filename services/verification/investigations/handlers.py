"""Events that open investigation tasks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations import service
from shared.contracts import EventContract
from shared.contracts.intake import ApplicationAccepted
from shared.events import Envelope
from shared.inbox import Handler


async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """An accepted application needs its household investigation (R-VE-1)."""
    await service.open_investigation(
        session,
        application_id=accepted.application_id,
        application_number=accepted.application_number,
        program=accepted.program,
        division=accepted.division,
        household_size=accepted.household_size,
        accepted_on=accepted.accepted_on,
        review_due_on=accepted.review_due_on,
        review_due_provisional=accepted.review_due_provisional,
    )


HANDLERS: dict[type[EventContract], Handler] = {ApplicationAccepted: on_application_accepted}
