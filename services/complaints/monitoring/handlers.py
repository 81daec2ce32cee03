"""Approval's roll events keep the monitoring's recipients and amounts (R-OV-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.monitoring import service
from shared.contracts import EventContract
from shared.contracts.approval import (
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
    GradualExitStarted,
)
from shared.events import Envelope
from shared.inbox import Handler


async def on_approved(session: AsyncSession, data: BeneficiaryApproved, event: Envelope) -> None:
    await service.on_approved(session, data)


async def on_adjusted(session: AsyncSession, data: BeneficiaryAdjusted, event: Envelope) -> None:
    await service.on_adjusted(session, data)


async def on_gradual_exit(session: AsyncSession, data: GradualExitStarted,
                          event: Envelope) -> None:
    await service.on_gradual_exit(session, data)


async def on_stopped(session: AsyncSession, data: BeneficiaryStopped, event: Envelope) -> None:
    await service.on_stopped(session, data)


HANDLERS: dict[type[EventContract], Handler] = {
    BeneficiaryApproved: on_approved, BeneficiaryAdjusted: on_adjusted,
    GradualExitStarted: on_gradual_exit, BeneficiaryStopped: on_stopped,
}
