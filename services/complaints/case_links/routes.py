"""Case reference endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.complaints.case_links import service
from services.complaints.case_links.schemas import CaseReferenceOut
from shared.auth import Role, User, allow
from shared.service import DbSession

router = APIRouter(prefix="/case-references", tags=["case references"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


@router.get("", response_model=list[CaseReferenceOut],
            summary="Records a complaint can be linked to, in your jurisdiction",
            description="A reference to every record the county's events have named "
            "(applications, investigations, cases, payees…), the most recently active first, "
            "found by record id, application id or number, or the service that owns it "
            "(R-CO-1); only those inside your divisions (R-SE-1).")
async def find_references(
    session: DbSession, user: Reader, record_id: str | None = None,
    application_id: str | None = None, application_number: str | None = None,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CaseReferenceOut]:
    rows = await service.find_references(
        session, user=user, record_id=record_id, application_id=application_id,
        application_number=application_number, service=service_name, limit=limit, offset=offset,
    )
    return [CaseReferenceOut.model_validate(r) for r in rows]


@router.get("/{reference_id}", response_model=CaseReferenceOut, summary="One case reference",
            description="One reference: the record, its service and division, and the last "
            "event seen about it. 404 if there is none; 403 if it lies outside your "
            "divisions.")
async def get_reference(session: DbSession, user: Reader, reference_id: str) -> CaseReferenceOut:
    return CaseReferenceOut.model_validate(
        await service.get_reference(session, user=user, reference_id=reference_id)
    )
