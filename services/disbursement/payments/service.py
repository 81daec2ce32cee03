"""Payments (发放): the roster of a month from its frozen ledger (发放名册, R-DI-3), temporary
aid paid as soon as it is granted, at most one payment per beneficiary, program and month
whatever is retried or replayed (R-DI-6), each to its holder's card account or held with the
reason (R-DI-4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.disbursement.accounts.models import AccountStatus, BankAccount
from services.disbursement.beneficiaries.models import Payee
from services.disbursement.months.models import LedgerLine, MonthState, PaymentMonth, Step
from services.disbursement.months.rules import roster_due
from services.disbursement.months.service import (
    LedgerNotSubmitted,
    actor,
    get_month,
    record_step,
)
from shared.auth import User
from shared.clock import now_of
from shared.contracts.disbursement import (
    OncePaymentCreated,
    PaymentMoved,
    PaymentsRefreshed,
    RosterGenerated,
)
from shared.db import lock_key, lock_until_commit, upsert_insert, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.records import get_in_jurisdiction

from .models import MAX_ATTEMPTS, Payment, PaymentKind, PaymentStatus

PAYMENTS = Keyset("payments", Payment.created_at.asc(), Payment.id.asc())
"""The order of the list of payments and its cursors: oldest first."""

HOLDER_UNKNOWN = "holder not known yet (收款人未确定): intake has not named who is paid"
NO_ACCOUNT = "no social-security card account registered for the holder (未登记社保卡账户)"
ACCOUNT_CLOSED = "the holder's card account is closed (账户已销户): register the new one"
UNPAID = (PaymentStatus.held, PaymentStatus.ready, PaymentStatus.failed)
PAYMENT_COLUMNS = (
    "id", "month", "kind", "payee_id", "beneficiary_id", "program", "division", "unit",
    "name_masked", "amount_fen", "arrears_fen", "holder_digest", "account_id",
    "account_masked", "status", "hold_reason", "attempts", "source", "created_at",
    "updated_at")


def _new_ids(session: AsyncSession) -> ColumnElement[str]:
    """A fresh 32-hex id per row, made by the database (no Python per row)."""
    if session.get_bind().dialect.name == "postgresql":
        return text("replace(gen_random_uuid()::text, '-', '')")  # type: ignore[return-value]
    return func.lower(func.hex(func.randomblob(16)))


def _hold_reason(holder: Any, account_id: Any) -> ColumnElement[str | None]:
    closed = aliased(BankAccount)
    return case(
        (holder.is_(None), HOLDER_UNKNOWN),
        (account_id.is_not(None), None),
        (exists().where(closed.holder_digest == holder,
                        closed.status == AccountStatus.closed), ACCOUNT_CLOSED),
        else_=NO_ACCOUNT)


_ACCOUNTS_STEADY = text(f"LOCK TABLE {BankAccount.__tablename__} IN SHARE MODE")


async def generate_roster(
    session: AsyncSession, *, county: str, month: str,
) -> tuple[PaymentMonth, int]:
    """生成发放名册: the payments of ``month`` from its frozen ledger, each line with money to
    pay to its payee's holder's active card account (ready) or held with the reason. Run again
    (replayed, retried, two replicas) it adds nothing: the one-payment key and ON CONFLICT DO
    NOTHING (R-DI-3, R-DI-6). Returns the month and the payments added now."""
    payment_month = await session.scalar(
        select(PaymentMonth).where(PaymentMonth.county == county, PaymentMonth.month == month)
        .with_for_update())
    if payment_month is None or payment_month.state == MonthState.draft:
        raise LedgerNotSubmitted(f"the ledger of {month} for county {county} is not submitted: "
                                 "the roster follows the frozen ledger (R-DI-2, R-DI-3)")
    if session.get_bind().dialect.name == "postgresql":
        # The one-card register as of now, and no card registered or closed until this roster
        # commits: a registration that ran beside it would refresh its holder's payments
        # before this one's were visible, leaving one held for want of a card that exists.
        # Registrations wait for the roster (once a month); SQLite has one writer anyway.
        await session.execute(_ACCOUNTS_STEADY)
    now = now_of(session)
    account = aliased(BankAccount)
    holder = Payee.holder_digest
    rows = (
        select(_new_ids(session), literal(month), literal(PaymentKind.monthly),
               LedgerLine.payee_id, LedgerLine.beneficiary_id, LedgerLine.program,
               LedgerLine.division, LedgerLine.unit, LedgerLine.name_masked,
               LedgerLine.amount_fen + LedgerLine.arrears_fen, LedgerLine.arrears_fen, holder,
               account.id, account.account_masked,
               case((account.id.is_not(None), literal(PaymentStatus.ready)),
                    else_=literal(PaymentStatus.held)),
               _hold_reason(holder, account.id), literal(0), literal("treasury"),
               literal(now), literal(now))
        .select_from(LedgerLine)
        .join(Payee, Payee.id == LedgerLine.payee_id)
        .outerjoin(account, and_(account.holder_digest == holder,
                                 account.status == AccountStatus.active))
        .where(LedgerLine.payment_month_id == payment_month.id,
               LedgerLine.amount_fen + LedgerLine.arrears_fen > 0))
    statement = (upsert_insert(session, Payment).from_select(PAYMENT_COLUMNS, rows)
                 .on_conflict_do_nothing(index_elements=["beneficiary_id", "program", "month"]))
    added = int(getattr(await session.execute(statement), "rowcount", 0) or 0)
    counts = (await session.execute(
        select(func.count(), func.count(case((Payment.status != PaymentStatus.held, 1))),
               func.count(case((Payment.status == PaymentStatus.held, 1))),
               func.coalesce(func.sum(Payment.amount_fen), 0))
        .where(Payment.month == month, Payment.kind == PaymentKind.monthly,
               Payment.division.startswith(county)))).one()
    (payment_month.payments, payment_month.payments_ready, payment_month.payments_held,
     payment_month.payments_fen) = (int(v) for v in counts)
    payment_month.state = MonthState.rostered
    payment_month.roster_at, payment_month.roster_by = now, actor()
    await record_step(session, payment_month, Step.roster_generated,
                      f"{added} payments added; {payment_month.payments} in all, "
                      f"{payment_month.payments_ready} ready or further, "
                      f"{payment_month.payments_held} held, {payment_month.payments_fen} fen",
                      now)
    await emit(session, RosterGenerated(
        payment_month_id=payment_month.id, county=county, month=month, added=added,
        payments=payment_month.payments, ready=payment_month.payments_ready,
        held=payment_month.payments_held, total_fen=payment_month.payments_fen),
        subject=payment_month.id, division=county)
    return payment_month, added


async def roster_for(session: AsyncSession, *, user: User,
                     payment_month_id: str) -> tuple[PaymentMonth, int]:
    """The roster generated by an officer (R-DI-3)."""
    payment_month = await get_month(session, user=user, payment_month_id=payment_month_id,
                                    whole_county=True)
    return await generate_roster(session, county=payment_month.county,
                                 month=payment_month.month)


async def generate_rosters(session: AsyncSession) -> str:
    """Job: the roster of every submitted month without one, as soon as its ledger is frozen,
    so it is ready before the 1st of its month (R-DI-3)."""
    due = (await session.scalars(
        select(PaymentMonth).where(PaymentMonth.state == MonthState.submitted)
        .order_by(PaymentMonth.month, PaymentMonth.county))).all()
    now, done = now_of(session), []
    for payment_month in due:
        _, added = await generate_roster(session, county=payment_month.county,
                                         month=payment_month.month)
        late = " (late)" if now >= roster_due(payment_month.month) else ""
        done.append(f"{payment_month.county} {payment_month.month}: {added} payments{late}")
    return f"{len(done)} rosters generated ({'; '.join(done) or 'none due'})"


async def lock_holder(session: AsyncSession, holder: str | None) -> None:
    """Serialise what decides a holder's payments until this transaction ends: a payment made
    (``pay_once``) reads the holder's accounts after a registration that ran beside it has
    committed, or that registration's ``refresh_holds`` sees the payment; without it each
    could miss the other and leave a payment held for want of an account that exists.

    SQLite needs nothing: every transaction takes the write lock (BEGIN IMMEDIATE)."""
    if holder is not None:
        await lock_until_commit(session, lock_key(f"assist-disbursement-holder:{holder}"))


async def _active_account(session: AsyncSession, holder: str | None) -> BankAccount | None:
    if holder is None:
        return None
    return await session.scalar(select(BankAccount).where(
        BankAccount.holder_digest == holder, BankAccount.status == AccountStatus.active))


async def _reason_without_account(session: AsyncSession, holder: str | None) -> str:
    if holder is None:
        return HOLDER_UNKNOWN
    closed = await session.scalar(select(BankAccount.id).where(
        BankAccount.holder_digest == holder, BankAccount.status == AccountStatus.closed)
        .limit(1))
    return ACCOUNT_CLOSED if closed is not None else NO_ACCOUNT


async def pay_once(session: AsyncSession, payee: Payee) -> Payment | None:
    """临时救助: temporary aid's one payment, made as soon as it is granted (R-DI-3): ready to
    the holder's card account, or held with the reason; once only (R-DI-6)."""
    now = now_of(session)
    await lock_holder(session, payee.holder_digest)
    account = await _active_account(session, payee.holder_digest)
    reason = None if account else await _reason_without_account(session, payee.holder_digest)
    values = {
        "id": payee.id, "month": payee.start_month, "kind": PaymentKind.once,
        "payee_id": payee.id, "beneficiary_id": payee.beneficiary_id, "program": payee.program,
        "division": payee.division, "unit": payee.unit, "name_masked": payee.name_masked,
        "amount_fen": payee.amount_fen, "arrears_fen": 0, "holder_digest": payee.holder_digest,
        "account_id": account.id if account else None,
        "account_masked": account.account_masked if account else None,
        "status": PaymentStatus.ready if account else PaymentStatus.held,
        "hold_reason": reason, "attempts": 0, "source": "treasury", "created_at": now,
        "updated_at": now}
    statement = upsert_insert(session, Payment).values(**values).on_conflict_do_nothing(
        index_elements=["beneficiary_id", "program", "month"])
    if not getattr(await session.execute(statement), "rowcount", 0):
        return None  # paid already: a replay adds nothing (R-DI-6)
    payment = await session.get(Payment, payee.id)
    assert payment is not None
    await emit(session, OncePaymentCreated(
        payment_id=payment.id, beneficiary_id=payment.beneficiary_id, program=payment.program,
        division=payment.division, month=payment.month, amount_fen=payment.amount_fen,
        status=payment.status, hold_reason=payment.hold_reason,
        account_masked=payment.account_masked), subject=payment.id, division=payment.division)
    return payment


@dataclass(frozen=True)
class Reassessed:
    """Where an unpaid payment goes when its holder's accounts change."""

    status: PaymentStatus
    account: BankAccount | None
    hold_reason: str | None


def reassess(payment: Payment, account: BankAccount | None, reason: str) -> Reassessed | None:
    """R-DI-4, R-DI-6: held → ready when the holder has an active account (with it); ready →
    held when its account is no longer the active one and there is none (``reason``), or onto
    the new active one; failed → ready once, when an account other than the one it failed on is
    active and it has been sent fewer than MAX_ATTEMPTS times. A payment sent MAX_ATTEMPTS
    times and not paid (held for manual handling after its second failure) never moves: no
    correction sends it a third time. None when nothing changes."""
    status = PaymentStatus(payment.status)
    if status != PaymentStatus.ready and payment.attempts >= MAX_ATTEMPTS:
        return None
    if status == PaymentStatus.failed:
        if (account is not None and account.id != payment.account_id
                and payment.attempts < MAX_ATTEMPTS):
            return Reassessed(PaymentStatus.ready, account, None)
        return None
    if account is None:
        if status == PaymentStatus.held and payment.hold_reason == reason:
            return None
        return Reassessed(PaymentStatus.held, None, reason)
    if status == PaymentStatus.ready and payment.account_id == account.id:
        return None
    return Reassessed(PaymentStatus.ready, account, None)


async def refresh_holds(session: AsyncSession, *, holder_digest: str) -> int:
    """Re-evaluate every unpaid payment of one holder after their card account was registered
    or closed (R-DI-4): see :func:`reassess`. Returns how many moved; one event for them."""
    await lock_holder(session, holder_digest)
    payments = (await session.scalars(
        select(Payment).where(
            Payment.status.in_(UNPAID),
            or_(Payment.holder_digest == holder_digest,
                Payment.payee_id.in_(select(Payee.id).where(
                    Payee.holder_digest == holder_digest))))
        .order_by(Payment.id).with_for_update())).all()
    account = await _active_account(session, holder_digest)
    reason = await _reason_without_account(session, holder_digest) if account is None else ""
    now = now_of(session)
    moved = []
    for payment in payments:
        outcome = reassess(payment, account, reason)
        if outcome is None:
            continue
        payment.status, payment.hold_reason = outcome.status, outcome.hold_reason
        payment.account_id = outcome.account.id if outcome.account else None
        payment.account_masked = outcome.account.account_masked if outcome.account else None
        payment.holder_digest, payment.updated_at = holder_digest, now
        moved.append(PaymentMoved(payment_id=payment.id, status=outcome.status,
                                  account_masked=payment.account_masked,
                                  hold_reason=payment.hold_reason))
    if moved:
        await session.flush()
        first = next(p for p in payments if p.id == moved[0].payment_id)
        await emit(session, PaymentsRefreshed(payments=moved), subject=first.id,
                   division=first.division)
    return len(moved)


async def list_payments(
    session: AsyncSession, *, user: User, month: str | None = None,
    status: PaymentStatus | None = None, kind: PaymentKind | None = None,
    division: str | None = None, payee_id: str | None = None, window: Window | None = None,
) -> Sequence[Payment]:
    """Payments inside the user's divisions, oldest first (:data:`PAYMENTS`)."""
    query = select(Payment).where(user.jurisdiction(Payment.division))
    query = where_given(query, (Payment.month, month), (Payment.status, status),
                        (Payment.kind, kind), (Payment.payee_id, payee_id))
    if division is not None:
        query = query.where(Payment.division.startswith(division))
    query = (window or Window(PAYMENTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_payment(session: AsyncSession, *, user: User, payment_id: str) -> Payment:
    """One payment inside the user's divisions; 404 otherwise (R-SE-1)."""
    return await get_in_jurisdiction(session, Payment, payment_id, user=user,
                                     missing=f"no payment {payment_id}")
