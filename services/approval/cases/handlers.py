"""Events that open review cases and move them on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases import service
from services.approval.cases.schemas import ApplicationAccepted, InvestigationCompleted
from shared.events import Envelope


async def on_application_accepted(session: AsyncSession, event: Envelope) -> None:
    """An accepted application becomes a review case with its R-AP-7 deadline."""
    await service.open_review_case(session, ApplicationAccepted.model_validate(event.data))


async def on_investigation_completed(session: AsyncSession, event: Envelope) -> None:
    """The household investigation is done (R-VE-1): the case awaits the initial opinion."""
    await service.record_investigation_completed(
        session, InvestigationCompleted.model_validate(event.data)
    )


HANDLERS = {
    "intake.application_accepted": on_application_accepted,
    "verification.investigation_completed": on_investigation_completed,
}
