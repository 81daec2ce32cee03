"""Events that open review cases and move them on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases import service
from shared.contracts import EventContract
from shared.contracts.intake import ApplicationAccepted
from shared.contracts.verification import InvestigationCompleted
from shared.events import Envelope
from shared.inbox import Handler


async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """An accepted application becomes a review case with its R-AP-7 deadline."""
    await service.open_review_case(session, accepted)


async def on_investigation_completed(
    session: AsyncSession, completed: InvestigationCompleted, event: Envelope
) -> None:
    """The household investigation is done (R-VE-1): the case awaits the initial opinion."""
    await service.record_investigation_completed(session, completed)


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationAccepted: on_application_accepted,
    InvestigationCompleted: on_investigation_completed,
}
