"""Rules of the investigation task: opened once per accepted application (R-VE-1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations.models import Investigation
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import InvestigationOpened
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import NotFound

INVESTIGATIONS = Keyset("investigations", Investigation.opened_at.desc(), Investigation.id.desc())
"""The order of the list of investigations and its cursors: newest first."""


async def open_investigation(
    session: AsyncSession, *, application_id: str, application_number: str, program: str,
    division: str, household_size: int, accepted_on: date, review_due_on: date,
    review_due_provisional: bool,
) -> Investigation:
    """Open the household investigation task for an accepted application, once."""
    existing = await session.scalar(
        select(Investigation).where(Investigation.application_id == application_id)
    )
    if existing is not None:
        return existing
    investigation = Investigation(
        id=new_id(), application_id=application_id, application_number=application_number,
        program=program, division=division, household_size=household_size, status="open",
        accepted_on=accepted_on, review_due_on=review_due_on,
        review_due_provisional=review_due_provisional, opened_at=utcnow(),
    )
    session.add(investigation)
    await session.flush()
    await emit(session, InvestigationOpened(
        investigation_id=investigation.id, application_id=application_id,
        application_number=application_number, program=program,
    ), subject=investigation.id, division=division)
    return investigation


async def list_investigations(
    session: AsyncSession, *, user: User, status: str | None = None,
    application_id: str | None = None,
    window: Window | None = None,
) -> Sequence[Investigation]:
    """Investigations inside the user's jurisdiction, newest first (:data:`INVESTIGATIONS`)."""
    query = select(Investigation).where(user.jurisdiction(Investigation.division))
    query = where_given(query, (Investigation.status, status),
                        (Investigation.application_id, application_id))
    query = (window or Window(INVESTIGATIONS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_investigation(
    session: AsyncSession, *, user: User, investigation_id: str
) -> Investigation:
    investigation = await session.get(Investigation, investigation_id)
    if investigation is None:
        raise NotFound(f"no investigation {investigation_id}")
    user.require_access(investigation.division)
    return investigation
