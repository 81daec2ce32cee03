"""Payment endpoints: read only, payments come from rosters and grants (R-DI-3, R-DI-6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.disbursement.payments import service
from services.disbursement.payments.models import PaymentKind, PaymentStatus
from services.disbursement.payments.schemas import PaymentOut
from shared.auth import Role, User, allow
from shared.contracts.fields import Month
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession

router = APIRouter(prefix="/payments", tags=["payments"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer, Role.finance_officer,
                                       Role.city_officer, Role.auditor))]


@router.get("", response_model=list[PaymentOut], responses=PAGED,
            summary="Payments in your divisions",
            description="Payments of the rosters (monthly) and of temporary aid (once), the "
            "oldest first, by month, status, kind, division or payee: amount, arrears, the "
            "masked card account, and why one is held or failed. Only inside your divisions "
            "(R-SE-1); account numbers masked.")
async def list_payments(
    session: DbSession, user: Reader, page: Paging, month: Month | None = None,
    status: PaymentStatus | None = None, kind: PaymentKind | None = None,
    division: DivisionCode | None = None, payee_id: RecordId | None = None,
) -> list[PaymentOut]:
    rows = await service.list_payments(session, user=user, month=month, status=status,
                                       kind=kind, division=division, payee_id=payee_id,
                                       window=page.window(service.PAYMENTS))
    return [PaymentOut.model_validate(r) for r in page.finish(rows, service.PAYMENTS)]


@router.get("/{payment_id}", response_model=PaymentOut, summary="One payment",
            description="One payment with its status, masked account and reasons. 404 if "
            "there is none or it lies outside your divisions.")
async def get_payment(session: DbSession, user: Reader, payment_id: RecordId) -> PaymentOut:
    return PaymentOut.model_validate(await service.get_payment(session, user=user,
                                                               payment_id=payment_id))
