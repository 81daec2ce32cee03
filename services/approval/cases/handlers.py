"""Events that open review cases and move them on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases import service
from services.approval.relatives import service as relatives
from shared.contracts import EventContract
from shared.contracts.intake import (
    ApplicationAccepted,
    ApplicationRefused,
    ApplicationWithdrawn,
)
from shared.contracts.verification import InvestigationCompleted
from shared.events import Envelope
from shared.inbox import Handler, prepared_by


@prepared_by(service.read_opened)
async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """An accepted application becomes a review case with its R-AP-7 deadline."""
    case, opened = await service.open_review_case_once(session, accepted)
    # R-AP-8: flag near relatives
    await relatives.record_household(session, accepted, case=case, opened=opened)


async def on_investigation_completed(
    session: AsyncSession, completed: InvestigationCompleted, event: Envelope
) -> None:
    """The household investigation is done (R-VE-1): the case awaits the initial opinion."""
    await service.record_investigation_completed(session, completed)


async def on_application_refused(
    session: AsyncSession, refused: ApplicationRefused, event: Envelope
) -> None:
    """Refused at intake (R-IN-3): the case closes and is no longer overdue."""
    await service.close_for_ended_application(
        session, application_id=refused.application_id, previous_status=refused.previous_status,
        reason="application_refused", detail=f"{refused.reason_code}: {refused.reason}",
        ended_at=refused.refused_at)


async def on_application_withdrawn(
    session: AsyncSession, withdrawn: ApplicationWithdrawn, event: Envelope
) -> None:
    """Withdrawn by the applicant: the case closes and is no longer overdue."""
    await service.close_for_ended_application(
        session, application_id=withdrawn.application_id,
        previous_status=withdrawn.previous_status, reason="application_withdrawn",
        detail=withdrawn.reason, ended_at=withdrawn.withdrawn_at)


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationAccepted: on_application_accepted,
    InvestigationCompleted: on_investigation_completed,
    ApplicationRefused: on_application_refused,
    ApplicationWithdrawn: on_application_withdrawn,
}
