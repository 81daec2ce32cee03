"""Monthly supervision endpoints (月度督导, R-OV-4): thin, the rules are in service.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from services.complaints.supervision import service
from services.complaints.supervision.report import MonthlyReport
from services.complaints.supervision.schemas import ReportIn, ReportOut, VisitIn, VisitOut
from shared.auth import Role, User, allow
from shared.contracts.fields import Month
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.pages import templates
from shared.problems import PROBLEM_RESPONSES
from shared.service import DbSession, Idempotent
from shared.workdays import SHANGHAI

router = APIRouter(prefix="/supervision", tags=["monthly supervision"])

TEMPLATES = templates(Path(__file__).parent / "templates")

Reader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
CountyReader = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer,
                                             Role.auditor))]
County = Annotated[User, Depends(allow(Role.county_officer))]
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "the report as a printable A4 page", "content": {"text/html": {}}},
    404: PROBLEM_RESPONSES[404]}


@router.post("/visits", response_model=VisitOut, status_code=201,
             summary="Record a township's supervision of a month (R-OV-4)",
             description="The county officer records who supervised, when (a day of the month, "
             "not after today) and what was seen; each problem found goes on the "
             "rectification ledger (R-OV-3). One per township and month (409 "
             "`supervision-recorded`). Emits `supervision_recorded`.",
             dependencies=[Idempotent])
async def record_visit(session: DbSession, user: County, body: VisitIn) -> VisitOut:
    return VisitOut.model_validate(await service.record_visit(
        session, user=user, township=body.township, month=body.month,
        visited_on=body.visited_on, supervisors=body.supervisors, seen=body.seen,
        problems=[(p.finding, p.responsible, p.due_on) for p in body.problems]))


@router.get("/visits", response_model=list[VisitOut], responses=PAGED,
            summary="Supervision records", description="Inside your divisions, the latest "
            "month first; by month if given.")
async def list_visits(session: DbSession, user: Reader, page: Paging,
                      month: Month | None = None) -> list[VisitOut]:
    rows = await service.list_visits(session, user=user, month=month,
                                     window=page.window(service.VISITS))
    return [VisitOut.model_validate(r) for r in page.finish(rows, service.VISITS)]


@router.get("/visits/{visit_id}", response_model=VisitOut, summary="One supervision record",
            description="404 if there is none or outside your divisions.")
async def get_visit(session: DbSession, user: Reader, visit_id: RecordId) -> VisitOut:
    return VisitOut.model_validate(await service.get_visit(session, user=user,
                                                           visit_id=visit_id))


@router.get("/monthly", response_model=MonthlyReport,
            summary="The monthly report as it stands (R-OV-4)",
            description="Per township of the county: dedicated staff (at least 2, flagged when "
            "fewer), applications accepted, investigations completed, decisions and their "
            "on-time rate (by the review due date), overdue rectification items and "
            "complaints, the month's spot checks and findings, and its supervision. Not "
            "recorded: `POST /supervision/reports` sends it to the city.")
async def monthly(session: DbSession, user: CountyReader, county: DivisionCode,
                  month: Month) -> MonthlyReport:
    return await service.monthly_report(session, user=user, county=county, month=month)


@router.post("/reports", response_model=ReportOut, status_code=201,
             summary="Send the monthly report to the city (R-OV-4)",
             description="The county officer makes the report of an ended month; it is kept "
             "as sent (a month sent again is its next version) with the SHA-256 of its "
             "canonical JSON, readable by the city as JSON and as a printable page. Emits "
             "`supervision_report_sent`.", dependencies=[Idempotent])
async def send_report(session: DbSession, user: County, body: ReportIn) -> ReportOut:
    return ReportOut.model_validate(await service.send_report(
        session, user=user, county=body.county, month=body.month))


@router.get("/reports", response_model=list[ReportOut], responses=PAGED,
            summary="Monthly reports sent", description="The latest first; by month if given.")
async def list_reports(session: DbSession, user: CountyReader, page: Paging,
                       month: Month | None = None) -> list[ReportOut]:
    rows = await service.list_reports(session, user=user, month=month,
                                      window=page.window(service.REPORTS))
    return [ReportOut.model_validate(r) for r in page.finish(rows, service.REPORTS)]


@router.get("/reports/{report_id}", response_model=ReportOut,
            summary="One monthly report, as sent (JSON)",
            description="404 if there is none or outside your divisions.")
async def get_report(session: DbSession, user: CountyReader, report_id: RecordId) -> ReportOut:
    return ReportOut.model_validate(await service.get_report(session, user=user,
                                                             report_id=report_id))


@router.get("/reports/{report_id}/page", response_class=HTMLResponse, responses=HTML_PAGE,
            summary="One monthly report as a printable A4 page",
            description="The report as sent, for print (A4 landscape): nothing fetched from "
            "outside (no script, font, image or style sheet).")
async def report_page(session: DbSession, user: CountyReader,
                      report_id: RecordId) -> HTMLResponse:
    report = await service.get_report(session, user=user, report_id=report_id)
    content = MonthlyReport.model_validate(report.content)
    html = TEMPLATES.get_template("report.html").render(
        r=content, report=report,
        made_at=report.made_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
    return HTMLResponse(html)
