"""Case reference endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.complaints.case_links import service
from services.complaints.case_links.schemas import CaseReferenceOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Identifier, Paging, RecordId
from shared.service import DbSession

router = APIRouter(prefix="/case-references", tags=["case references"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


@router.get("", response_model=list[CaseReferenceOut], responses=PAGED,
            summary="Records a complaint can be linked to, in your jurisdiction",
            description="A reference to every record the county's events have named "
            "(applications, investigations, cases, payees…), the most recently active first, "
            "found by record id, application id or number, or the service that owns it "
            "(R-CO-1); only those inside your divisions (R-SE-1).")
async def find_references(
    session: DbSession, user: Reader, page: Paging, record_id: Identifier | None = None,
    application_id: RecordId | None = None, application_number: Identifier | None = None,
    service_name: Annotated[Identifier | None, Query(alias="service")] = None,
) -> list[CaseReferenceOut]:
    rows = await service.find_references(
        session, user=user, record_id=record_id, application_id=application_id,
        application_number=application_number, service=service_name,
        window=page.window(service.CASE_REFERENCES),
    )
    return [CaseReferenceOut.model_validate(r)
            for r in page.finish(rows, service.CASE_REFERENCES)]


@router.get("/{reference_id}", response_model=CaseReferenceOut, summary="One case reference",
            description="One reference: the record, its service and division, and the last "
            "event seen about it. 404 if there is none or if it lies outside your "
            "divisions.")
async def get_reference(session: DbSession, user: Reader,
                        reference_id: RecordId) -> CaseReferenceOut:
    return CaseReferenceOut.model_validate(
        await service.get_reference(session, user=user, reference_id=reference_id)
    )
