"""Roll endpoints (保障对象名册): thin, the rules are in service.py. ``router`` gathers the
roll's routers: re-checks, adjustments, tekun care and the low-income register first, so their
fixed paths come before ``/roll/{beneficiary_id}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends

from services.approval.adjustments.routes import router as adjustments_router
from services.approval.low_income.routes import router as low_income_router
from services.approval.rechecks.routes import router as rechecks_router
from services.approval.roll import service
from services.approval.roll.models import Beneficiary, RollStatus
from services.approval.roll.schemas import (
    BeneficiaryDetail,
    BeneficiaryOut,
    CoveredMemberOut,
    RollChangeOut,
)
from services.approval.tekun.routes import router as tekun_router
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Today

roll_router = APIRouter(prefix="/roll", tags=["roll"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


def beneficiary_out(beneficiary: Beneficiary, today: date) -> BeneficiaryOut:
    out = BeneficiaryOut.model_validate(beneficiary)
    overdue = beneficiary.status != RollStatus.stopped and beneficiary.next_recheck_due < today
    return out.model_copy(update={"recheck_overdue": overdue})


@roll_router.get("", response_model=list[BeneficiaryOut], summary="The roll of beneficiaries",
            responses=PAGED,
            description="Beneficiaries on the roll inside your divisions (R-SE-1), oldest first, "
            "filtered by program, status (active, gradual_exit, stopped), division (and below) "
            "or application; names masked (R-SE-2).")
async def list_roll(
    session: DbSession, user: Reader, page: Paging, today: Today, program: Program | None = None,
    status: RollStatus | None = None, division: DivisionCode | None = None,
    application_id: RecordId | None = None,
) -> list[BeneficiaryOut]:
    rows = await service.list_roll(session, user=user, program=program, status=status,
                                   division=division, application_id=application_id,
                                   window=page.window(service.ROLL))
    return [beneficiary_out(r, today) for r in page.finish(rows, service.ROLL)]


@roll_router.get("/{beneficiary_id}", response_model=BeneficiaryDetail,
            summary="One beneficiary with its history",
            description="One beneficiary, the members covered (masked) and every change to it, "
            "oldest first: approval, adjustments (R-DY-3), gradual exit (R-BE-6), stop, "
            "re-checks (R-DY-2), care agreements (R-BE-7). 404 if there is none or outside "
            "your divisions.")
async def get_beneficiary(
    session: DbSession, user: Reader, today: Today, beneficiary_id: RecordId
) -> BeneficiaryDetail:
    beneficiary = await service.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id)
    members, history = await service.members_and_history(session, beneficiary)
    return BeneficiaryDetail(
        **beneficiary_out(beneficiary, today).model_dump(),
        members=[CoveredMemberOut.model_validate(m) for m in members],
        history=[RollChangeOut.model_validate(c) for c in history])


router = APIRouter()
for part in (rechecks_router, adjustments_router, tekun_router, low_income_router, roll_router):
    router.include_router(part)
