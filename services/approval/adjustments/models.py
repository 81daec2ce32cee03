"""Adjustments of the roll (增发、减发、停发, R-DY-3; 渐退, R-BE-6): proposed by a caseworker
with the amount the rules give, confirmed by a township leader who is not the proposer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class Change(StrEnum):
    increase = "increase"  # 增发
    decrease = "decrease"  # 减发
    gradual_exit = "gradual_exit"  # 渐退 (R-BE-6)
    stop = "stop"  # 停发


class AdjustmentStatus(StrEnum):
    proposed = "proposed"  # waiting for the township leader (R-AP-2)
    confirmed = "confirmed"  # on the roll, told to disbursement and intake
    rejected = "rejected"  # the leader did not confirm it


class Source(StrEnum):
    recheck = "recheck"  # 复核 (R-DY-2)
    reported_change = "reported_change"  # a change the household or others reported


class Adjustment(Base):
    """One proposed change to a benefit and its decision."""

    __tablename__ = "adjustment"
    __table_args__ = (Index("ix_adjustment_proposed_id", "proposed_at", "id"),
                      Index("ix_adjustment_beneficiary_status", "beneficiary_id", "status"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    case_id: Mapped[str] = mapped_column(String(32))
    division: Mapped[str] = mapped_column(String(12), index=True)
    change: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    recheck_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    current_fen: Mapped[int] = mapped_column(Integer)
    new_fen: Mapped[int | None] = mapped_column(Integer)  # null: a stop
    effective_month: Mapped[str] = mapped_column(String(7))
    stop_month: Mapped[str | None] = mapped_column(String(7))  # a gradual exit's end
    policy_version_id: Mapped[str | None] = mapped_column(String(32))
    found: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the household as found
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the rules' steps
    status: Mapped[str] = mapped_column(String(20), index=True)
    proposed_by: Mapped[str] = mapped_column(String(255))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
