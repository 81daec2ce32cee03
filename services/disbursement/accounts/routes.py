"""One-card register endpoints (一卡通, R-DI-4): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.disbursement.accounts import service
from services.disbursement.accounts.models import AccountStatus
from services.disbursement.accounts.schemas import (
    AccountFullOut,
    AccountIn,
    AccountOut,
    ClosureIn,
    FullReadIn,
    HolderSearch,
    ReplacementIn,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(prefix="/bank-accounts", tags=["bank accounts"])

Registrar = Annotated[User, Depends(allow(Role.finance_officer, Role.county_officer))]
Reader = Annotated[User, Depends(allow(Role.finance_officer, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Finance = Annotated[User, Depends(allow(Role.finance_officer))]


@router.post("", status_code=201, response_model=AccountOut,
             summary="Register a person's social-security card account (R-DI-4)",
             description="Finance or the county registers the card account benefits are paid "
             "to: a household's to the head's card, a personal benefit to the person's own. "
             "The ID number is kept only as a keyed digest, the account number sealed at rest "
             "and shown masked; `bank_account_registered` carries it sealed. Payments held for "
             "want of an account are released at once. 409 when the person already has an "
             "active account (replace it) or the number is another active account's. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def register_account(session: DbSession, user: Registrar, kit: Kit, body: AccountIn,
                           response: Response) -> AccountOut:
    account = await service.register(session, user=user, county=kit.county, body=body)
    response.headers["Location"] = f"/api/v1/bank-accounts/{account.id}"
    return AccountOut.of(account)


@router.get("", response_model=list[AccountOut], responses=PAGED,
            summary="Card accounts in your jurisdiction, masked",
            description="The latest first, filtered by status and division (and below). "
            "Account numbers masked (R-SE-2); paged by cursor.")
async def list_accounts(session: DbSession, user: Reader, page: Paging,
                        status: AccountStatus | None = None,
                        division: DivisionCode | None = None) -> list[AccountOut]:
    rows = await service.list_accounts(session, user=user, status=status, division=division,
                                       window=page.window(service.ACCOUNTS))
    return [AccountOut.of(a) for a in page.finish(rows, service.ACCOUNTS)]


@router.post("/search", response_model=list[AccountOut], responses=PAGED,
             summary="A person's card accounts, by their ID number (R-DI-4)",
             description="Active and closed, the latest first, inside your divisions. The ID "
             "number goes in the body (never a URL) and is matched by its keyed digest; "
             "account numbers masked. Changes nothing.")
async def search_accounts(session: DbSession, user: Reader, page: Paging, body: HolderSearch
                          ) -> list[AccountOut]:
    rows = await service.list_accounts(session, user=user,
                                       holder_digest=service.holder_digest_of(session,
                                                                              body.id_number),
                                       window=page.window(service.ACCOUNTS))
    return [AccountOut.of(a) for a in page.finish(rows, service.ACCOUNTS)]


@router.get("/{account_id}", response_model=AccountOut, summary="One card account, masked",
            description="404 if there is none or if it lies outside your divisions.")
async def get_account(session: DbSession, user: Reader, account_id: RecordId) -> AccountOut:
    return AccountOut.of(await service.get(session, user=user, account_id=account_id))


@router.post("/{account_id}/full", response_model=AccountFullOut,
             summary="The account number in full, for finance (R-SE-2)",
             description="For the finance officer who states the purpose. The read is recorded "
             "as `bank_account_read_in_full` (who, which account, why; never the number) in "
             "the same transaction as the answer, so the number never leaves unrecorded.")
async def read_account_in_full(session: DbSession, user: Finance, account_id: RecordId,
                               body: FullReadIn) -> AccountFullOut:
    account, number = await service.read_in_full(session, user=user, account_id=account_id,
                                                 purpose=body.purpose)
    return AccountFullOut(**AccountOut.of(account).model_dump(), account_number=number)


@router.post("/{account_id}/closure", response_model=AccountOut,
             summary="Close an account, with the reason (R-DI-4)",
             description="销户: payments to it not yet sent are held with the reason until "
             "another account is registered. 409 when it is closed already.",
             dependencies=[Idempotent])
async def close_account(session: DbSession, user: Registrar, account_id: RecordId,
                        body: ClosureIn) -> AccountOut:
    return AccountOut.of(await service.close(session, user=user, account_id=account_id,
                                             reason=body.reason))


@router.post("/{account_id}/replacement", status_code=201, response_model=AccountOut,
             summary="Replace an account: closed and the new one registered (R-DI-4)",
             description="换卡: the account is closed with the reason and the new one "
             "registered for the same holder in one step; unpaid payments move onto it. "
             "Answers the new account. 409 when it is closed already or the new number is "
             "another active account's.", dependencies=[Idempotent])
async def replace_account(session: DbSession, user: Registrar, account_id: RecordId,
                          body: ReplacementIn, response: Response) -> AccountOut:
    account = await service.replace(session, user=user, account_id=account_id, body=body)
    response.headers["Location"] = f"/api/v1/bank-accounts/{account.id}"
    return AccountOut.of(account)
