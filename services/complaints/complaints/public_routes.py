"""The public's complaints, without an account (R-CO-1): file one (rate-limited) and follow it
by its tracking number and check code; never an answer with personal data in it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.complaints.complaints import public, rules, service
from services.complaints.complaints.models import Channel
from services.complaints.complaints.routes import terms_of
from services.complaints.complaints.schemas import (
    PublicComplaintIn,
    PublicFollowIn,
    PublicReceipt,
    PublicStatus,
)
from shared import context
from shared.digests import digest_keys
from shared.problems import PROBLEM_JSON
from shared.ratelimit import TOO_MANY_REQUESTS, PublicRateLimit
from shared.service import DbSession

router = APIRouter(prefix="/public/complaints", tags=["public complaints"])

PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {
    "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "the form is incomplete, or the division is not of this county",
          **PROBLEM},
    429: {"description": "too many complaints from here this hour "
          "(`ASSIST_COMPLAINT_PUBLIC_PER_HOUR`), or too many requests this minute "
          "(`ASSIST_PUBLIC_RATE_PER_MINUTE`)", **PROBLEM},
}
FOLLOW_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no complaint with this tracking number and check code", **PROBLEM},
    422: {"description": "not a tracking number or a check code", **PROBLEM},
    **TOO_MANY_REQUESTS,
}


@router.post("", status_code=201, response_model=PublicReceipt, responses=FILE_RESPONSES,
             dependencies=[PublicRateLimit], summary="File a complaint (public, no token)",
             description="Anyone files a complaint, report or petition about a household, a "
             "staff member or a township's fairness, naming the village or township; a "
             "contact is optional (the phone kept sealed). Answered with a tracking number "
             "and a check code, shown once: with both, `POST /public/complaints/status` "
             "follows it. Routed as staff's registrations are (R-CO-2). A few complaints an "
             "hour per address (429). Emits `complaint_registered`.")
async def file_complaint(request: Request, session: DbSession, body: PublicComplaintIn
                         ) -> PublicReceipt:
    kit = request.app.state.kit
    address = context.source_address.get()
    await public.check_public_limit(session, source_address=address,
                                     per_hour=kit.settings.complaint_public_per_hour)
    code = rules.new_check_code()
    _, key = kit.sealer.keyring.derived_key(rules.CHECK_CODE_PURPOSE)
    complaint = await service.register(
        session, filing=service.Filing(channel=Channel.online.value,
                                       **body.model_dump(mode="json")),
        terms=terms_of(request), user=None, source_address=address,
        check_code_digest=lambda number: rules.check_code_digest(key, number, code))
    return PublicReceipt(
        tracking_number=complaint.tracking_number, check_code=code,
        registered_at=complaint.registered_at, handled_by_level=complaint.level,
        handling_due_on=complaint.handling_due_on, answer_due_on=complaint.answer_due_on)


@router.post("/status", response_model=PublicStatus, responses=FOLLOW_RESPONSES,
             dependencies=[PublicRateLimit], summary="Follow a complaint (public, no token)",
             description="Where a complaint stands and its answer, by tracking number and check "
             "code (sent in the body, so neither sits in a URL or a log); never a name, a "
             "phone or anything the complaint says. A wrong code is answered as an unknown "
             "number (404). Changes nothing.")
async def follow_complaint(request: Request, session: DbSession, body: PublicFollowIn
                           ) -> PublicStatus:
    keys = digest_keys(request.app.state.kit.sealer.keyring, rules.CHECK_CODE_PURPOSE)
    complaint = await public.followed(session, tracking_number=body.tracking_number,
                                       code=body.check_code, keys=keys)
    return PublicStatus(
        tracking_number=complaint.tracking_number, kind=complaint.kind,
        status=complaint.status, registered_on=complaint.registered_on,
        handling_due_on=complaint.handling_due_on, concluded_on=complaint.concluded_on,
        answer=complaint.answer_text, answered_on=complaint.answered_on)
