"""Report endpoints: work funds against 2% (R-DI-8), the monthly summary; thin, the rules are in
service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.disbursement.reports import service
from services.disbursement.reports.schemas import (
    MonthlySummary,
    SpendingIn,
    SpendingOut,
    WorkFundReport,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(tags=["reports"])

Recorder = Annotated[User, Depends(allow(Role.county_officer, Role.finance_officer))]
Reader = Annotated[User, Depends(allow(Role.county_officer, Role.finance_officer,
                                       Role.city_officer, Role.auditor))]
SummaryReader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                              Role.finance_officer, Role.city_officer,
                                              Role.auditor))]
Year = Annotated[int, Query(ge=2000, le=2099, description="the calendar year",
                            examples=[2026])]
MonthParam = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                  description="the payment month, YYYY-MM",
                                  examples=["2026-12"])]


@router.post("/work-funds", status_code=201, response_model=SpendingOut,
             summary="Record work funds a county spent (R-DI-8)",
             description="Work funds (工作经费) spent on a day, for a purpose, in integer fen; "
             "counted in the year of `spent_on`.", dependencies=[Idempotent])
async def record_spending(session: DbSession, user: Recorder, body: SpendingIn,
                          response: Response) -> SpendingOut:
    spending = await service.record_spending(session, user=user, body=body)
    response.headers["Location"] = f"/api/v1/work-funds?county={spending.county}"
    return SpendingOut.model_validate(spending)


@router.get("/work-funds", response_model=list[SpendingOut], responses=PAGED,
            summary="Work funds recorded", description="The latest first, by county and year.")
async def list_spending(session: DbSession, user: Reader, page: Paging,
                        county: DivisionCode | None = None,
                        year: Annotated[int | None, Query(ge=2000, le=2099)] = None
                        ) -> list[SpendingOut]:
    rows = await service.list_spending(session, user=user, county=county, year=year,
                                       window=page.window(service.SPENDING))
    return [SpendingOut.model_validate(s) for s in page.finish(rows, service.SPENDING)]


@router.get("/reports/work-funds", response_model=WorkFundReport,
            summary="Work funds against 2% of the year's assistance funds paid (R-DI-8)",
            description="The county's work funds of the year, the assistance funds paid for "
            "the year's months (payments paid, from the treasury or a reserve), the 2% limit, "
            "and `over_limit` when the work funds exceed it.")
async def work_fund_report(session: DbSession, user: Reader, kit: Kit, year: Year,
                           county: DivisionCode | None = None) -> WorkFundReport:
    return await service.work_fund_report(session, user=user, county=county or kit.county,
                                          year=year)


@router.get("/reports/monthly", response_model=MonthlySummary,
            summary="The month's summary per township and county",
            description="Per township and program: payees paid for the month, and its payments "
            "ready, held, sent, paid and failed, counted and summed (fen); then per township, "
            "then the county. Only the divisions inside yours.")
async def monthly_summary(session: DbSession, user: SummaryReader, kit: Kit, month: MonthParam,
                          county: DivisionCode | None = None) -> MonthlySummary:
    return await service.monthly_summary(session, user=user, county=county or kit.county,
                                         month=month)
