"""Verification's re-check results reach the roll (R-DY-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.rechecks import service as rechecks
from shared.contracts import EventContract
from shared.contracts.verification import RecheckCompleted
from shared.events import Envelope
from shared.inbox import Handler


async def on_recheck_completed(
    session: AsyncSession, completed: RecheckCompleted, event: Envelope
) -> None:
    """复核结果: recorded on the roll, the re-check schedule renewed, the change proposed."""
    await rechecks.record_result(session, completed)


HANDLERS: dict[type[EventContract], Handler] = {RecheckCompleted: on_recheck_completed}
