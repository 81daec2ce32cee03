"""Investigation endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.verification.investigations import service
from services.verification.investigations.schemas import InvestigationOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Identifier, Paging, RecordId
from shared.service import DbSession

router = APIRouter(prefix="/investigations", tags=["investigations"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


@router.get("", response_model=list[InvestigationOut], responses=PAGED,
            summary="Investigations in your jurisdiction",
            description="The household investigations opened for accepted applications (one "
            "each, R-VE-1), newest first, filtered by status or application; only those inside "
            "your divisions (R-SE-1). The read is recorded in the operation log (R-AU-1).")
async def list_investigations(
    session: DbSession, user: Reader, page: Paging, status: Identifier | None = None,
    application_id: RecordId | None = None,
) -> list[InvestigationOut]:
    rows = await service.list_investigations(session, user=user, status=status,
                                             application_id=application_id,
                                             window=page.window(service.INVESTIGATIONS))
    return [InvestigationOut.model_validate(r)
            for r in page.finish(rows, service.INVESTIGATIONS)]


@router.get("/{investigation_id}", response_model=InvestigationOut, summary="One investigation",
            description="One household investigation and its state. 404 if there is none; 403 "
            "if it lies outside your divisions.")
async def get_investigation(
    session: DbSession, user: Reader, investigation_id: RecordId
) -> InvestigationOut:
    return InvestigationOut.model_validate(
        await service.get_investigation(session, user=user, investigation_id=investigation_id)
    )
