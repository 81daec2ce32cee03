"""Neighbour visit endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.verification.investigations.routes import Reader, Worker
from services.verification.visits import service
from services.verification.visits.models import NeighbourVisit
from services.verification.visits.schemas import VisitIn, VisitOut
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["neighbour visits"])


def out(visit: NeighbourVisit) -> VisitOut:
    return VisitOut.model_validate(visit)


@router.post("/investigations/{investigation_id}/visits", status_code=201,
             response_model=VisitOut, summary="Record a neighbour visit (邻里访问, R-VE-2)",
             description="Who visited whom, when, and what was said. The visitors are assigned "
             "investigators (422 naming `visitors` otherwise; none given: you). 409 when the "
             "investigation is no longer open. Send `Idempotency-Key` to retry safely.",
             dependencies=[Idempotent])
async def record_visit(session: DbSession, user: Worker, investigation_id: RecordId,
                       body: VisitIn, response: Response) -> VisitOut:
    visit = await service.record_visit(session, user=user, investigation_id=investigation_id,
                                       visit=body)
    response.headers["Location"] = f"/api/v1/visits?investigation_id={investigation_id}"
    return out(visit)


@router.get("/visits", response_model=list[VisitOut], responses=PAGED,
            summary="Neighbour visits in your jurisdiction",
            description="The latest first, filtered by investigation, program, division and "
            "the day of the visit; only those inside your divisions (R-SE-1).")
async def list_visits(
    session: DbSession, user: Reader, page: Paging, investigation_id: RecordId | None = None,
    program: Program | None = None, division: DivisionCode | None = None,
    visited_from: CivilDate | None = None, visited_to: CivilDate | None = None,
) -> list[VisitOut]:
    rows = await service.list_visits(
        session, user=user, today=today_in_shanghai(), investigation_id=investigation_id,
        program=program, division=division, visited_from=visited_from, visited_to=visited_to,
        window=page.window(service.VISITS))
    return [out(v) for v in page.finish(rows, service.VISITS)]
