"""Re-checks of the roll (复核, R-DY-2): one per beneficiary and due day, issued to
verification as a task, its result recorded here."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class RecheckStatus(StrEnum):
    requested = "requested"  # issued to verification, not yet done
    completed = "completed"  # the result is on the roll
    cancelled = "cancelled"  # the benefit stopped before the re-check was done


class Recheck(Base):
    """A re-check of one beneficiary, due on ``due_on`` (R-DY-2)."""

    __tablename__ = "recheck"
    __table_args__ = (Index("ix_recheck_due_id", "due_on", "id"),
                      Index("ix_recheck_beneficiary_status", "beneficiary_id", "status"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    division: Mapped[str] = mapped_column(String(12), index=True)
    program: Mapped[str] = mapped_column(String(30))
    trigger: Mapped[str] = mapped_column(String(20))  # scheduled | requested
    due_on: Mapped[date] = mapped_column(Date)
    frequency_months: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(32))  # verification's task
    visited_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(255))
    findings: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the household as found
    outcome: Mapped[str | None] = mapped_column(String(20))  # RecheckOutcome
    assessed_fen: Mapped[int | None] = mapped_column(Integer)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the rules' steps
    adjustment_id: Mapped[str | None] = mapped_column(String(32))
