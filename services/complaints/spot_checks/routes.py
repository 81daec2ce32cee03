"""Spot-check endpoints (抽查, R-OV-1): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.complaints.spot_checks import service
from services.complaints.spot_checks.models import CheckStatus
from services.complaints.spot_checks.schemas import (
    CheckOut,
    DrawIn,
    DrawOut,
    ReproductionOut,
    ResultIn,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/spot-checks", tags=["spot checks"])

Reader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
County = Annotated[User, Depends(allow(Role.county_officer))]


@router.post("/draws", response_model=DrawOut, status_code=201,
             summary="Draw the spot-check sample of a period (R-OV-1)",
             description="The county officer draws at least half (`share_percent`, ceil per "
             "township) of each of the county's townships' decisions of an ended period, from "
             "approval's decisions. Per township the decisions with the smallest "
             "SHA-256(`seed`:case id) are drawn: the stored seed reproduces the sample "
             "(`GET …/reproduction`). 422 for a period not ended or a code not a county's, "
             "403 `out-of-jurisdiction` for another county, 409 when the period has no "
             "decision. Emits `spot_check_drawn`.", dependencies=[Idempotent])
async def draw(session: DbSession, user: County, body: DrawIn) -> DrawOut:
    return DrawOut.model_validate(await service.draw(
        session, user=user, county=body.county, period_from=body.period_from,
        period_to=body.period_to, share_percent=body.share_percent, seed=body.seed))


@router.get("/draws", response_model=list[DrawOut], responses=PAGED,
            summary="The county's recorded draws", description="The latest first.")
async def list_draws(session: DbSession, user: Reader, page: Paging) -> list[DrawOut]:
    rows = await service.list_draws(session, user=user, window=page.window(service.DRAWS))
    return [DrawOut.model_validate(r) for r in page.finish(rows, service.DRAWS)]


@router.get("/draws/{draw_id}", response_model=DrawOut, summary="One recorded draw",
            description="Its period, seed, share and counts per township. 404 if there is "
            "none or outside your divisions.")
async def get_draw(session: DbSession, user: Reader, draw_id: RecordId) -> DrawOut:
    return DrawOut.model_validate(await service.get_draw(session, user=user, draw_id=draw_id))


@router.get("/draws/{draw_id}/reproduction", response_model=ReproductionOut,
            summary="Draw again from the stored seed (R-OV-1)",
            description="Runs the draw again with its seed, share and period over the register "
            "of decisions: `reproduced` if it gives the recorded sample; "
            "`population_unchanged` if no decision of the period arrived since.")
async def reproduce(session: DbSession, user: Reader, draw_id: RecordId) -> ReproductionOut:
    return ReproductionOut.model_validate(
        await service.reproduce(session, user=user, draw_id=draw_id))


@router.get("/checks", response_model=list[CheckOut], responses=PAGED,
            summary="Sampled decisions and their checks",
            description="Inside your divisions; `status=pending` is the work list.")
async def list_checks(
    session: DbSession, user: Reader, page: Paging, draw_id: RecordId | None = None,
    status: CheckStatus | None = None, township: DivisionCode | None = None,
) -> list[CheckOut]:
    rows = await service.list_checks(session, user=user, draw_id=draw_id, status=status,
                                     township=township, window=page.window(service.CHECKS))
    return [CheckOut.model_validate(r) for r in page.finish(rows, service.CHECKS)]


@router.get("/checks/{check_id}", response_model=CheckOut, summary="One spot check",
            description="404 if there is none or outside your divisions.")
async def get_check(session: DbSession, user: Reader, check_id: RecordId) -> CheckOut:
    return CheckOut.model_validate(await service.get_check(session, user=user,
                                                           check_id=check_id))


@router.post("/checks/{check_id}/result", response_model=CheckOut,
             summary="Record a spot check's result (R-OV-1)",
             description="File review or home visit, and the finding; a finding that needs "
             "correcting names the correction deadline and the responsible person and goes "
             "on the rectification ledger (R-OV-3, `rectification_item_id`). Recorded once "
             "(409 `spot-check-recorded`). Emits `spot_check_recorded`.",
             dependencies=[Idempotent])
async def record_result(session: DbSession, user: County, check_id: RecordId,
                        body: ResultIn) -> CheckOut:
    return CheckOut.model_validate(await service.record_result(
        session, user=user, check_id=check_id, method=body.method, finding=body.finding,
        needs_correction=body.needs_correction, correction_due_on=body.correction_due_on,
        responsible=body.responsible))
