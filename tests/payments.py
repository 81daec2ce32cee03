"""Factories of disbursement's accounts and payments, and the files finance and the bank send
back, for the payment file and reconciliation tests (and the access matrix)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from services.disbursement.accounts.models import AccountStatus, BankAccount
from services.disbursement.bank_files import formats
from services.disbursement.bank_files.numbers import seal_number
from services.disbursement.payments.models import Payment, PaymentStatus
from shared.context import new_id
from shared.digests import account_digest
from shared.masking import mask_bank_account

TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
MADE_AT = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)


def account_number(n: int) -> str:
    """A 19-digit card number of the test bank."""
    return f"6217{n:015d}"


def account_row(kit: Any, *, holder: str, number: str, division: str = VILLAGE,
                status: AccountStatus = AccountStatus.active) -> BankAccount:
    """A card of the one-card register, sealed and digested as the register keeps it."""
    account_id = new_id()
    return BankAccount(
        id=account_id, holder_digest=holder, holder_name_masked="张*", division=division,
        bank_name="农村信用社", account_sealed=seal_number(kit.sealer, account_id, number),
        account_masked=mask_bank_account(number),
        account_digest=account_digest(kit.sealer.keyring, number), status=status,
        registered_by="county_officer-1", created_at=MADE_AT)


async def add_account(kit: Any, *, holder: str, number: str, division: str = VILLAGE,
                      status: AccountStatus = AccountStatus.active) -> str:
    """A card in the one-card register (:func:`account_row`), committed; its id."""
    account = account_row(kit, holder=holder, number=number, division=division, status=status)
    async with kit.unit_of_work() as session:
        session.add(account)
    return account.id


async def add_payment(kit: Any, *, account_id: str | None, holder: str, amount_fen: int,
                      month: str = "2026-12", division: str = VILLAGE, kind: str = "monthly",
                      status: PaymentStatus = PaymentStatus.ready, program: str = "dibao",
                      account_masked: str | None = None, attempts: int = 0) -> str:
    """A payment of the roster (as D1's roster makes them); ``attempts``: times sent."""
    payment_id = new_id()
    async with kit.unit_of_work() as session:
        session.add(Payment(
            id=payment_id, month=month, kind=kind, payee_id=new_id(), beneficiary_id=new_id(),
            program=program, division=division, unit="household", name_masked="张*",
            amount_fen=amount_fen, arrears_fen=0, holder_digest=holder, account_id=account_id,
            account_masked=account_masked or "***************0001", status=status,
            hold_reason=None if status != PaymentStatus.held else "no account",
            failure_reason=None, attempts=attempts, file_id=None, source="treasury", paid_at=None,
            created_at=MADE_AT, updated_at=MADE_AT))
    return payment_id


async def payment(kit: Any, payment_id: str) -> Payment:
    async with kit.unit_of_work() as session:
        found = await session.get(Payment, payment_id)
        assert found is not None
        session.expunge(found)
        return found


async def refresh(kit: Any, holder: str) -> int:
    """The register's change told to the holder's unpaid payments (``refresh_holds``)."""
    from services.disbursement.payments.service import refresh_holds

    async with kit.unit_of_work() as session:
        return await refresh_holds(session, holder_digest=holder)


async def close_account(kit: Any, account_id: str) -> None:
    async with kit.unit_of_work() as session:
        await session.execute(update(BankAccount).where(BankAccount.id == account_id)
                              .values(status=AccountStatus.closed, closed_at=MADE_AT))


async def statuses(kit: Any, ids: list[str]) -> dict[str, str]:
    async with kit.unit_of_work() as session:
        rows = (await session.execute(select(Payment.id, Payment.status)
                                      .where(Payment.id.in_(ids)))).all()
    return {r.id: r.status for r in rows}


def result_file(file_id: str, lines: list[list[str]], *, fmt: formats.FileFormat = "csv",
                title: list[str] | None = None) -> bytes:
    """A bank result file: lines of reference, account, amount_yuan, result, reason."""
    out = io.BytesIO()
    formats.write_rows(formats.simple_rows("bank_result", title or [file_id],
                                           formats.RESULT_COLUMNS, lines, 2),
                       out, fmt, made_at=MADE_AT)
    return out.getvalue()


def detail_file(kind: str, division: str, month: str, lines: list[list[str]], *,
                fmt: formats.FileFormat = "csv") -> bytes:
    """Finance's allocation details (reference, account, amount_yuan) or the bank's
    statement (… and date)."""
    columns = formats.ALLOCATION_COLUMNS if kind == "finance_allocation" \
        else formats.STATEMENT_COLUMNS
    out = io.BytesIO()
    formats.write_rows(formats.simple_rows(kind, [division, month], columns, lines, 2), out,
                       fmt, made_at=MADE_AT)
    return out.getvalue()
