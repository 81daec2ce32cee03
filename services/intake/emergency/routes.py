"""Emergency aid endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.intake.applications.schemas import ApplicationOut
from services.intake.emergency import service
from services.intake.emergency.schemas import EmergencyAidOut, EmergencyGrantIn
from shared.auth import Role, User, allow
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent

router = APIRouter(tags=["emergency aid"])

Granter = Annotated[User, Depends(allow(Role.township_leader))]
Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer, Role.city_officer, Role.auditor))]


@router.post("/applications/{application_id}/emergency-aid", response_model=ApplicationOut,
             summary="Grant emergency aid at once, materials later (先行救助, R-IN-5)",
             description="The township leader grants aid on an open `temp_emergency` "
             "application straight away, complete or not; the materials still missing stay "
             "tracked (`GET /emergency-aid?outstanding=true`) until they are in. Once per "
             "application (409 after). Emits `emergency_aid_granted`: approval records it on the "
             "case and checks its cap (R-BE-8); disbursement (issue 10) will pay it at "
             "once. Send `Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def grant_emergency_aid(session: DbSession, user: Granter, application_id: RecordId,
                              body: EmergencyGrantIn) -> ApplicationOut:
    return ApplicationOut.of(await service.grant_first(
        session, user=user, application_id=application_id, amount_fen=body.amount_fen,
        circumstances=body.circumstances))


@router.get("/emergency-aid", response_model=list[EmergencyAidOut], responses=PAGED,
            summary="Emergency aid granted first, with the materials still missing (R-IN-5)",
            description="The oldest grant first, filtered by `outstanding` (materials still "
            "missing), division (and below) and the days granted; only inside your divisions "
            "(R-SE-1); paged by cursor.")
async def list_emergency_aid(
    session: DbSession, user: Reader, page: Paging,
    outstanding: Annotated[bool | None, Query(description="true: materials still missing; "
                                              "false: all in")] = None,
    division: DivisionCode | None = None,
    granted_from: Annotated[CivilDate | None, Query(description="granted on or after")] = None,
    granted_to: Annotated[CivilDate | None, Query(description="granted on or before")] = None,
) -> list[EmergencyAidOut]:
    rows = await service.list_grants(session, user=user, outstanding=outstanding,
                                     division=division, granted_from=granted_from,
                                     granted_to=granted_to, window=page.window(service.GRANTS))
    return [EmergencyAidOut.of(g) for g in page.finish(rows, service.GRANTS)]
