"""Doubt endpoints (疑点): thin, the rules are in service.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.verification.doubts import service
from services.verification.doubts.models import Doubt, DoubtStatus
from services.verification.doubts.schemas import DoubtIn, DoubtOut, PutIn, ResolutionIn
from services.verification.investigations import service as investigations
from services.verification.investigations.routes import Overdue, Reader, Worker
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["doubts"])


async def outs(session: DbSession, doubts: Sequence[Doubt]) -> list[DoubtOut]:
    owners = await investigations.by_ids(session, {d.investigation_id for d in doubts})
    today = today_in_shanghai()
    answer = []
    for doubt in doubts:
        owner = owners[doubt.investigation_id]
        answer.append(DoubtOut.model_validate(doubt).model_copy(update={
            "application_number": owner.application_number, "division": owner.division,
            "review_due_on": owner.review_due_on,
            "overdue": service.is_open(doubt) and investigations.is_overdue(owner, today=today)}))
    return answer


@router.post("/investigations/{investigation_id}/doubts", status_code=201,
             response_model=DoubtOut, summary="Raise a doubt (R-VE-5)",
             description="A doubtful item, from a cross-check result (`check_result_id`, "
             "R-VE-4) or by hand. It keeps the investigation from completing until it is put "
             "to the applicant and resolved. 409 when the investigation is no longer open. "
             "Send `Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def raise_doubt(session: DbSession, user: Worker, investigation_id: RecordId,
                      body: DoubtIn, response: Response) -> DoubtOut:
    doubt = await service.raise_doubt(session, user=user, investigation_id=investigation_id,
                                      doubt=body)
    response.headers["Location"] = f"/api/v1/doubts/{doubt.id}"
    return (await outs(session, [doubt]))[0]


@router.get("/doubts", response_model=list[DoubtOut], responses=PAGED,
            summary="Doubts in your jurisdiction",
            description="The oldest first, filtered by investigation, status, `open` (true: not "
            "resolved, in an open investigation: the work list), program, division, the day "
            "raised and `overdue` (open past the review period); only those inside your "
            "divisions (R-SE-1).")
async def list_doubts(
    session: DbSession, user: Reader, page: Paging, investigation_id: RecordId | None = None,
    status: DoubtStatus | None = None,
    open: Annotated[bool | None, Query(description="true: not yet resolved, in an open "
                                       "investigation")] = None,
    program: Program | None = None, division: DivisionCode | None = None,
    raised_from: CivilDate | None = None, raised_to: CivilDate | None = None,
    overdue: Overdue = None,
) -> list[DoubtOut]:
    rows = await service.list_doubts(
        session, user=user, today=today_in_shanghai(), investigation_id=investigation_id,
        status=status, open_only=open, program=program, division=division,
        raised_from=raised_from, raised_to=raised_to, overdue=overdue,
        window=page.window(service.DOUBTS))
    return await outs(session, page.finish(rows, service.DOUBTS))


@router.get("/doubts/{doubt_id}", response_model=DoubtOut, summary="One doubt",
            description="One doubt, how it was put to the applicant and how it ended. 404 if "
            "there is none or if it lies outside your divisions.")
async def get_doubt(session: DbSession, user: Reader, doubt_id: RecordId) -> DoubtOut:
    return (await outs(session, [await service.get_doubt(session, user=user,
                                                          doubt_id=doubt_id)]))[0]


@router.post("/doubts/{doubt_id}/put", response_model=DoubtOut,
             summary="Record the doubt put to the applicant (R-VE-5)",
             description="When and how the doubt was put to the applicant. Within the review "
             "period (up to 24:00 Asia/Shanghai of `review_due_on`); later only with "
             "`late_reason` (422 `rule-violation` R-VE-5 without it), and marked late. 409 if "
             "it was put already or the investigation is no longer open. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def put_to_applicant(session: DbSession, user: Worker, doubt_id: RecordId,
                           body: PutIn) -> DoubtOut:
    doubt = await service.put_to_applicant(session, user=user, doubt_id=doubt_id, put=body)
    return (await outs(session, [doubt]))[0]


@router.post("/doubts/{doubt_id}/resolve", response_model=DoubtOut,
             summary="Resolve the doubt (R-VE-5)",
             description="`substantiated`, with its effect (`income` with `income_delta_fen`, "
             "`assets` or `eligibility`), which the completion event carries to approval; or "
             "`unsubstantiated`, with the evidence files that cleared it (one at least, "
             "uploaded first), archived with the case. 422 `rule-violation` (R-VE-5) for a "
             "doubt not yet put to the applicant; 409 if resolved already. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def resolve_doubt(session: DbSession, user: Worker, doubt_id: RecordId,
                        body: ResolutionIn) -> DoubtOut:
    doubt = await service.resolve_doubt(session, user=user, doubt_id=doubt_id,
                                        resolution=body)
    return (await outs(session, [doubt]))[0]
