"""Public notice endpoints for staff (R-AP-3, R-AP-4): thin, the rules are in service.py and
outcome.py. The public village page is in public_routes.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from services.approval.cases.service import get_case
from services.approval.notices import documents, service
from services.approval.notices.models import Notice, NoticeStatus, Objection, ReviewKind
from services.approval.notices.outcome import covered_of, member_names
from services.approval.notices.schemas import (
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
    ObjectionReviewIn,
    ObjectionReviewOut,
)
from services.approval.pdf import PDF, pdf_response
from services.approval.relatives.service import require_no_conflict
from shared.auth import Role, User, allow
from shared.documents import certificate as render_certificate
from shared.documents import public_notice as render_public_notice
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.masking import mask_phone
from shared.service import DbSession, Idempotent

router = APIRouter(tags=["public notices"])

Reader = Annotated[User, Depends(allow(
    Role.village_assistant, Role.caseworker, Role.township_leader, Role.county_officer,
    Role.city_officer, Role.auditor))]
Receiver = Annotated[User, Depends(allow(Role.village_assistant, Role.caseworker,
                                         Role.township_leader))]
Reviewer = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]


def objection_out(objection: Objection) -> ObjectionOut:
    contact = mask_phone(objection.contact) if objection.contact else None
    return ObjectionOut.model_validate(objection).model_copy(update={"contact_masked": contact})


@router.get("/notices", response_model=list[NoticeOut], responses=PAGED,
            summary="Public notices in your jurisdiction",
            description="The public notices (公示, R-AP-3) posted at the villages of your "
            "divisions, the newest first, by case, status or division.")
async def list_notices(session: DbSession, user: Reader, page: Paging,
                       case_id: RecordId | None = None, status: NoticeStatus | None = None,
                       division: DivisionCode | None = None) -> list[Notice]:
    rows = await service.list_notices(session, user=user, case_id=case_id, status=status,
                                      division=division, window=page.window(service.NOTICES))
    return page.finish(rows, service.NOTICES)


@router.get("/notices/{notice_id}.pdf", response_class=Response, responses=PDF,
            summary="A public notice as an A4 PDF",
            description="The notice as posted at the village (公示, R-AP-3): masked name, "
            "village, program, household size, amount and the complaint telephone; never an ID "
            "number, a diagnosis or an address.")
async def notice_pdf(request: Request, session: DbSession, user: Reader,
                     notice_id: RecordId) -> Response:
    notice = await service.get_notice(session, notice_id=notice_id, user=user)
    phone = request.app.state.kit.settings.complaint_phone
    return await pdf_response(render_public_notice,
                              documents.notice_document(notice, complaint_phone=phone),
                              filename=f"notice-{notice.id}.pdf")


@router.get("/notices/{notice_id}", response_model=NoticeOut, summary="One public notice",
            description="One public notice (R-AP-3) with its period and outcome (R-AP-4).")
async def get_notice(session: DbSession, user: Reader, notice_id: RecordId) -> Notice:
    return await service.get_notice(session, notice_id=notice_id, user=user)


@router.get("/notices/{notice_id}/objections", response_model=list[ObjectionOut],
            summary="Objections to a notice",
            description="The objections filed against a notice (异议, R-AP-4), by staff or from "
            "the village page; contacts masked.")
async def list_objections(session: DbSession, user: Reader,
                          notice_id: RecordId) -> list[ObjectionOut]:
    notice = await service.get_notice(session, notice_id=notice_id, user=user)
    return [objection_out(o) for o in await service.objections_of(session, notice.case_id)
            if o.notice_id == notice.id]


@router.post("/notices/{notice_id}/objections", response_model=ObjectionOut, status_code=201,
             dependencies=[Idempotent], summary="Record an objection to an open notice",
             description="An objection received in person, by letter or by telephone during "
             "the notice (R-AP-4): the case goes to objection review. 409 once the notice "
             "has ended (24:00 of D+7) or already took an objection. Emits `objection_filed`.")
async def file_objection(session: DbSession, user: Receiver, notice_id: RecordId,
                         body: ObjectionIn) -> ObjectionOut:
    notice = await service.get_notice(session, notice_id=notice_id, user=user)
    await require_no_conflict(session, case_id=notice.case_id, user=user)
    objection = await service.file_objection(
        session, notice=notice, text=body.text, contact=body.contact, channel="staff",
        filed_by=user.user_id)
    return objection_out(objection)


@router.post("/cases/{case_id}/objection-review", response_model=ObjectionReviewOut,
             status_code=201, dependencies=[Idempotent], tags=["public notices"],
             summary="Review the objection: democratic appraisal or new investigation",
             description="R-AP-4: a democratic appraisal (民主评议: day, participants, result, "
             "record) sends the case back for a new confirmation and a new notice; a new "
             "investigation (重新调查) is asked of verification (`reinvestigation_requested`), "
             "whose completion brings the case to a new initial opinion. 409 unless the case "
             "is in objection review. Emits `democratic_appraisal_held` or "
             "`reinvestigation_requested`.")
async def review_objection(session: DbSession, user: Reviewer, case_id: RecordId,
                           body: ObjectionReviewIn) -> ObjectionReviewOut:
    case = await get_case(session, user=user, case_id=case_id)
    await require_no_conflict(session, case_id=case.id, user=user)
    review = await service.review_objection(
        session, case=case, user=user, kind=ReviewKind(body.kind), held_on=body.held_on,
        participants=body.participants, result=body.result, record=body.record,
        reason=body.reason)
    fields = set(ObjectionReviewOut.model_fields) - {"case_status"}
    return ObjectionReviewOut.model_validate(
        {name: getattr(review, name) for name in fields} | {"case_status": case.status})


@router.get("/cases/{case_id}/certificate.pdf", response_class=Response, responses=PDF,
            summary="The case's certificate (救助保障证) as an A4 PDF",
            description="R-AP-4: issued when the notice ended without objection, with its "
            "number, the masked names, the monthly amount and the first month paid. 409 while "
            "the case has none.")
async def certificate_pdf(session: DbSession, user: Reader, case_id: RecordId) -> Response:
    case = await get_case(session, user=user, case_id=case_id)
    notice = await service.passed_notice(session, case_id=case.id)
    if notice is None:
        raise documents.NotApproved(f"case {case.id} has no certificate: it is {case.status}")
    names = member_names(case)
    covered = [names[m] for m in await covered_of(session, notice, case) or names
               if m in names]
    return await pdf_response(render_certificate,
                              documents.certificate_document(notice, case, covered),
                              filename=f"certificate-{notice.certificate_number}.pdf")
