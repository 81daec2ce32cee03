"""Approval's flag of a near relative (R-AP-8) reaching the investigation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.recusals import service
from shared.contracts import EventContract
from shared.contracts.approval import CaseFlaggedNearRelative
from shared.events import Envelope
from shared.inbox import Handler


async def on_case_flagged(session: AsyncSession, flagged: CaseFlaggedNearRelative,
                          event: Envelope) -> None:
    """R-AP-8 回避: the staff named take no part in the application's investigation."""
    await service.record_flag(session, flagged)


HANDLERS: dict[type[EventContract], Handler] = {CaseFlaggedNearRelative: on_case_flagged}
