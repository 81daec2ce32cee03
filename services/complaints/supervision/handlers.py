"""The figures the monthly report counts, from intake's, verification's and approval's events
(R-OV-4): applications accepted and their review due dates, investigations completed, decisions,
and the staff register's dedicated staff."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.supervision import service
from shared.contracts import EventContract
from shared.contracts.approval import ApplicationDecided, ReviewDeadlineExtended
from shared.contracts.intake import ApplicationAccepted, StaffLeft, StaffRegistered
from shared.contracts.verification import InvestigationCompleted
from shared.events import Envelope
from shared.inbox import Handler, prepared_by
from shared.workdays import SHANGHAI


@prepared_by(service.read_applications)
async def on_accepted(session: AsyncSession, data: ApplicationAccepted, event: Envelope) -> None:
    await service.on_accepted(session, application_id=data.application_id,
                              division=data.division, accepted_on=data.accepted_on,
                              review_due_on=data.review_due_on)


@prepared_by(service.read_applications)
async def on_extended(session: AsyncSession, data: ReviewDeadlineExtended,
                      event: Envelope) -> None:
    await service.on_deadline_extended(session, application_id=data.application_id,
                                       division=data.division, review_due_on=data.review_due_on)


@prepared_by(service.read_applications)
async def on_investigated(session: AsyncSession, data: InvestigationCompleted,
                          event: Envelope) -> None:
    await service.on_investigated(
        session, application_id=data.application_id, division=data.division or event.division,
        completed_on=data.completed_at.astimezone(SHANGHAI).date())


@prepared_by(service.read_applications)
async def on_decided(session: AsyncSession, data: ApplicationDecided, event: Envelope) -> None:
    await service.on_decided(session, application_id=data.application_id,
                             division=data.division, decided_on=data.decided_on)


async def on_staff_registered(session: AsyncSession, data: StaffRegistered,
                              event: Envelope) -> None:
    await service.on_staff(session, staff_id=data.staff_id, division=data.division,
                           kind=data.kind.value, dedicated=data.dedicated,
                           valid_from=data.valid_from, valid_until=data.valid_until)


async def on_staff_left(session: AsyncSession, data: StaffLeft, event: Envelope) -> None:
    await service.on_staff(session, staff_id=data.staff_id, division=data.division,
                           kind=data.kind.value, dedicated=data.dedicated,
                           valid_from=data.valid_from, valid_until=data.valid_until)


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationAccepted: on_accepted, ReviewDeadlineExtended: on_extended,
    InvestigationCompleted: on_investigated, ApplicationDecided: on_decided,
    StaffRegistered: on_staff_registered, StaffLeft: on_staff_left,
}
