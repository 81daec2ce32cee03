"""Payment months (发放月), their step history, ledger lines (台账) and the corrections of
frozen months carried into a later one (补发 / 追缴), R-DI-2."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class MonthState(StrEnum):
    draft = "draft"  # the ledger may be regenerated, reviewed and submitted
    submitted = "submitted"  # frozen: by the officer before the cut-off, or by the clock at it
    rostered = "rostered"  # the roster (发放名册) of the month is generated (R-DI-3)


class Step(StrEnum):
    """What happened to a payment month, in its history."""

    generated = "generated"
    regenerated = "regenerated"
    reviewed = "reviewed"
    submitted = "submitted"  # by an officer, before the cut-off
    frozen = "frozen"  # by the clock, at the cut-off
    roster_generated = "roster_generated"


class PaymentMonth(Base):
    """One county's payment month P: its ledger's state, cut-off, counts and totals."""

    __tablename__ = "payment_month"
    __table_args__ = (
        UniqueConstraint("county", "month", name="uq_payment_month_county"),
        Index("ix_payment_month_month_id", "month", "id"),  # the list's order
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    county: Mapped[str] = mapped_column(String(6))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the payment month P
    state: Mapped[str] = mapped_column(String(10), index=True)
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 00:00 on the 24th of P−1
    # the ledger (台账)
    lines: Mapped[int]
    # totals in BigInteger: a province's month passes 2³¹ fen
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # the month's amounts
    arrears_fen: Mapped[int] = mapped_column(BigInteger)  # corrections carried, positive (补发)
    recovery_fen: Mapped[int] = mapped_column(BigInteger)  # overpaid, to recover (追缴)
    recovery_lines: Mapped[int]
    # basis changes recorded after this may be missing from the lines (their read, less
    # ledger.SETTLE): a later month carries what they change (补发 / 追缴)
    changes_after: Mapped[datetime] = mapped_column(UTCDateTime())
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    generated_by: Mapped[str] = mapped_column(String(255))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(255))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(255))
    # the roster (发放名册)
    roster_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roster_by: Mapped[str | None] = mapped_column(String(255))
    payments: Mapped[int]
    payments_ready: Mapped[int]
    payments_held: Mapped[int]
    payments_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def division(self) -> str:
        """The county, for jurisdiction checks (R-SE-1)."""
        return self.county


class PaymentMonthStep(Base):
    """Who did what to a payment month, when (appended, never rewritten)."""

    __tablename__ = "payment_month_step"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    payment_month_id: Mapped[str] = mapped_column(ForeignKey("payment_month.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[str] = mapped_column(Text)


class LedgerLine(Base):
    """One payee's line of a month's ledger: the month's amount from the payment basis, the
    corrections of frozen months carried into it, and what is to be recovered (R-DI-2)."""

    __tablename__ = "ledger_line"
    __table_args__ = (
        UniqueConstraint("payee_id", "month", name="uq_ledger_line_payee_id"),
        Index("ix_ledger_line_payment_month_id_id", "payment_month_id", "id"),  # the list
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    payment_month_id: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))
    payee_id: Mapped[str] = mapped_column(String(32))
    beneficiary_id: Mapped[str] = mapped_column(String(32))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(10))
    name_masked: Mapped[str] = mapped_column(String(60))
    amount_fen: Mapped[int]  # the month's amount in force (0 when only corrections are carried)
    arrears_fen: Mapped[int]  # 补发: corrections of frozen months, paid with this month
    recovery_fen: Mapped[int]  # 追缴: overpaid in frozen months, listed, never netted


class LedgerCorrection(Base):
    """A frozen month's difference for one payee (what the basis says now minus what was
    ledgered and carried before), carried by a later month's ledger: positive is arrears
    (补发), negative an overpayment to recover (追缴)."""

    __tablename__ = "ledger_correction"
    __table_args__ = (
        Index("ix_ledger_correction_payee_id_for_month", "payee_id", "for_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    payment_month_id: Mapped[str] = mapped_column(String(32), index=True)  # the carrying month
    month: Mapped[str] = mapped_column(String(7))  # the carrying month P
    payee_id: Mapped[str] = mapped_column(String(32))
    for_month: Mapped[str] = mapped_column(String(7))  # the frozen month corrected
    amount_fen: Mapped[int]  # + arrears, − to recover
