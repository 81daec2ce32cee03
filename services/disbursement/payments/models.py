"""Payments (发放): one per beneficiary, program and month, whatever is retried (R-DI-6).

The roster (发放名册) of month P is the monthly payments of P; temporary aid is one payment of
the month it was granted, made as soon as it is granted (R-DI-3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class PaymentStatus(StrEnum):
    held = "held"  # not payable: ``hold_reason`` says why (no account, closed account, failed
    # twice at the bank: held for manual handling, never sent again, R-DI-6)
    ready = "ready"  # payable, waiting for a payment file (or the township's reserve)
    sent = "sent"  # in a payment file handed to the bank
    paid = "paid"  # the bank (or the reserve) paid it
    failed = "failed"  # the bank could not, once: ``failure_reason``; paid again once when
    # corrected; failing the second time it is held


PAYMENT_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.held: frozenset({PaymentStatus.ready}),
    PaymentStatus.ready: frozenset({PaymentStatus.held, PaymentStatus.sent, PaymentStatus.paid}),
    PaymentStatus.sent: frozenset({PaymentStatus.paid, PaymentStatus.failed, PaymentStatus.held}),
    PaymentStatus.failed: frozenset({PaymentStatus.ready, PaymentStatus.held}),
    PaymentStatus.paid: frozenset(),
}
"""How a payment may move; a failed one goes back to ready once (``attempts`` ≤ 2, R-DI-6); one
failing the second time is held for manual handling and never leaves held by itself."""

MAX_ATTEMPTS = 2
"""A payment goes to the bank at most twice: once, and once again after a correction (R-DI-6)."""


class PaymentKind(StrEnum):
    monthly = "monthly"  # dibao, tekun: the roster of the month (R-DI-3)
    once = "once"  # temporary aid: paid as soon as granted (R-DI-3)


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "program", "month",
                         name="uq_payment_beneficiary_program_month"),  # R-DI-6
        Index("ix_payment_month_division", "month", "division"),
        Index("ix_payment_created_at_id", "created_at", "id"),  # the list's order
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the payment month P
    kind: Mapped[str] = mapped_column(String(10))
    payee_id: Mapped[str] = mapped_column(String(32), index=True)
    beneficiary_id: Mapped[str] = mapped_column(String(32))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(10))
    name_masked: Mapped[str] = mapped_column(String(60))
    amount_fen: Mapped[int]  # what is paid: the month's amount and any arrears
    arrears_fen: Mapped[int]  # of it, corrections of frozen months (补发), 0 when none
    holder_digest: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(32))  # the bank_account paid to
    account_masked: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), index=True)
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int]  # times sent to the bank (≤ MAX_ATTEMPTS)
    file_id: Mapped[str | None] = mapped_column(String(32))  # the last payment file it went in
    source: Mapped[str] = mapped_column(String(10))  # treasury | reserve (R-DI-9)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
