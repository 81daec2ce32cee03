"""Decision endpoints (审核确认): thin, the rules are in service.py, outcome.py, meetings.py,
refusals.py and deadlines.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import ReviewCase
from services.approval.cases.service import get_case
from services.approval.decisions import deadlines, meetings, refusals, service
from services.approval.decisions.models import ConfirmationMeeting, InitialOpinion, Refusal
from services.approval.decisions.schemas import (
    ConfirmationIn,
    ConfirmationOut,
    DeliveryIn,
    ExtensionIn,
    ExtensionOut,
    MeetingIn,
    MeetingOut,
    OpinionIn,
    OpinionOut,
    OverdueSummary,
    ReferralIn,
    ReferralOut,
    RefusalOut,
)
from services.approval.pdf import PDF, pdf_response
from shared import documents
from shared.auth import Role, User, allow
from shared.inputs import PAGED, CivilDate, Paging, RecordId
from shared.service import DbSession, Idempotent, Today
from shared.workdays import WorkingCalendar

router = APIRouter(tags=["decisions"])

Caseworker = Annotated[User, Depends(allow(Role.caseworker))]
Leader = Annotated[User, Depends(allow(Role.township_leader))]
Township = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]
Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Overseer = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                         Role.city_officer))]


def opinion_out(opinion: InitialOpinion) -> OpinionOut:
    return OpinionOut.model_validate(opinion).model_copy(
        update={"current": opinion.superseded_at is None})


def refusal_out(refusal: Refusal, today: date) -> RefusalOut:
    return RefusalOut.model_validate(refusal).model_copy(update={
        "overdue": refusals.is_overdue(refusal, today=today),
        "late": refusals.delivered_late(refusal)})


async def meeting_out(session: AsyncSession, meeting: ConfirmationMeeting) -> MeetingOut:
    decided = await meetings.decisions_of(session, meeting.id)
    return MeetingOut.model_validate(meeting).model_copy(update={
        "decisions": [ConfirmationOut.model_validate(c) for c in decided]})


def calendar_of(request: Request) -> WorkingCalendar:
    calendar: WorkingCalendar = request.app.state.kit.calendar
    return calendar


# --- the initial opinion (R-AP-1) ---------------------------------------------------------------


@router.post("/cases/{case_id}/opinion", status_code=201, response_model=OpinionOut,
             summary="Write the initial opinion (R-AP-1)", dependencies=[Idempotent],
             description="The caseworker's initial opinion (初审意见): each member's "
             "circumstances, adjustments of the investigated figures (each with its reason), the "
             "proposal and its text. The benefit is computed by the rules (R-BE) with the "
             "parameters in force in the month it is for (the month after, for a monthly "
             "benefit), and kept with its explanation step by step and the policy version. A new "
             "opinion before the confirmation is a new version; the old ones are kept. 409 "
             "`case-status` when the case is not at this step (or `no-policy-in-force`); 422 "
             "`rule-violation` R-AP-1 when an approval is proposed that the rules do not find "
             "eligible (unless case by case, R-AP-6); 403 `near-relative-recusal` (R-AP-8).")
async def write_opinion(session: DbSession, user: Caseworker, case_id: RecordId,
                        body: OpinionIn, response: Response) -> OpinionOut:
    opinion = await service.write_opinion(session, user=user, case_id=case_id, opinion=body)
    response.headers["Location"] = f"/api/v1/cases/{case_id}/opinions"
    return opinion_out(opinion)


@router.get("/cases/{case_id}/opinions", response_model=list[OpinionOut],
            summary="The initial opinion and its earlier versions",
            description="Every version of the case's initial opinion, the newest (the current "
            "one) first, each with the figures the rules were given and their explanation.")
async def list_opinions(session: DbSession, user: Reader, case_id: RecordId
                        ) -> list[OpinionOut]:
    await _case(session, user, case_id)
    return [opinion_out(o) for o in await service.opinions_of(session, case_id)]


# --- confirmation (R-AP-2, R-AP-6) ---------------------------------------------------------------


@router.post("/cases/{case_id}/confirmation", status_code=201, response_model=ConfirmationOut,
             summary="Confirm or refuse the case (R-AP-2)", dependencies=[Idempotent],
             description="The township leader confirms the current initial opinion's proposal, "
             "or refuses with a reason code and reasons. Never the opinion's author: 403 "
             "`four-eyes`. A confirmed approval posts the public notice (R-AP-3) — temporary aid "
             "is granted at once instead (R-BE-8); a refusal rejects the case and starts the 3 "
             "working days of its written notice (R-AP-5). After an objection the case comes "
             "back here for a new confirmation. 409 `case-status` when the case does not await "
             "the leader's confirmation; 422 R-AP-6 for a case-by-case proposal (a meeting's).")
async def confirm_case(request: Request, session: DbSession, user: Leader, case_id: RecordId,
                       body: ConfirmationIn) -> ConfirmationOut:
    case, confirmation = await service.confirm(session, user=user, case_id=case_id, body=body,
                                               calendar=calendar_of(request))
    return ConfirmationOut.model_validate(confirmation).model_copy(
        update={"case_status": case.status})


@router.get("/cases/{case_id}/confirmations", response_model=list[ConfirmationOut],
            summary="The case's confirmations",
            description="Every confirmation of the case, the first first: by the leader or a "
            "meeting; a case confirmed again after an objection has several (R-AP-4).")
async def list_confirmations(session: DbSession, user: Reader, case_id: RecordId
                             ) -> list[ConfirmationOut]:
    case = await _case(session, user, case_id)
    return [ConfirmationOut.model_validate(c).model_copy(update={"case_status": case.status})
            for c in await service.confirmations_of(session, case_id)]


@router.post("/cases/{case_id}/meeting-referral", status_code=201, response_model=ReferralOut,
             summary="Pass the case to a confirmation meeting (R-AP-2)",
             dependencies=[Idempotent],
             description="The township leader reviews the case and passes it to a confirmation "
             "meeting (审核确认会议), with the reason; needed for a case-by-case decision "
             "(R-AP-6). 409 `case-status` unless the case awaits its confirmation.")
async def refer_to_meeting(session: DbSession, user: Leader, case_id: RecordId,
                           body: ReferralIn) -> ReferralOut:
    referral = await meetings.refer(session, user=user, case_id=case_id, reason=body.reason)
    return ReferralOut.model_validate(referral)


@router.post("/meetings", status_code=201, response_model=MeetingOut,
             summary="Record a confirmation meeting and its decisions (R-AP-2, R-AP-6)",
             dependencies=[Idempotent],
             description="A township's confirmation meeting with its record (会议记录): the date, "
             "the chair, at least 3 attendees (the opinion's author may attend; the chair may "
             "not be them: 403 `four-eyes`) and a decision per case passed to it. A "
             "case-by-case decision (一事一议, R-AP-6) grants aid where materials are "
             "incomplete or facts can't be checked for reasons not the applicant's (as the "
             "opinion states), with the hardship stated. Every case is checked before anything "
             "is written: one refusal refuses the record.")
async def record_meeting(request: Request, session: DbSession, user: Leader, body: MeetingIn,
                         response: Response) -> MeetingOut:
    meeting = await meetings.record_meeting(session, user=user, meeting=body,
                                            calendar=calendar_of(request))
    response.headers["Location"] = f"/api/v1/meetings/{meeting.id}"
    return await meeting_out(session, meeting)


@router.get("/meetings", response_model=list[MeetingOut], responses=PAGED,
            summary="Confirmation meetings in your jurisdiction",
            description="Meetings, the latest first, with their record and decisions, filtered "
            "by the day held; only those of townships inside your divisions (R-SE-1).")
async def list_meetings(session: DbSession, user: Reader, page: Paging,
                        held_from: CivilDate | None = None, held_to: CivilDate | None = None
                        ) -> list[MeetingOut]:
    rows = await meetings.list_meetings(session, user=user, held_from=held_from, held_to=held_to,
                                        window=page.window(meetings.MEETINGS))
    return [await meeting_out(session, m) for m in page.finish(rows, meetings.MEETINGS)]


@router.get("/meetings/{meeting_id}", response_model=MeetingOut,
            summary="One confirmation meeting",
            description="The meeting's record and its decision on each case. 404 if there is "
            "none or outside your divisions.")
async def get_meeting(session: DbSession, user: Reader, meeting_id: RecordId) -> MeetingOut:
    return await meeting_out(session, await meetings.get_meeting(session, user=user,
                                                                 meeting_id=meeting_id))


# --- refusals (R-AP-5) ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/refusal", response_model=RefusalOut,
            summary="The case's refusal and its written notice (R-AP-5)",
            description="The refusal, its reasons, the last day of its written notice (3 "
            "working days from the decision) and its delivery. 404 if the case was not "
            "refused.")
async def get_refusal(session: DbSession, user: Reader, today: Today, case_id: RecordId
                      ) -> RefusalOut:
    refusal, _ = await refusals.refusal_of(session, user=user, case_id=case_id)
    return refusal_out(refusal, today)


@router.get("/cases/{case_id}/refusal-notice.pdf", response_class=Response, responses=PDF,
            summary="The written refusal as a PDF (R-AP-5)",
            description="不予批准通知书 on A4, with the reasons and the right to appeal; the "
            "applicant's name masked, no ID number. 404 if the case was not refused.")
async def refusal_notice_pdf(request: Request, session: DbSession, user: Reader,
                             case_id: RecordId) -> Response:
    refusal, case = await refusals.refusal_of(session, user=user, case_id=case_id)
    document = refusals.refusal_document(
        refusal, case, complaint_phone=request.app.state.kit.settings.complaint_phone)
    return await pdf_response(documents.refusal_notice, document,
                              filename=f"refusal-{case.application_number}.pdf")


@router.post("/cases/{case_id}/refusal-notice/delivery", status_code=201,
             response_model=RefusalOut, dependencies=[Idempotent],
             summary="Record the written refusal delivered (R-AP-5)",
             description="How, to whom and when the written refusal was delivered; once (409 "
             "`refusal-delivered`). Delivered after its third working day it is marked late.")
async def record_delivery(session: DbSession, user: Township, today: Today, case_id: RecordId,
                          body: DeliveryIn) -> RefusalOut:
    refusal = await refusals.record_delivery(session, user=user, case_id=case_id,
                                             delivery=body)
    return refusal_out(refusal, today)


@router.get("/refusals", response_model=list[RefusalOut], responses=PAGED,
            summary="Refusals and their written notices (R-AP-5)",
            description="Refusals inside your divisions, the nearest last day first, filtered "
            "by `delivered` and `overdue` (not delivered after its third working day).")
async def list_refusals(
    session: DbSession, user: Reader, page: Paging, today: Today, delivered: bool | None = None,
    overdue: Annotated[bool | None, Query(description="true: undelivered past the last day "
                                          "(R-AP-5)")] = None,
) -> list[RefusalOut]:
    rows = await refusals.list_refusals(session, user=user, today=today, delivered=delivered,
                                        overdue=overdue, window=page.window(refusals.REFUSALS))
    return [refusal_out(r, today) for r in page.finish(rows, refusals.REFUSALS)]


# --- deadlines (R-AP-7) -------------------------------------------------------------------------


@router.post("/cases/{case_id}/extension", status_code=201, response_model=ExtensionOut,
             summary="Extend the review period once (R-AP-7)", dependencies=[Idempotent],
             description="The township leader extends an open dibao or tekun case's review "
             "period once, with a reason: 30 working days from the acceptance instead of 20 "
             "(tekun 20 instead of 15), on the working-day calendar. 422 R-AP-7 for other "
             "programs; 409 `already-extended`.")
async def extend_review(request: Request, session: DbSession, user: Leader, case_id: RecordId,
                        body: ExtensionIn) -> ExtensionOut:
    extension = await deadlines.extend(session, user=user, case_id=case_id, reason=body.reason,
                                       calendar=calendar_of(request))
    return ExtensionOut.model_validate(extension)


@router.get("/cases/overdue-summary", response_model=OverdueSummary,
            summary="Overdue cases per township and county (R-AP-7)",
            description="Open cases and those past their R-AP-7 deadline, counted per township "
            "(the first 9 digits of the division) and per county, inside your divisions.")
async def overdue_summary(session: DbSession, user: Overseer, today: Today) -> OverdueSummary:
    return await deadlines.overdue_summary(session, user=user, today=today)


async def _case(session: AsyncSession, user: User, case_id: str) -> ReviewCase:
    return await get_case(session, user=user, case_id=case_id)
