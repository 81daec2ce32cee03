"""Events the decision takes: emergency aid granted first at intake (R-IN-5)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.decisions.emergency import record_emergency_aid
from shared.contracts import EventContract
from shared.contracts.intake import EmergencyAidGranted
from shared.events import Envelope
from shared.inbox import Handler


async def on_emergency_aid_granted(
    session: AsyncSession, granted: EmergencyAidGranted, event: Envelope
) -> None:
    """先行救助 (R-IN-5): keep the grant against its application, checked against R-BE-8."""
    await record_emergency_aid(session, granted)


HANDLERS: dict[type[EventContract], Handler] = {
    EmergencyAidGranted: on_emergency_aid_granted,
}
