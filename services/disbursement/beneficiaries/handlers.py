"""Approval's decisions that make and change the payment basis (R-DI-1)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries import service
from services.disbursement.beneficiaries.models import ChangeKind
from services.disbursement.beneficiaries.schemas import (
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
)
from shared.events import Envelope


async def on_beneficiary_approved(session: AsyncSession, event: Envelope) -> None:
    """A confirmed benefit is paid from its month on (次月发放, R-AP-4)."""
    approved = BeneficiaryApproved.model_validate(event.data)
    await service.add_payee(session, approved, kind=ChangeKind.approved, event=event)


async def on_temporary_aid_granted(session: AsyncSession, event: Envelope) -> None:
    """Temporary aid is paid once, as soon as it is granted (R-DI-3)."""
    granted = BeneficiaryApproved.model_validate(event.data)
    await service.add_payee(session, granted, kind=ChangeKind.granted, event=event)


async def on_beneficiary_adjusted(session: AsyncSession, event: Envelope) -> None:
    await service.adjust_payee(session, BeneficiaryAdjusted.model_validate(event.data), event=event)


async def on_beneficiary_stopped(session: AsyncSession, event: Envelope) -> None:
    await service.stop_payee(session, BeneficiaryStopped.model_validate(event.data), event=event)


HANDLERS = {
    "approval.beneficiary_approved": on_beneficiary_approved,
    "approval.beneficiary_adjusted": on_beneficiary_adjusted,
    "approval.beneficiary_stopped": on_beneficiary_stopped,
    "approval.temporary_aid_granted": on_temporary_aid_granted,
}
