"""Emergency aid granted first at intake (急难型临时救助, 先行救助, R-IN-5): recorded against its
application (the case may open later), checked against the temporary-aid cap (R-BE-8); the case's
procedure completes afterwards, and its confirmation grants only what is left of the amount."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.decisions.models import EmergencyAid
from services.approval.policy.service import NoPolicyInForce, parameters_in_force
from shared import benefits
from shared.clock import now_of
from shared.contracts.approval import EmergencyAidRecorded
from shared.contracts.intake import EmergencyAidGranted
from shared.outbox import emit

log = structlog.get_logger(__name__)


async def record_emergency_aid(session: AsyncSession, granted: EmergencyAidGranted
                               ) -> EmergencyAid:
    """Keep the grant once, with its R-BE-8 cap from the parameters in force on the day it was
    granted; a grant above the cap is recorded and told as such, never dropped."""
    existing = await session.get(EmergencyAid, granted.grant_id)
    if existing is not None:
        return existing
    cap = within = version_id = detail = None
    try:
        version, params = await parameters_in_force(
            session, county=granted.division[:6], area=granted.area, on=granted.granted_on)
    except NoPolicyInForce:
        log.warning("emergency_aid_cap_unknown", grant_id=granted.grant_id,
                    division=granted.division)
    else:
        checked = benefits.cap_temporary_aid(granted.program, granted.amount_fen, params)
        cap = benefits.temporary_aid_cap(granted.program, params)
        within, version_id, detail = granted.amount_fen <= cap, version.id, checked.to_dict()
        if not within:
            log.warning("emergency_aid_above_cap", grant_id=granted.grant_id,
                        amount_fen=granted.amount_fen, cap_fen=cap)
    aid = EmergencyAid(
        id=granted.grant_id, application_id=granted.application_id,
        application_number=granted.application_number, program=str(granted.program),
        division=granted.division, amount_fen=granted.amount_fen, granted_at=granted.granted_at,
        granted_on=granted.granted_on, circumstances=granted.circumstances,
        outstanding_materials=list(granted.outstanding_materials), cap_fen=cap,
        within_cap=within, cap_detail=detail, policy_version_id=version_id,
        recorded_at=now_of(session))
    session.add(aid)
    await session.flush()
    await emit(session, EmergencyAidRecorded(
        grant_id=aid.id, application_id=aid.application_id, division=aid.division,
        amount_fen=aid.amount_fen, cap_fen=cap, within_cap=within, policy_version_id=version_id,
    ), subject=aid.application_id, division=aid.division)
    return aid
