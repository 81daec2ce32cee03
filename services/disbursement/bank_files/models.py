"""Payment files handed to the bank and the bank's result files (R-DI-6).

A payment file's lines are kept (which payment, to which account, how much), never the account
number itself: the file is made again from them, byte for byte, when it is downloaded again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class PaymentFileKind(StrEnum):
    monthly = "monthly"  # the roster of month P (dibao, tekun, R-DI-3)
    once = "once"  # temporary aid ready now: paid as soon as granted (R-DI-3)


class PaymentFile(Base):
    """One payment file (发放文件) for the bank: the ready payments of a county and month."""

    __tablename__ = "payment_file"
    __table_args__ = (Index("ix_payment_file_made_at_id", "made_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    county: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    month: Mapped[str] = mapped_column(String(7))  # P; for temporary aid, the month it was made
    format: Mapped[str] = mapped_column(String(4))  # csv | xlsx
    rows: Mapped[int]
    total_fen: Mapped[int] = mapped_column(BigInteger)  # a province's month passes 2³¹ fen
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    made_by: Mapped[str] = mapped_column(String(255))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered: Mapped[int]  # lines the bank has answered (paid or failed)


class PaymentFileLine(Base):
    """One line of a payment file: what was sent for one payment."""

    __tablename__ = "payment_file_line"
    __table_args__ = (
        UniqueConstraint("file_id", "payment_id", name="uq_payment_file_line_file_payment"),
        Index("ix_payment_file_line_payment_id", "payment_id"),
    )

    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payment_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(32))
    account_digest: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int]
    program: Mapped[str] = mapped_column(String(30))
    name_masked: Mapped[str] = mapped_column(String(60))
    division: Mapped[str] = mapped_column(String(12))
    result: Mapped[str | None] = mapped_column(String(10))  # paid | failed, once answered
    result_id: Mapped[str | None] = mapped_column(String(32))


class BankResult(Base):
    """A result file from the bank (银行回盘), applied whole; the same bytes again change
    nothing."""

    __tablename__ = "bank_result"
    __table_args__ = (
        UniqueConstraint("file_id", "sha256", name="uq_bank_result_file_sha256"),
        Index("ix_bank_result_received_at_id", "received_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(32), index=True)
    county: Mapped[str] = mapped_column(String(6))
    format: Mapped[str] = mapped_column(String(4))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    paid: Mapped[int]
    failed: Mapped[int]
    held: Mapped[int]  # failed a second time: held for manual handling (R-DI-6)
    total_fen: Mapped[int] = mapped_column(BigInteger)  # a province's month passes 2³¹ fen
    received_by: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BankResultLine(Base):
    """One line of a bank result file as received (the account as its keyed digest)."""

    __tablename__ = "bank_result_line"

    result_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payment_id: Mapped[str] = mapped_column(String(32))
    account_digest: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int]
    result: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(200))
