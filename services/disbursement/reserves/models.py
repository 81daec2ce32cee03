"""The township's temporary-aid reserve (临时救助备用金, R-DI-9): set up and topped up by the
county, drawn by temporary aid the township pays. The balance is never a number without its
movements: every change is a movement row written in the same statement's transaction, and the
balance moves by one conditional UPDATE (never below zero, whatever runs at once)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class MovementKind(StrEnum):
    set_up = "set_up"  # 设立
    top_up = "top_up"  # 补充
    draw = "draw"  # 支出: temporary aid paid from it


class Reserve(Base):
    __tablename__ = "reserve"
    __table_args__ = (CheckConstraint("balance_fen >= 0", name="balance_not_negative"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    township: Mapped[str] = mapped_column(String(9), unique=True)
    county: Mapped[str] = mapped_column(String(6), index=True)
    # the sum of its movements, kept by conditional updates (never below zero)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    set_up_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReserveMovement(Base):
    """One movement, appended and never rewritten; ``amount_fen`` signed (a draw negative)."""

    __tablename__ = "reserve_movement"
    __table_args__ = (Index("ix_reserve_movement_reserve_id_at", "reserve_id", "at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reserve_id: Mapped[str] = mapped_column(ForeignKey("reserve.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # a draw's payment
    note: Mapped[str | None] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
