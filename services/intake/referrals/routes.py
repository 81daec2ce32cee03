"""Referral endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.intake.referrals import service
from services.intake.referrals.models import Referral
from services.intake.referrals.schemas import (
    ContactIn,
    ReferralClosureIn,
    ReferralIn,
    ReferralOut,
    ReferralStatus,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Kit
from shared.workdays import today_in_shanghai

router = APIRouter(prefix="/referrals", tags=["referrals"])

Referrer = Annotated[User, Depends(allow(Role.village_assistant, Role.caseworker))]
Reader = Annotated[User, Depends(allow(Role.village_assistant, Role.caseworker,
                                       Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


def _out(referral: Referral) -> ReferralOut:
    return ReferralOut.of(referral,
                          overdue=service.is_overdue(referral, today=today_in_shanghai()))


@router.post("", status_code=201, response_model=ReferralOut,
             summary="Record a person in need found in your village (R-IN-2)",
             description="A village assistant (in their village) or a caseworker (in their "
             "township) records a referral: who, where, the hardship seen, and who spotted "
             "them. It must be followed up within ASSIST_REFERRAL_FOLLOWUP_WORKING_DAYS working "
             "days (5 unless configured; `followup_due_on`): contact made, and an application "
             "(`referral_id` of the application) or a recorded reason for none (`/closure`). "
             "Until then it is open, and overdue after its last day. ID and phone numbers are "
             "shown masked. Send `Idempotency-Key` to retry safely.",
             dependencies=[Idempotent])
async def record_referral(session: DbSession, user: Referrer, kit: Kit, body: ReferralIn,
                          response: Response) -> ReferralOut:
    referral = await service.record_referral(
        session, user=user, county=kit.county, calendar=kit.calendar,
        followup_working_days=kit.settings.referral_followup_working_days, request=body)
    response.headers["Location"] = f"/api/v1/referrals/{referral.id}"
    return _out(referral)


@router.get("", response_model=list[ReferralOut], responses=PAGED,
            summary="Referrals in your jurisdiction; `overdue=true`: the overdue list (R-IN-2)",
            description="The nearest follow-up deadline first, filtered by status, division "
            "(and everything below it), the days referred and `overdue` (open after its last "
            "day). Only referrals inside your divisions (R-SE-1); paged by cursor.")
async def list_referrals(
    session: DbSession, user: Reader, page: Paging, status: ReferralStatus | None = None,
    division: DivisionCode | None = None,
    overdue: Annotated[bool | None, Query(description="true: open past the follow-up "
                                          "deadline; false: the others")] = None,
    referred_from: Annotated[CivilDate | None, Query(description="referred on or after")] = None,
    referred_to: Annotated[CivilDate | None, Query(description="referred on or before")] = None,
) -> list[ReferralOut]:
    rows = await service.list_referrals(
        session, user=user, today=today_in_shanghai(), status=status, division=division,
        overdue=overdue, referred_from=referred_from, referred_to=referred_to,
        window=page.window(service.REFERRALS))
    return [_out(r) for r in page.finish(rows, service.REFERRALS)]


@router.get("/{referral_id}", response_model=ReferralOut, summary="One referral",
            description="404 if there is none or if it lies outside your divisions.")
async def get_referral(session: DbSession, user: Reader, referral_id: RecordId) -> ReferralOut:
    return _out(await service.get_referral(session, user=user, referral_id=referral_id))


@router.post("/{referral_id}/contact", response_model=ReferralOut,
             summary="Record the contact made with the person referred (R-IN-2)",
             description="Once per referral, while it is open (409 otherwise); the day is not "
             "before the referral nor in the future. Contact alone does not end it.",
             dependencies=[Idempotent])
async def record_contact(session: DbSession, user: Referrer, referral_id: RecordId,
                         body: ContactIn) -> ReferralOut:
    return _out(await service.record_contact(session, user=user, referral_id=referral_id,
                                             contacted_on=body.contacted_on, note=body.note))


@router.post("/{referral_id}/closure", response_model=ReferralOut,
             summary="End a referral without an application, with the reason (R-IN-2)",
             description="A reason code and the reason in words (422 without). 409 when it has "
             "already ended.", dependencies=[Idempotent])
async def close_referral(session: DbSession, user: Referrer, referral_id: RecordId,
                         body: ReferralClosureIn) -> ReferralOut:
    return _out(await service.close_referral(session, user=user, referral_id=referral_id,
                                             reason_code=body.reason_code, reason=body.reason))
