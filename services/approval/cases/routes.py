"""Review case endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.approval.cases import service
from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.cases.schemas import ReviewCaseOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Today

router = APIRouter(prefix="/cases", tags=["cases"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


def _out(case: ReviewCase, today: date) -> ReviewCaseOut:
    overdue = service.is_overdue(case, today=today)
    return ReviewCaseOut.model_validate(case).model_copy(update={"overdue": overdue})


@router.get("", response_model=list[ReviewCaseOut], summary="Review cases in your jurisdiction",
            responses=PAGED,
            description="The review cases opened for accepted applications, the nearest "
            "deadline first, filtered by status, program, application or `overdue` (past the "
            "R-AP-7 deadline); only those inside your divisions (R-SE-1). A deadline in a year "
            "without a loaded calendar is marked provisional.")
async def list_cases(
    session: DbSession, user: Reader, page: Paging, today: Today,
    status: CaseStatus | None = None,
    program: Program | None = None, application_id: RecordId | None = None,
    overdue: Annotated[bool | None, Query(description="true: past the R-AP-7 deadline; "
                                          "false: still within it")] = None,
) -> list[ReviewCaseOut]:
    rows = await service.list_cases(session, user=user, today=today, status=status,
                                    program=program, application_id=application_id,
                                    overdue=overdue, window=page.window(service.CASES))
    return [_out(r, today) for r in page.finish(rows, service.CASES)]


@router.get("/{case_id}", response_model=ReviewCaseOut, summary="One review case",
            description="One review case with its deadline (R-AP-7) and whether it is overdue, "
            "its members (ID numbers masked) and its investigation's figures (R-AP-1). "
            "404 if there is none or if it lies outside your divisions.")
async def get_case(session: DbSession, user: Reader, today: Today, case_id: RecordId
                   ) -> ReviewCaseOut:
    return _out(await service.get_case(session, user=user, case_id=case_id), today)
