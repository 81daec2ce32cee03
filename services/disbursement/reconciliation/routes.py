"""Reconciliation endpoints (三方对账, R-DI-7): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile

from services.disbursement.reconciliation import service
from services.disbursement.reconciliation.models import DifferenceKind, Reconciliation, Side
from services.disbursement.reconciliation.schemas import (
    DifferenceOut,
    ReconciliationDetail,
    ReconciliationOut,
    SignoffIn,
    SignoffOut,
)
from shared.auth import Role, User, allow
from shared.body_limit import UPLOAD, body_limit
from shared.digests import account_digester
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.problems import PROBLEM_JSON
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(prefix="/reconciliations", tags=["reconciliations"])

Handler = Annotated[User, Depends(allow(Role.finance_officer, Role.caseworker))]
"""经办人: who starts a reconciliation and signs it first."""
Signer = Annotated[User, Depends(allow(Role.finance_officer, Role.caseworker,
                                       Role.township_leader, Role.county_officer))]
Reader = Annotated[User, Depends(allow(Role.finance_officer, Role.caseworker,
                                       Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Month = Annotated[str, Form(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


async def _detail(session: DbSession, record: Reconciliation) -> ReconciliationDetail:
    counts, signoffs = await service.summary_of(session, record)
    waiting = service.next_step(record.status)
    return ReconciliationDetail(
        **ReconciliationOut.model_validate(record).model_dump(), counts=counts,
        signoffs=[SignoffOut.model_validate(s) for s in signoffs],
        waiting_for=waiting[0].value if waiting else None)


@router.post("", response_model=ReconciliationDetail, status_code=201,
             openapi_extra=body_limit(UPLOAD),
             summary="Reconcile a township's month three ways (R-DI-7)",
             description="multipart/form-data: `division` (the township, 9 digits), `month`, "
             "`finance` (the allocation details: title `finance_allocation, <division>, "
             "<month>`, columns `reference, account, amount_yuan`) and `bank` (the payment "
             "details: title `bank_statement, <division>, <month>`, columns `reference, "
             "account, amount_yuan, date`), each CSV or XLSX ending with `total, <lines>, "
             "<yuan>`. Both are staged (accounts as keyed digests only) beside the system's "
             "payments of the month and compared person by person by the reference (the "
             "payment id): each difference is kept by file and kind — missing, extra, "
             "amount_differs, account_differs, paid_twice. A file with any fault is refused "
             "whole, 422 `file-refused` naming the `file` and listing its lines. Emits "
             "`reconciliation_compared`; the handler, the township leader and the county "
             "officer then sign it off in order.",
             responses={422: _problem("A file is refused whole (`file`, `faults`)")},
             dependencies=[Idempotent])
async def reconcile(
    session: DbSession, kit: Kit, user: Handler, response: Response,
    division: Annotated[DivisionCode, Form(examples=["230722100"])], month: Month,
    finance: Annotated[UploadFile, File(description="finance's allocation details")],
    bank: Annotated[UploadFile, File(description="the bank's payment details")],
) -> ReconciliationDetail:
    record = await service.reconcile(
        session, user=user, division=division, month=month, finance=finance.file,
        bank=bank.file, digest=account_digester(kit.sealer.keyring))
    response.headers["Location"] = f"/api/v1/reconciliations/{record.id}"
    return await _detail(session, record)


@router.get("", response_model=list[ReconciliationOut], responses=PAGED,
            summary="Reconciliations of your divisions",
            description="The newest first; `month` narrows them.")
async def list_reconciliations(
    session: DbSession, user: Reader, page: Paging,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
) -> list[ReconciliationOut]:
    rows = await service.list_reconciliations(session, user=user, month=month,
                                              window=page.window(service.RECONCILIATIONS))
    return [ReconciliationOut.model_validate(r)
            for r in page.finish(rows, service.RECONCILIATIONS)]


@router.get("/{reconciliation_id}", response_model=ReconciliationDetail,
            summary="A reconciliation's summary and sign-offs",
            description="Rows and totals of the system and both files, the differences "
            "counted by file and kind, the sign-offs so far and the one it waits for. 404 if "
            "none, or outside your divisions.")
async def get_reconciliation(session: DbSession, user: Reader, reconciliation_id: RecordId
                             ) -> ReconciliationDetail:
    record = await service.get_reconciliation(session, user=user,
                                              reconciliation_id=reconciliation_id)
    return await _detail(session, record)


@router.get("/{reconciliation_id}/differences", response_model=list[DifferenceOut],
            responses=PAGED, summary="The differences, one by one (masked)",
            description="In the order they were found; `side` and `kind` narrow them. The "
            "account is the system's, masked.")
async def list_differences(
    session: DbSession, user: Reader, page: Paging, reconciliation_id: RecordId,
    side: Side | None = None, kind: DifferenceKind | None = None,
) -> list[DifferenceOut]:
    rows = await service.list_differences(session, user=user,
                                          reconciliation_id=reconciliation_id, side=side,
                                          kind=kind, window=page.window(service.DIFFERENCES))
    return [DifferenceOut.model_validate(r) for r in page.finish(rows, service.DIFFERENCES)]


@router.post("/{reconciliation_id}/signoffs", response_model=ReconciliationDetail,
             status_code=201, summary="Sign the reconciliation off at the next level (R-DI-7)",
             description="In order: the handler (finance_officer or caseworker), then the "
             "township leader, then the county officer; 409 `signoff-out-of-order` for a "
             "role whose turn it is not (or when all have signed), 403 `four-eyes` for "
             "someone who signed it already. Emits `reconciliation_signed`.",
             responses={409: _problem("Not this role's turn")}, dependencies=[Idempotent])
async def sign_off(session: DbSession, user: Signer, reconciliation_id: RecordId,
                   body: SignoffIn) -> ReconciliationDetail:
    record = await service.sign_off(session, user=user, reconciliation_id=reconciliation_id,
                                    note=body.note)
    return await _detail(session, record)
