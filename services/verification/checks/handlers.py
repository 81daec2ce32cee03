"""Events that give the cross-checks the people to check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks import service
from services.verification.investigations.models import Investigation
from shared import direct
from shared.contracts.intake import ApplicationAccepted
from shared.events import Envelope
from shared.inbox import NotYet


async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """The counted members' ID numbers, kept sealed for the cross-checks (R-VE-4)."""
    investigation_id = await session.scalar(select(Investigation.id).where(
        Investigation.application_id == accepted.application_id))
    if investigation_id is None:
        raise NotYet(f"no investigation of application {accepted.application_id} yet")
    await record_subjects_of(session, investigation_id, accepted)


async def record_subjects_of(session: AsyncSession, investigation_id: str,
                             accepted: ApplicationAccepted, *, opened: bool = False,
                             into: direct.Writes | None = None) -> None:
    """The same, for the investigation the acceptance has just opened (``opened``) or found;
    ``into``: the rows added to these writes, sent by the caller."""
    await service.record_subjects(session, investigation_id=investigation_id,
                                  members=accepted.members, opened=opened, into=into)
