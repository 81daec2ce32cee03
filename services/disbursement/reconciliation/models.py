"""Three-way reconciliation (三方对账, R-DI-7): the system's payments of a month, finance's
allocation details and the bank's payment details, compared person by person; the files are
staged with their accounts as keyed digests, never in clear."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class ReconciliationStatus(StrEnum):
    compared = "compared"  # differences listed, waiting for the handler's sign-off
    handler_signed = "handler_signed"  # 经办人 signed, waiting for the township leader
    township_signed = "township_signed"  # 乡镇 signed, waiting for the county
    county_signed = "county_signed"  # 县级 signed: done


class Side(StrEnum):
    finance = "finance"  # 财政拨付明细
    bank = "bank"  # 银行发放明细


class DifferenceKind(StrEnum):
    missing = "missing"  # in the system, not in the file
    extra = "extra"  # in the file, not in the system
    amount_differs = "amount_differs"
    account_differs = "account_differs"
    paid_twice = "paid_twice"  # the same payment more than once in the file


class Reconciliation(Base):
    """One township's reconciliation of payment month P."""

    __tablename__ = "reconciliation"
    __table_args__ = (Index("ix_reconciliation_created_at_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # the township
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(20))
    system_rows: Mapped[int]
    system_fen: Mapped[int] = mapped_column(BigInteger)
    finance_rows: Mapped[int]
    finance_fen: Mapped[int] = mapped_column(BigInteger)
    finance_sha256: Mapped[str] = mapped_column(String(64))
    bank_rows: Mapped[int]
    bank_fen: Mapped[int] = mapped_column(BigInteger)
    bank_sha256: Mapped[str] = mapped_column(String(64))
    differences: Mapped[int]
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReconciliationEntry(Base):
    """A staged line of finance's or the bank's file."""

    __tablename__ = "reconciliation_entry"
    __table_args__ = (
        # the comparison reads the three sides in this order, one reference after another
        Index("ix_reconciliation_entry_reference", "reconciliation_id", "reference", "side"),
    )

    reconciliation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    side: Mapped[str] = mapped_column(String(10), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reference: Mapped[str] = mapped_column(String(32))
    account_digest: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int]
    paid_on: Mapped[date | None] = mapped_column(Date)


class ReconciliationDifference(Base):
    """One difference, by kind, between the system and one of the files."""

    __tablename__ = "reconciliation_difference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reconciliation_id: Mapped[str] = mapped_column(String(32), index=True)
    side: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(32))
    payment_id: Mapped[str | None] = mapped_column(String(32))  # when the system knows it
    name_masked: Mapped[str | None] = mapped_column(String(60))
    account_masked: Mapped[str | None] = mapped_column(String(40))  # the system's account
    system_fen: Mapped[int | None]
    file_fen: Mapped[int | None]  # the file's amount (the sum, when paid twice)
    lines: Mapped[int | None]  # the file's lines of the reference (paid twice: how many)


class SignoffStep(StrEnum):
    handler = "handler"  # 经办人: finance_officer or caseworker
    township = "township"  # 乡镇领导
    county = "county"  # 县级


class ReconciliationSignoff(Base):
    """One sign-off, in order: handler, township leader, county officer, different people."""

    __tablename__ = "reconciliation_signoff"

    reconciliation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    step: Mapped[str] = mapped_column(String(10), primary_key=True)
    signed_by: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(String(2000))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
