"""Events that open investigation tasks, and those that end them before they are done."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations import service
from services.verification.investigations.models import ClosedReason, Investigation
from services.verification.investigations.reinvestigation import on_reinvestigation_requested
from shared import direct
from shared.batch_reads import application_ids
from shared.contracts import EventContract
from shared.contracts.approval import ReinvestigationRequested
from shared.contracts.intake import (
    ApplicationAccepted,
    ApplicationRefused,
    ApplicationWithdrawn,
)
from shared.events import Envelope
from shared.inbox import Handler, NotYet

ACCEPTED = "accepted"
"""The intake status of an application whose acceptance opened an investigation."""


async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """An accepted application needs its household investigation (R-VE-1)."""
    await open_for(session, accepted)


async def open_for(session: AsyncSession, accepted: ApplicationAccepted) -> Investigation:
    """The investigation of an accepted application, opened once (the one opened before on a
    redelivery)."""
    investigation_id, _opened = await open_once_for(session, accepted)
    return await session.get_one(Investigation, investigation_id)


async def open_once_for(session: AsyncSession, accepted: ApplicationAccepted, *,
                        into: direct.Writes | None = None) -> tuple[str, bool]:
    """:func:`open_for`, by the investigation's id, and whether this call opened it (else it
    was open already); ``into``: its rows added to these writes, sent by the caller."""
    return await service.open_investigation_once(
        session,
        application_id=accepted.application_id,
        application_number=accepted.application_number,
        program=accepted.program,
        division=accepted.division,
        household_size=accepted.household_size,
        accepted_on=accepted.accepted_on,
        review_due_on=accepted.review_due_on,
        review_due_provisional=accepted.review_due_provisional,
        members=accepted.members,
        into=into,
    )


async def read_accepted(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """The batch hook of acceptances: which of the batch's accepted applications have no
    investigation yet, read in one query before the first event (:func:`open_once_for` then
    reads nothing for them)."""
    await service.UNOPENED.read(session, application_ids(events, ApplicationAccepted))


async def on_application_refused(
    session: AsyncSession, refused: ApplicationRefused, event: Envelope
) -> None:
    """A refused application's investigation is closed and leaves the work lists. One refused
    before acceptance never had one; one refused after acceptance waits for its acceptance
    (``NotYet``) if that has not arrived yet."""
    closed = await service.close_investigation(
        session, application_id=refused.application_id,
        reason=ClosedReason.application_refused,
        note=f"{refused.reason_code}: {refused.reason}", closed_at=refused.refused_at)
    if closed is None and refused.previous_status == ACCEPTED:
        raise NotYet(f"application {refused.application_id} was refused after acceptance, "
                     "and its acceptance has not arrived yet")


async def on_application_withdrawn(
    session: AsyncSession, withdrawn: ApplicationWithdrawn, event: Envelope
) -> None:
    """A withdrawn application's investigation is closed and leaves the work lists (as for a
    refusal)."""
    why = f": {withdrawn.reason}" if withdrawn.reason else ""
    closed = await service.close_investigation(
        session, application_id=withdrawn.application_id,
        reason=ClosedReason.application_withdrawn,
        note=f"withdrawn at the request of {withdrawn.requested_by} on "
        f"{withdrawn.requested_on}{why}", closed_at=withdrawn.withdrawn_at)
    if closed is None and withdrawn.previous_status == ACCEPTED:
        raise NotYet(f"application {withdrawn.application_id} was withdrawn after acceptance, "
                     "and its acceptance has not arrived yet")


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationAccepted: on_application_accepted,
    ApplicationRefused: on_application_refused,
    ApplicationWithdrawn: on_application_withdrawn,
    ReinvestigationRequested: on_reinvestigation_requested,
}
