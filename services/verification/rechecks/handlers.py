"""Approval's re-checks become tasks in the township's work list (R-DY-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.rechecks import service
from shared.contracts import EventContract
from shared.contracts.approval import RecheckRequested
from shared.events import Envelope
from shared.inbox import Handler


async def on_recheck_requested(
    session: AsyncSession, requested: RecheckRequested, event: Envelope
) -> None:
    """复核: the township's team re-checks the beneficiary's household."""
    await service.open_task(session, requested)


HANDLERS: dict[type[EventContract], Handler] = {RecheckRequested: on_recheck_requested}
