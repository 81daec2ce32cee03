"""Payment month endpoints (发放月): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from services.disbursement.months import service
from services.disbursement.months.export import ledger_csv
from services.disbursement.months.models import MonthState
from services.disbursement.months.schemas import (
    CorrectionOut,
    County,
    LedgerLineOut,
    PaymentMonthDetail,
    PaymentMonthIn,
    PaymentMonthOut,
    StepOut,
)
from services.disbursement.payments import service as payments
from shared.auth import Role, User, allow
from shared.contracts.fields import Month
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(prefix="/payment-months", tags=["payment months"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer, Role.finance_officer,
                                       Role.city_officer, Role.auditor))]
"""A county's months (state, totals, history) are read inside the county; its lines by
division."""
CountyReader = Annotated[User, Depends(allow(Role.county_officer, Role.finance_officer,
                                             Role.city_officer, Role.auditor))]
Officer = Annotated[User, Depends(allow(Role.county_officer, Role.finance_officer))]
CSV = "text/csv"


async def _detail(session: DbSession, payment_month: object) -> PaymentMonthDetail:
    out = PaymentMonthOut.model_validate(payment_month)
    steps = await service.steps_of(session, out.id)
    return PaymentMonthDetail(**out.model_dump(),
                              history=[StepOut.model_validate(s) for s in steps])


@router.get("", response_model=list[PaymentMonthOut], responses=PAGED,
            summary="Payment months of your counties",
            description="The payment months of your county (of the county your township is "
            "in), the latest first, with the ledger's "
            "state (draft → submitted, frozen → rostered), its cut-off (00:00 Asia/Shanghai on "
            "the 24th of the month before, R-DI-2), counts and totals of the ledger and the "
            "roster. Filtered by county, month and state; only inside your divisions (R-SE-1).")
async def list_months(session: DbSession, user: Reader, page: Paging,
                      county: County | None = None, month: Month | None = None,
                      state: MonthState | None = None) -> list[PaymentMonthOut]:
    rows = await service.list_months(session, user=user, county=county, month=month,
                                     state=state, window=page.window(service.MONTHS))
    return [PaymentMonthOut.model_validate(r) for r in page.finish(rows, service.MONTHS)]


@router.post("", response_model=PaymentMonthDetail, status_code=201,
             summary="Generate the ledger of a county's month (R-DI-1, R-DI-2)",
             description="生成台账: the ledger of month P from the payment basis alone (R-DI-1): "
             "the monthly payees paid in P at the amount in force for P, plus the corrections "
             "of frozen months (补发 arrears paid with P, 追缴 overpayments listed). Generated "
             "again while still a draft. 409 `ledger-frozen` after the cut-off or once "
             "submitted (naming the cut-off), `ledger-out-of-order` while an earlier month of "
             "the county is a draft or a later one exists; 403 outside your county. Emits "
             "`ledger_generated`.", dependencies=[Idempotent])
async def generate(session: DbSession, user: Officer, body: PaymentMonthIn
                   ) -> PaymentMonthDetail:
    user.require_access(body.county)
    payment_month = await service.generate_ledger(session, county=body.county, month=body.month)
    return await _detail(session, payment_month)


@router.get("/{payment_month_id}", response_model=PaymentMonthDetail,
            summary="One payment month and its history",
            description="The month's state, cut-off, ledger and roster counts and totals, and "
            "its history: who generated, regenerated, reviewed, submitted it, when the clock "
            "froze it, when the roster was generated. 404 if none or outside your divisions.")
async def get_month(session: DbSession, user: Reader, payment_month_id: RecordId
                    ) -> PaymentMonthDetail:
    return await _detail(session, await service.get_month(
        session, user=user, payment_month_id=payment_month_id))


@router.post("/{payment_month_id}/regenerate", response_model=PaymentMonthDetail,
             summary="Generate the draft ledger again (R-DI-2)",
             description="The draft ledger generated again from the payment basis as it is "
             "now; a review of the earlier draft no longer counts. 409 `ledger-frozen` once "
             "submitted or past the cut-off. Emits `ledger_generated`.",
             dependencies=[Idempotent])
async def regenerate(session: DbSession, user: Officer, payment_month_id: RecordId
                     ) -> PaymentMonthDetail:
    return await _detail(session, await service.regenerate_ledger(
        session, user=user, payment_month_id=payment_month_id))


@router.post("/{payment_month_id}/review", response_model=PaymentMonthDetail,
             summary="Record the review of the draft ledger (R-DI-2)",
             description="审核: you reviewed the draft as generated. 409 `ledger-frozen` once "
             "submitted or past the cut-off. Emits `ledger_reviewed`.",
             dependencies=[Idempotent])
async def review(session: DbSession, user: Officer, payment_month_id: RecordId
                 ) -> PaymentMonthDetail:
    return await _detail(session, await service.review_ledger(
        session, user=user, payment_month_id=payment_month_id))


@router.post("/{payment_month_id}/submit", response_model=PaymentMonthDetail,
             summary="Submit the reviewed ledger: frozen from now (R-DI-2)",
             description="报送: the reviewed draft is submitted before the cut-off and frozen; "
             "a later change of the basis lands in a later month. 409 `ledger-not-reviewed` "
             "when not reviewed since it was generated, `ledger-frozen` once submitted or past "
             "the cut-off (the clock freezes it then). Emits `ledger_submitted`.",
             dependencies=[Idempotent])
async def submit(session: DbSession, user: Officer, payment_month_id: RecordId
                 ) -> PaymentMonthDetail:
    return await _detail(session, await service.submit_ledger(
        session, user=user, payment_month_id=payment_month_id))


@router.post("/{payment_month_id}/roster", response_model=PaymentMonthDetail,
             summary="Generate the roster of the month (R-DI-3, R-DI-6)",
             description="生成发放名册: one payment per ledger line with money to pay, to the "
             "holder's active card account (ready) or held with the reason; generated again it "
             "adds nothing (one payment per beneficiary, program and month). 409 "
             "`ledger-not-submitted` while the ledger is a draft. Emits `roster_generated`.",
             dependencies=[Idempotent])
async def roster(session: DbSession, user: Officer, payment_month_id: RecordId
                 ) -> PaymentMonthDetail:
    payment_month, _ = await payments.roster_for(session, user=user,
                                                 payment_month_id=payment_month_id)
    return await _detail(session, payment_month)


@router.get("/{payment_month_id}/lines", response_model=list[LedgerLineOut], responses=PAGED,
            summary="The ledger's lines",
            description="The month's ledger lines inside your divisions, as generated: amount "
            "in force, arrears carried (补发) and what is to be recovered (追缴); names masked. "
            "A township reads its own lines. 404 if the month is none of yours.")
async def list_lines(session: DbSession, user: Reader, page: Paging,
                     payment_month_id: RecordId, division: DivisionCode | None = None
                     ) -> list[LedgerLineOut]:
    rows = await service.list_lines(session, user=user, payment_month_id=payment_month_id,
                                    division=division, window=page.window(service.LINES))
    return [LedgerLineOut.model_validate(r) for r in page.finish(rows, service.LINES)]


@router.get("/{payment_month_id}/corrections", response_model=list[CorrectionOut],
            responses=PAGED, summary="Corrections of frozen months the ledger carries",
            description="Per payee and frozen month, what the payment basis says now less what "
            "was ledgered and carried before: `kind=arrears` the positive ones, paid with this "
            "month (补发); `kind=recovery` the negative ones, overpaid and to be recovered "
            "(追缴), never netted (R-DI-2). Inside your divisions; 404 if the month is none of "
            "yours.")
async def list_corrections(session: DbSession, user: Reader, page: Paging,
                           payment_month_id: RecordId,
                           kind: Literal["arrears", "recovery"] | None = None
                           ) -> list[CorrectionOut]:
    rows = await service.list_corrections(session, user=user, payment_month_id=payment_month_id,
                                          kind=kind, window=page.window(service.CORRECTIONS))
    return [CorrectionOut.model_validate(r) for r in page.finish(rows, service.CORRECTIONS)]


@router.get("/{payment_month_id}/ledger.csv", response_class=StreamingResponse,
            responses={200: {"content": {CSV: {}}, "description": "the submitted ledger, one "
                             "line per payee (columns: docs/architecture.md, Payment months)"}},
            summary="The submitted ledger as a file for the provincial system (R-DI-2)",
            description="CSV for the provincial and statistics systems: month, county, "
            "division, beneficiary, program, unit, masked name, amount, arrears, recovery and "
            "payable in fen; no bank account. 409 `ledger-not-submitted` while a draft.")
async def export(kit: Kit, session: DbSession, user: CountyReader, payment_month_id: RecordId
                 ) -> StreamingResponse:
    payment_month = await service.get_month(session, user=user,
                                            payment_month_id=payment_month_id, whole_county=True)
    if payment_month.state == MonthState.draft:
        raise service.LedgerNotSubmitted(f"the ledger of {payment_month.month} is a draft: "
                                         "it is exported once submitted")
    name = f"ledger-{payment_month.county}-{payment_month.month}.csv"
    return StreamingResponse(ledger_csv(kit.sessions, payment_month), media_type=CSV,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
