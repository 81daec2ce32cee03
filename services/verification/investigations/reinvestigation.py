"""A new investigation of the same application after an objection to its public notice
(重新调查, R-AP-4): opened when approval asks for it (``reinvestigation_requested``), with the
household as the earlier one knew it; the earlier investigation and its record stay as they
were. Its completion (``investigation_completed``) brings the case to a new initial opinion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks import service as checks
from services.verification.checks.models import CheckSubject
from services.verification.investigations.models import (
    HouseholdMember,
    Investigation,
    InvestigationStatus,
)
from shared.at_rest import seal_at_rest, sealer_of
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.approval import ReinvestigationRequested
from shared.contracts.verification import InvestigationOpened
from shared.events import Envelope
from shared.inbox import NotYet
from shared.outbox import emit


async def earlier_investigation(session: AsyncSession, requested: ReinvestigationRequested
                                ) -> Investigation | None:
    """The investigation the case took before, else the application's latest."""
    if requested.previous_investigation_id:
        found = await session.get(Investigation, requested.previous_investigation_id)
        if found is not None:
            return found
    return await session.scalar(
        select(Investigation).where(Investigation.application_id == requested.application_id)
        .order_by(Investigation.opened_at.desc(), Investigation.id.desc()).limit(1))


async def open_reinvestigation(session: AsyncSession, requested: ReinvestigationRequested
                               ) -> Investigation:
    """R-AP-4 重新调查: a new investigation of the application, once per review; the earlier
    one's household (members, the counted members' sealed ID numbers) carried over. An
    application whose investigation is still open keeps that one."""
    existing = await session.scalar(select(Investigation).where(
        Investigation.objection_review_id == requested.review_id))
    if existing is not None:
        return existing
    earlier = await earlier_investigation(session, requested)
    if earlier is None:
        raise NotYet(f"no investigation of application {requested.application_id} yet")
    if earlier.status == InvestigationStatus.open:
        return earlier
    investigation = Investigation(
        id=new_id(), application_id=requested.application_id,
        application_number=requested.application_number, program=str(requested.program),
        division=requested.division, household_size=requested.household_size,
        status=InvestigationStatus.open, accepted_on=requested.accepted_on,
        review_due_on=requested.review_due_on,
        review_due_provisional=requested.review_due_provisional, opened_at=now_of(session),
        village_helper_name=earlier.village_helper_name,
        village_helper_title=earlier.village_helper_title, follows_id=earlier.id,
        objection_review_id=requested.review_id)
    session.add(investigation)
    await session.flush()
    members = (await session.scalars(select(HouseholdMember).where(
        HouseholdMember.investigation_id == earlier.id)
        .order_by(HouseholdMember.position))).all()
    session.add_all(HouseholdMember(
        investigation_id=investigation.id, member_id=m.member_id, position=m.position,
        name=m.name, id_number_masked=m.id_number_masked, relationship=m.relationship,
        counted=m.counted) for m in members)
    await _carry_subjects(session, earlier.id, investigation.id)
    await emit(session, InvestigationOpened(
        investigation_id=investigation.id, application_id=investigation.application_id,
        application_number=investigation.application_number, program=requested.program,
        follows_id=earlier.id,
    ), subject=investigation.id, division=investigation.division)
    return investigation


async def _carry_subjects(session: AsyncSession, earlier_id: str, new_id_: str) -> None:
    """The cross-checks' subjects (R-VE-4) of the earlier investigation, sealed again for the
    new one (a sealed number is bound to its investigation)."""
    subjects = await checks.subjects_of(session, earlier_id)
    if not subjects:
        return
    sealer = sealer_of(session)
    session.add_all(CheckSubject(
        investigation_id=new_id_, member_id=s.member_id, position=s.position, name=s.name,
        relationship=s.relationship, counted=s.counted, id_number_masked=s.id_number_masked,
        id_number_sealed=seal_at_rest(sealer, "id_number",
                                      checks.subject_context(new_id_, s.member_id),
                                      checks.id_number_of(session, s))
        if s.id_number_sealed else None) for s in subjects)
    await session.flush()


async def on_reinvestigation_requested(
    session: AsyncSession, requested: ReinvestigationRequested, event: Envelope
) -> None:
    """An objection is reviewed by a new investigation (R-AP-4): open it."""
    await open_reinvestigation(session, requested)
