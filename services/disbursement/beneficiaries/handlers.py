"""Approval's decisions that make and change the payment basis (R-DI-1)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries import service
from services.disbursement.beneficiaries.models import ChangeKind
from shared.contracts import EventContract
from shared.contracts.approval import (
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
    TemporaryAidGranted,
)
from shared.events import Envelope
from shared.inbox import Handler


async def on_beneficiary_approved(
    session: AsyncSession, approved: BeneficiaryApproved, event: Envelope
) -> None:
    """A confirmed benefit is paid from its month on (次月发放, R-AP-4)."""
    await service.add_payee(session, approved, kind=ChangeKind.approved, event=event)


async def on_temporary_aid_granted(
    session: AsyncSession, granted: TemporaryAidGranted, event: Envelope
) -> None:
    """Temporary aid is paid once, as soon as it is granted (R-DI-3)."""
    await service.add_payee(session, granted, kind=ChangeKind.granted, event=event)


async def on_beneficiary_adjusted(
    session: AsyncSession, adjusted: BeneficiaryAdjusted, event: Envelope
) -> None:
    await service.adjust_payee(session, adjusted, event=event)


async def on_beneficiary_stopped(
    session: AsyncSession, stopped: BeneficiaryStopped, event: Envelope
) -> None:
    await service.stop_payee(session, stopped, event=event)


HANDLERS: dict[type[EventContract], Handler] = {
    BeneficiaryApproved: on_beneficiary_approved,
    BeneficiaryAdjusted: on_beneficiary_adjusted,
    BeneficiaryStopped: on_beneficiary_stopped,
    TemporaryAidGranted: on_temporary_aid_granted,
}
