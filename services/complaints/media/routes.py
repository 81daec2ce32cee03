"""Media case endpoints (媒体披露, R-CO-4): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.media import service
from services.complaints.media.models import MediaCase, MediaStatus
from services.complaints.media.schemas import (
    HandlingRateOut,
    InvestigationIn,
    MediaCaseIn,
    MediaCaseOut,
    SimilarOut,
)
from shared.auth import Role, User, allow
from shared.clock import today_of
from shared.inputs import PAGED, Paging, RecordId, YearMonth
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/media-cases", tags=["media cases"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Staff = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                      Role.county_officer))]


def media_out(media: MediaCase, session: AsyncSession) -> MediaCaseOut:
    return MediaCaseOut.model_validate(media).model_copy(
        update={"overdue": service.is_overdue(media, today_of(session))})


@router.post("", status_code=201, response_model=MediaCaseOut, dependencies=[Idempotent],
             summary="Register a problem the media disclosed (R-CO-4)",
             description="The outlet, headline, summary, the division, program and kind of "
             "problem, and the day of the disclosure: the household investigation is due "
             "within 3 working days of it. Emits `media_case_registered`.")
async def register(request: Request, session: DbSession, user: Staff, body: MediaCaseIn
                   ) -> MediaCaseOut:
    kit = request.app.state.kit
    media = await service.register(
        session, user=user, division=body.division, outlet=body.outlet, headline=body.headline,
        summary=body.summary, category=body.category.value,
        program=body.program.value if body.program else None, household=body.household,
        disclosed_on=body.disclosed_on, calendar=kit.calendar, county=kit.settings.county)
    return media_out(media, session)


@router.get("", response_model=list[MediaCaseOut], responses=PAGED,
            summary="Media cases in your jurisdiction", description="The newest first.")
async def list_media_cases(session: DbSession, user: Reader, page: Paging,
                           status: MediaStatus | None = None) -> list[MediaCaseOut]:
    rows = await service.list_media_cases(session, user=user, status=status,
                                          window=page.window(service.MEDIA_CASES))
    return [media_out(m, session) for m in page.finish(rows, service.MEDIA_CASES)]


@router.get("/overdue", response_model=list[MediaCaseOut], responses=PAGED,
            summary="Media cases past their 3 working days (R-CO-4)",
            description="Not investigated at the household within 3 working days of the "
            "disclosure; the longest overdue first.")
async def list_overdue(session: DbSession, user: Reader, page: Paging) -> list[MediaCaseOut]:
    rows = await service.list_overdue(session, user=user, window=page.window(service.OVERDUE))
    return [media_out(m, session) for m in page.finish(rows, service.OVERDUE)]


@router.get("/handling-rate", response_model=list[HandlingRateOut],
            summary="The media cases' handling rate per county and month (R-CO-4)",
            description="调处率: of the media cases disclosed in the month, how many were "
            "investigated (on time), and how many are overdue; the guideline asks 100%.")
async def handling_rate(session: DbSession, user: Reader, month: YearMonth
                        ) -> list[HandlingRateOut]:
    return [HandlingRateOut.model_validate(r)
            for r in await service.handling_rates(session, user=user, month=month)]


@router.get("/{media_case_id}", response_model=MediaCaseOut, summary="One media case",
            description="The disclosure, its deadline and the investigation's record. 404 if "
            "none or outside your reach.")
async def get_media_case(session: DbSession, user: Reader, media_case_id: RecordId
                         ) -> MediaCaseOut:
    return media_out(await service.get_media_case(session, user=user,
                                                  media_case_id=media_case_id), session)


@router.get("/{media_case_id}/similar", response_model=list[SimilarOut],
            summary="Similar complaints and cases (排查同类问题, R-CO-4)",
            description="Complaints of the same township with the same kind of problem or "
            "program, and approval's cases of the same township and program, each with why it "
            "matched; only those you may see.")
async def similar(session: DbSession, user: Reader, media_case_id: RecordId
                  ) -> list[SimilarOut]:
    media = await service.get_media_case(session, user=user, media_case_id=media_case_id)
    return [SimilarOut.model_validate(s)
            for s in await service.similar_cases(session, user=user, media=media)]


@router.post("/{media_case_id}/investigation", response_model=MediaCaseOut,
             dependencies=[Idempotent], summary="Record the household investigation (R-CO-4)",
             description="入户调查: cause, course, nature, the responsible person and the "
             "proposed handling; similar cases are searched, and a rectification ledger item "
             "goes to the county (R-OV-3, deadline `rectify_by`). 409 if recorded already. "
             "Emits `media_case_investigated` (`on_time` within the 3 working days).")
async def investigate(session: DbSession, user: Staff, media_case_id: RecordId,
                      body: InvestigationIn) -> MediaCaseOut:
    media = await service.record_investigation(
        session, user=user, media_case_id=media_case_id, investigated_on=body.investigated_on,
        cause=body.cause, course=body.course, nature=body.nature,
        responsible_person=body.responsible_person, proposed_handling=body.proposed_handling,
        rectify_by=body.rectify_by)
    return media_out(media, session)
