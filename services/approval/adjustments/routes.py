"""Adjustment endpoints (增发、减发、停发, R-DY-3): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.approval.adjustments import service
from services.approval.adjustments.models import AdjustmentStatus, Change
from services.approval.adjustments.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    ConfirmIn,
    RejectIn,
)
from services.approval.roll import service as roll
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Paging, RecordId
from shared.problems import Conflict
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/roll", tags=["roll"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Caseworker = Annotated[User, Depends(allow(Role.caseworker))]
Leader = Annotated[User, Depends(allow(Role.township_leader))]


@router.get("/adjustments", response_model=list[AdjustmentOut], responses=PAGED,
            summary="Adjustments of the roll",
            description="Proposed, confirmed and rejected adjustments inside your divisions, the "
            "oldest proposal first; `status=proposed` is the township leader's work list.")
async def list_adjustments(
    session: DbSession, user: Reader, page: Paging, status: AdjustmentStatus | None = None,
    change: Change | None = None, beneficiary_id: RecordId | None = None,
) -> list[AdjustmentOut]:
    rows = await service.list_adjustments(session, user=user, status=status, change=change,
                                          beneficiary_id=beneficiary_id,
                                          window=page.window(service.ADJUSTMENTS))
    return [AdjustmentOut.model_validate(r) for r in page.finish(rows, service.ADJUSTMENTS)]


@router.get("/adjustments/{adjustment_id}", response_model=AdjustmentOut,
            summary="One adjustment with the rules' explanation",
            description="One proposed, confirmed or rejected change of a benefit (增发、减发、"
            "停发, R-DY-3; gradual exit R-BE-6): the amounts, the month it holds from, the "
            "rules' result step by step and who proposed and decided it (R-AP-2). 404 if "
            "there is none or outside your divisions.")
async def get_adjustment(session: DbSession, user: Reader, adjustment_id: RecordId
                         ) -> AdjustmentOut:
    return AdjustmentOut.model_validate(
        await service.get_adjustment(session, user=user, adjustment_id=adjustment_id))


@router.post("/{beneficiary_id}/adjustments", response_model=AdjustmentOut, status_code=201,
             summary="Propose an adjustment (R-DY-3)",
             description="A caseworker proposes, after a reported change or a re-check: "
             "`recompute` puts the household as found to the benefit rules with the parameters "
             "in force in `effective_month` (increase, decrease, a gradual exit of 12 months "
             "for a dibao household now near-dibao, R-BE-6, or a stop); `stop` stops it for the "
             "reason given. `effective_month` is the current month or later (409 "
             "`adjustment-month-past`): nothing is backdated. 409 `adjustment-pending` while "
             "another waits for its confirmation, `no-policy-in-force` without parameters, and "
             "when the rules find nothing to change; 403 `near-relative-recusal` (R-AP-8). "
             "Emits `adjustment_proposed`.", dependencies=[Idempotent])
async def propose(session: DbSession, user: Caseworker, beneficiary_id: RecordId,
                  body: AdjustmentIn) -> AdjustmentOut:
    beneficiary = await roll.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id,
                                             for_update=True)
    adjustment = await service.propose_by_staff(
        session, user=user, beneficiary=beneficiary, kind=body.kind, reason=body.reason,
        effective_month=body.effective_month, recheck_id=body.recheck_id,
        found=body.household.found() if body.household is not None else None)
    if adjustment is None:
        raise Conflict("the benefit rules give the amount paid now: nothing to adjust",
                       field="household")
    return AdjustmentOut.model_validate(adjustment)


@router.post("/adjustments/{adjustment_id}/confirm", response_model=AdjustmentOut,
             summary="Confirm an adjustment (R-AP-2 four eyes)",
             description="The township leader, never the proposer (403 `four-eyes`), confirms: "
             "the change is on the roll from its month (restated if need be, never before the "
             "current month) and is told as `beneficiary_adjusted`, `gradual_exit_started` or "
             "`beneficiary_stopped` to disbursement and intake. A gradual exit's stop follows "
             "from the scheduler in the month before its stop month.",
             dependencies=[Idempotent])
async def confirm(session: DbSession, user: Leader, adjustment_id: RecordId, body: ConfirmIn
                  ) -> AdjustmentOut:
    return AdjustmentOut.model_validate(await service.confirm(
        session, user=user, adjustment_id=adjustment_id, effective_month=body.effective_month,
        note=body.note))


@router.post("/adjustments/{adjustment_id}/reject", response_model=AdjustmentOut,
             summary="Reject a proposed adjustment",
             description="The township leader, not the proposer, does not confirm it: the roll "
             "stays as it was. Emits `adjustment_rejected`.", dependencies=[Idempotent])
async def reject(session: DbSession, user: Leader, adjustment_id: RecordId, body: RejectIn
                 ) -> AdjustmentOut:
    return AdjustmentOut.model_validate(await service.reject(
        session, user=user, adjustment_id=adjustment_id, reason=body.reason))
