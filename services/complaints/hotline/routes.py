"""Hotline endpoints (求助热线, R-CO-5): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.complaints.complaints import contacts
from services.complaints.complaints.schemas import ContactOut, ContactReadIn
from services.complaints.hotline import service
from services.complaints.hotline.schemas import AnswerRateOut, CallIn, CallOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Flag, Moment, Paging, RecordId, YearMonth
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/hotline-calls", tags=["hotline"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Operator = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                         Role.county_officer))]


@router.post("", status_code=201, response_model=CallOut, dependencies=[Idempotent],
             summary="Log a hotline call (R-CO-5)",
             description="Every call, answered or missed: when, whose line (the county's or a "
             "township's), the caller's phone (kept sealed, shown masked, R-SE-2). Whether it "
             "came in working hours is decided from the working-day calendar and "
             "`ASSIST_HOTLINE_HOURS`. A complaint registered from it names it "
             "(`hotline_call_id`). Emits `hotline_call_logged`.")
async def log_call(request: Request, session: DbSession, user: Operator, body: CallIn
                   ) -> CallOut:
    kit = request.app.state.kit
    call = await service.log_call(
        session, user=user, division=body.division, called_at=body.called_at,
        answered=body.answered, caller_phone=body.caller_phone, note=body.note,
        calendar=kit.calendar, hours=service.parse_hours(kit.settings.hotline_hours),
        county=kit.settings.county)
    return CallOut.model_validate(call)


@router.get("", response_model=list[CallOut], responses=PAGED,
            summary="The call log in your jurisdiction",
            description="The latest call first; by answered or missed, in working hours or not, "
            "and time (`since` inclusive, `until` exclusive). Phones masked.")
async def list_calls(session: DbSession, user: Reader, page: Paging, answered: Flag | None = None,
                     in_working_hours: Flag | None = None, since: Moment | None = None,
                     until: Moment | None = None) -> list[CallOut]:
    rows = await service.list_calls(session, user=user, answered=answered,
                                    in_hours=in_working_hours, since=since, until=until,
                                    window=page.window(service.CALLS))
    return [CallOut.model_validate(c) for c in page.finish(rows, service.CALLS)]


@router.get("/answer-rate", response_model=list[AnswerRateOut],
            summary="The hotline's answer rate per county and month (R-CO-5)",
            description="接听率: for each county in your reach, the month's calls, those in "
            "working hours, how many of them were answered and missed, and the rate answered / "
            "in working hours (the guideline asks 100%).")
async def answer_rate(session: DbSession, user: Reader, month: YearMonth
                      ) -> list[AnswerRateOut]:
    return [AnswerRateOut.model_validate(r)
            for r in await service.answer_rates(session, user=user, month=month)]


@router.get("/{call_id}", response_model=CallOut, summary="One hotline call",
            description="One logged call; the phone masked. 404 if none or outside your reach.")
async def get_call(session: DbSession, user: Reader, call_id: RecordId) -> CallOut:
    return CallOut.model_validate(await service.get_call(session, user=user, call_id=call_id))


@router.post("/{call_id}/caller", response_model=ContactOut,
             summary="Read the caller's phone in full, to call back (R-CO-5, R-SE-2)",
             description="The phone in full, for the staff who call a missed caller back, with "
             "the purpose stated; the read is an event (`contact_read_in_full`: the purpose, "
             "never the phone) in the same transaction as the answer.")
async def read_caller(session: DbSession, user: Operator, call_id: RecordId,
                      body: ContactReadIn) -> ContactOut:
    call = await service.get_call(session, user=user, call_id=call_id)
    phone = await contacts.read_in_full(
        session, record="hotline_call", record_id=call.id, division=call.division,
        sealed=call.caller_phone_sealed, masked=call.caller_phone_masked, purpose=body.purpose)
    return ContactOut(name=None, phone=phone)
