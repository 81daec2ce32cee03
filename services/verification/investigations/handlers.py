"""Events that open investigation tasks."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations import service
from shared.events import Envelope


async def on_application_accepted(session: AsyncSession, event: Envelope) -> None:
    """An accepted application needs its household investigation (R-VE-1)."""
    data = event.data
    await service.open_investigation(
        session,
        application_id=data["application_id"],
        application_number=data["application_number"],
        program=data["program"],
        division=data["division"],
        household_size=int(data["household_size"]),
        accepted_on=date.fromisoformat(data["accepted_on"]),
        review_due_on=date.fromisoformat(data["review_due_on"]),
        review_due_provisional=bool(data["review_due_provisional"]),
    )


HANDLERS = {"intake.application_accepted": on_application_accepted}
