"""Payee endpoints: read only, payees come from approval's events alone (R-DI-1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.disbursement.beneficiaries import service
from services.disbursement.beneficiaries.models import PayeeStatus
from services.disbursement.beneficiaries.schemas import PayeeChangeOut, PayeeDetail, PayeeOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession

router = APIRouter(prefix="/payees", tags=["payees"])

Reader = Annotated[User, Depends(allow(Role.finance_officer, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


@router.get("", response_model=list[PayeeOut], summary="Payees in your jurisdiction",
            responses=PAGED,
            description="The payment basis: beneficiaries with their program and monthly or "
            "one-time amount in fen, as approval's confirmed decisions set them (R-DI-1; never "
            "entered here). Oldest first, filtered by status, program, beneficiary or "
            "application; only those inside your divisions (R-SE-1).")
async def list_payees(
    session: DbSession, user: Reader, page: Paging, status: PayeeStatus | None = None,
    program: Program | None = None, beneficiary_id: RecordId | None = None,
    application_id: RecordId | None = None,
) -> list[PayeeOut]:
    rows = await service.list_payees(session, user=user, status=status, program=program,
                                     beneficiary_id=beneficiary_id,
                                     application_id=application_id,
                                     window=page.window(service.PAYEES))
    return [PayeeOut.model_validate(r) for r in page.finish(rows, service.PAYEES)]


@router.get("/{payee_id}", response_model=PayeeDetail, summary="One payee and its changes",
            description="One payee with every change (approved, adjusted, stopped) in the order "
            "it arrived. 404 if there is none or if it lies outside your divisions.")
async def get_payee(session: DbSession, user: Reader, payee_id: RecordId) -> PayeeDetail:
    payee, changes = await service.get_payee(session, user=user, payee_id=payee_id)
    return PayeeDetail(**PayeeOut.model_validate(payee).model_dump(exclude={"amount_yuan"}),
                       changes=[PayeeChangeOut.model_validate(c) for c in changes])
