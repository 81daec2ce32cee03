"""Re-check endpoints (复核, R-DY-2): thin, the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.approval.rechecks import service
from services.approval.rechecks.models import Recheck, RecheckStatus
from services.approval.rechecks.schemas import (
    OverdueLine,
    RecheckDetail,
    RecheckOut,
    RecheckRequestIn,
    RecheckScheduleIn,
)
from services.approval.roll import service as roll
from services.approval.roll.schemas import BeneficiaryOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/roll", tags=["roll"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Caseworker = Annotated[User, Depends(allow(Role.caseworker))]


def out(recheck: Recheck, today: date) -> RecheckOut:
    overdue = recheck.status == RecheckStatus.requested and recheck.due_on < today
    return RecheckOut.model_validate(recheck).model_copy(update={"overdue": overdue})


@router.get("/rechecks", response_model=list[RecheckOut], responses=PAGED,
            summary="Re-checks of the roll (R-DY-2)",
            description="Re-checks issued to verification inside your divisions, the nearest "
            "due day first; `overdue=true`: not done by the end of their due day. Filtered by "
            "status, beneficiary and division (and below).")
async def list_rechecks(
    session: DbSession, user: Reader, page: Paging, today: Today,
    status: RecheckStatus | None = None, beneficiary_id: RecordId | None = None,
    division: DivisionCode | None = None,
    overdue: Annotated[bool | None, Query(description="true: past the due day, not done")] = None,
) -> list[RecheckOut]:
    rows = await service.list_rechecks(session, user=user, today=today, status=status,
                                       overdue=overdue, beneficiary_id=beneficiary_id,
                                       division=division, window=page.window(service.RECHECKS))
    return [out(r, today) for r in page.finish(rows, service.RECHECKS)]


@router.get("/rechecks/overdue", response_model=list[OverdueLine],
            summary="Open and overdue re-checks per township and county (R-DY-2)",
            description="For each township of your divisions with re-checks open, how many are "
            "open and how many overdue, then each county's sums.")
async def overdue_summary(session: DbSession, user: Reader, today: Today) -> list[OverdueLine]:
    townships = await service.overdue_by_township(session, user=user, today=today)
    counties: dict[str, list[int]] = {}
    for code, open_, late in townships:
        total = counties.setdefault(code[:6], [0, 0])
        total[0], total[1] = total[0] + open_, total[1] + late
    return [*(OverdueLine(division=c, level="township", open=o, overdue=late)
              for c, o, late in townships),
            *(OverdueLine(division=c, level="county", open=o, overdue=late)
              for c, (o, late) in sorted(counties.items()))]


@router.get("/rechecks/{recheck_id}", response_model=RecheckDetail,
            summary="One re-check with its result",
            description="One re-check (复核, R-DY-2) of a beneficiary: when it fell due, when it "
            "was issued to verification, and, once the team recorded it, the household as "
            "found and the change the benefit rules proposed (R-DY-3). 404 if there is none or "
            "outside your divisions.")
async def get_recheck(session: DbSession, user: Reader, today: Today, recheck_id: RecordId
                      ) -> RecheckDetail:
    recheck = await service.get_recheck(session, user=user, recheck_id=recheck_id)
    return RecheckDetail(**out(recheck, today).model_dump(), result=recheck.result,
                         assessment=recheck.assessment)


@router.post("/{beneficiary_id}/rechecks", response_model=RecheckOut, status_code=201,
             summary="Ask for a re-check now",
             description="Issues a re-check to verification at once (`recheck_requested`), "
             "e.g. after a reported change; while one is open, that one is answered. 409 for a "
             "benefit that has stopped.", dependencies=[Idempotent])
async def request_recheck(session: DbSession, user: Caseworker, today: Today,
                          beneficiary_id: RecordId, body: RecheckRequestIn) -> RecheckOut:
    beneficiary = await roll.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id,
                                             for_update=True)
    recheck = await service.request_recheck(session, user=user, beneficiary=beneficiary,
                                            due_on=body.due_on)
    return out(recheck, today)


@router.put("/{beneficiary_id}/recheck-schedule", response_model=BeneficiaryOut,
            summary="Say whether the household's income is unsteady (R-DY-2)",
            description="Re-checks every 6 months for unsteady income (or members able to work, "
            "or a filed near relative), else yearly; the next due day is counted again from the "
            "last re-check or the approval, and a shorter frequency never puts it later. Each "
            "re-check's result sets it again. Emits `recheck_schedule_changed`.")
async def set_schedule(session: DbSession, user: Caseworker, today: Today,
                       beneficiary_id: RecordId, body: RecheckScheduleIn) -> BeneficiaryOut:
    beneficiary = await roll.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id,
                                             for_update=True)
    await service.set_unsteady_income(session, user=user, beneficiary=beneficiary,
                                      unsteady=body.unsteady_income, reason=body.reason)
    return BeneficiaryOut.model_validate(beneficiary).model_copy(
        update={"recheck_overdue": beneficiary.next_recheck_due < today})
