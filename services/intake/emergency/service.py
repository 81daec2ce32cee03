"""Rules of emergency temporary aid (急难型临时救助, R-IN-5): the township grants it at once on
a ``temp_emergency`` application, before its materials are complete (先行救助、后补材料), and the
missing materials stay tracked until they are in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.intake.applications.models import OPEN_STATUSES, Application
from services.intake.applications.service import application_facts, load_application
from services.intake.emergency.models import EmergencyGrant
from services.intake.households.models import Household
from services.intake.materials import service as materials
from services.intake.materials.models import MaterialsNotice
from shared.auth import User
from shared.context import new_id
from shared.contracts import intake as contracts
from shared.db import utcnow
from shared.divisions import significant_prefix
from shared.inputs import Keyset, Window
from shared.masking import mask_name
from shared.outbox import emit
from shared.problems import Conflict
from shared.programs import Program
from shared.workdays import today_in_shanghai

GRANTS = Keyset("emergency_aid", EmergencyGrant.granted_at.asc(), EmergencyGrant.id.asc())
"""The order of the list of aid granted first and its cursors: the oldest grant first."""


def outstanding_materials(application: Application) -> list[materials.Material]:
    """The items of the one-time notice not handed in yet (none without a notice)."""
    if application.notice is None:
        return []
    return materials.missing_materials(materials.notice_materials(application.notice),
                                       [s.code for s in application.supplied])


async def grant_first(
    session: AsyncSession, *, user: User, application_id: str, amount_fen: int,
    circumstances: str, now: datetime | None = None,
) -> Application:
    """R-IN-5: grant emergency aid at once on an open ``temp_emergency`` application, whether
    or not its materials are complete; once per application. ``emergency_aid_granted`` tells
    approval and disbursement (their consumers come with issues 8 and 10)."""
    now = now or utcnow()
    application = await load_application(session, application_id, for_update=True)
    user.require_record(application.division, f"no application {application_id}")
    if application.program != Program.TEMP_EMERGENCY:
        raise Conflict(f"application {application.number} is {application.program}: only "
                       "emergency temporary aid (temp_emergency) is granted first (R-IN-5)",
                       rule="R-IN-5")
    if application.status not in OPEN_STATUSES:
        raise Conflict(f"application {application.number} is {application.status}, not open")
    if application.emergency_grant is not None:
        raise Conflict(f"application {application.number} was granted aid on "
                       f"{application.emergency_grant.granted_on}", rule="R-IN-5",
                       grant_id=application.emergency_grant.id)
    today = today_in_shanghai(now)
    outstanding = outstanding_materials(application)
    grant = EmergencyGrant(
        id=new_id(), application_id=application.id, division=application.division,
        amount_fen=amount_fen, circumstances=circumstances, granted_at=now, granted_on=today,
        granted_by=user.user_id, materials_complete_on=None if outstanding else today)
    session.add(grant)
    await session.flush()
    head = next(m for m in application.household.members if m.relationship == "head")
    counted = application.household.counted_size
    await emit(session, contracts.EmergencyAidGranted(
        **application_facts(application), grant_id=grant.id, amount_fen=amount_fen,
        circumstances=circumstances, granted_at=now, granted_on=today,
        head_name_masked=mask_name(head.name), unit="person" if counted == 1 else "household",
        outstanding_materials=[m.code for m in outstanding],
    ), subject=application.id, division=application.division)
    return await load_application(session, application.id)


async def list_grants(
    session: AsyncSession, *, user: User, outstanding: bool | None = None,
    division: str | None = None, granted_from: date | None = None,
    granted_to: date | None = None, window: Window | None = None,
) -> Sequence[EmergencyGrant]:
    """Aid granted first inside the user's jurisdiction, the oldest first (:data:`GRANTS`),
    each with its application; ``outstanding``: whose materials are still missing (R-IN-5)."""
    query = select(EmergencyGrant).where(user.jurisdiction(EmergencyGrant.division))
    if outstanding is not None:
        query = query.where(EmergencyGrant.materials_complete_on.is_(None) if outstanding
                            else EmergencyGrant.materials_complete_on.is_not(None))
    if division is not None:
        query = query.where(EmergencyGrant.division.startswith(significant_prefix(division)))
    if granted_from is not None:
        query = query.where(EmergencyGrant.granted_on >= granted_from)
    if granted_to is not None:
        query = query.where(EmergencyGrant.granted_on <= granted_to)
    application = selectinload(EmergencyGrant.application)
    query = (window or Window(GRANTS, limit=100)).apply(query).options(
        application.selectinload(Application.notice).selectinload(MaterialsNotice.items),
        application.selectinload(Application.supplied),
        application.selectinload(Application.household).selectinload(Household.members))
    return (await session.scalars(query)).all()
