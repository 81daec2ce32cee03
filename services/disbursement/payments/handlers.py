"""Temporary aid paid as soon as it is granted (R-DI-3): after the payee is made from the
grant (beneficiaries' handler, first in the chain), its one payment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries.models import Payee
from services.disbursement.payments import service
from shared.contracts import EventContract
from shared.contracts.approval import TemporaryAidGranted
from shared.events import Envelope
from shared.inbox import Handler


async def pay_temporary_aid(
    session: AsyncSession, granted: TemporaryAidGranted, event: Envelope
) -> None:
    """The grant's one payment, ready or held, once (R-DI-3, R-DI-6)."""
    payee = await session.scalar(select(Payee).where(
        Payee.beneficiary_id == granted.beneficiary_id))
    if payee is not None and payee.payment == "once":
        await service.pay_once(session, payee)


HANDLERS: dict[type[EventContract], Handler] = {TemporaryAidGranted: pay_temporary_aid}
