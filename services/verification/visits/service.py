"""Rules of neighbour visits (邻里访问, R-VE-2): recorded by the investigators who went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation, Investigator
from services.verification.visits.models import NeighbourVisit
from services.verification.visits.schemas import VisitIn
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import NeighbourVisitRecorded
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import InvalidField

VISITS = Keyset("visits", NeighbourVisit.visited_at.desc(), NeighbourVisit.id.desc())
"""The order of the list of visits: the latest first."""


def visitors_of(wanted: Sequence[str], *, caller: str,
                team: Sequence[Investigator]) -> list[dict[str, str]]:
    """The investigators who went (R-VE-2): those named, or the caller; each on the team."""
    by_id = {i.user_id: i for i in team}
    if not by_id:
        raise InvalidField("visitors", "the investigation has no investigators yet: assign "
                           "them first (R-VE-1)")
    chosen = list(dict.fromkeys(wanted or [caller]))
    strangers = [u for u in chosen if u not in by_id]
    if strangers:
        raise InvalidField("visitors", f"{', '.join(strangers)}: not an investigator of this "
                           "investigation")
    return [{"user_id": u, "name": by_id[u].name} for u in chosen]


async def record_visit(session: AsyncSession, *, user: User, investigation_id: str,
                       visit: VisitIn) -> NeighbourVisit:
    """Record a neighbour visit: who visited whom, when, what was said (R-VE-2)."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    now = utcnow()
    investigations.check_not_future("visited_at", visit.visited_at, now=now)
    visitors = visitors_of(visit.visitors, caller=user.user_id,
                           team=await investigations.team_of(session, investigation.id))
    recorded = NeighbourVisit(
        id=new_id(), investigation_id=investigation.id, visited_at=visit.visited_at,
        visitors=visitors, neighbour_name=visit.neighbour_name,
        neighbour_relation=visit.neighbour_relation, neighbour_address=visit.neighbour_address,
        statement=visit.statement, recorded_at=now, recorded_by=user.user_id)
    session.add(recorded)
    await session.flush()
    await emit(session, NeighbourVisitRecorded(
        investigation_id=investigation.id, application_id=investigation.application_id,
        visit_id=recorded.id, visited_at=recorded.visited_at,
        visitors=[v["user_id"] for v in visitors], neighbour_name=recorded.neighbour_name,
        neighbour_relation=recorded.neighbour_relation, statement=recorded.statement,
    ), subject=investigation.id, division=investigation.division)
    return recorded


async def list_visits(
    session: AsyncSession, *, user: User, today: date, investigation_id: str | None = None,
    division: str | None = None, program: str | None = None,
    visited_from: date | None = None, visited_to: date | None = None,
    window: Window | None = None,
) -> Sequence[NeighbourVisit]:
    query = (select(NeighbourVisit)
             .join(Investigation, Investigation.id == NeighbourVisit.investigation_id)
             .where(user.jurisdiction(Investigation.division)))
    query = where_given(query, (NeighbourVisit.investigation_id, investigation_id),
                        (Investigation.program, program))
    query = investigations.filter_investigations(query, today=today, division=division)
    if visited_from is not None:
        query = query.where(NeighbourVisit.visited_at >= investigations.day_start(visited_from))
    if visited_to is not None:
        query = query.where(NeighbourVisit.visited_at < investigations.day_start(visited_to, 1))
    query = (window or Window(VISITS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
