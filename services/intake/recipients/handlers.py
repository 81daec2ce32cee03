"""Approval's events keep intake's register of recipients (R-IN-4)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.recipients import service
from services.intake.recipients.models import BENEFIT, TEMPORARY_AID
from shared.contracts import EventContract
from shared.contracts.approval import BeneficiaryApproved, BeneficiaryStopped, TemporaryAidGranted
from shared.events import Envelope
from shared.inbox import Handler


async def on_beneficiary_approved(
    session: AsyncSession, approved: BeneficiaryApproved, event: Envelope
) -> None:
    """A confirmed benefit: its members receive the program from ``effective_month`` on."""
    await service.register(session, service.Granted(
        beneficiary_id=approved.beneficiary_id, application_id=approved.application_id,
        program=str(approved.program), division=approved.division,
        month=approved.effective_month, member_ids=approved.member_ids), kind=BENEFIT)


async def on_temporary_aid_granted(
    session: AsyncSession, granted: TemporaryAidGranted, event: Envelope
) -> None:
    """Temporary aid, paid once: recorded, holding nobody."""
    await service.register(session, service.Granted(
        beneficiary_id=granted.beneficiary_id, application_id=granted.application_id,
        program=str(granted.program), division=granted.division,
        month=granted.effective_month, member_ids=granted.member_ids), kind=TEMPORARY_AID)


async def on_beneficiary_stopped(
    session: AsyncSession, stopped: BeneficiaryStopped, event: Envelope
) -> None:
    """停发: from ``effective_month`` on, its members may apply for the program again."""
    await service.stop(session, beneficiary_id=stopped.beneficiary_id,
                       month=stopped.effective_month)


HANDLERS: dict[type[EventContract], Handler] = {
    BeneficiaryApproved: on_beneficiary_approved,
    TemporaryAidGranted: on_temporary_aid_granted,
    BeneficiaryStopped: on_beneficiary_stopped,
}
