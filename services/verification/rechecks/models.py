"""Re-check tasks (复核, R-DY-2): approval's re-check of a beneficiary, done by a township team
as a household investigation is, its result sent back to approval."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class RecheckTaskStatus(StrEnum):
    open = "open"
    completed = "completed"


class RecheckTask(Base):
    """One re-check of one beneficiary, in its township's work list."""

    __tablename__ = "recheck_task"
    __table_args__ = (Index("ix_recheck_task_due_id", "due_on", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    recheck_id: Mapped[str] = mapped_column(String(32), unique=True)
    beneficiary_id: Mapped[str] = mapped_column(String(32), index=True)
    case_id: Mapped[str] = mapped_column(String(32))
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    head_name_masked: Mapped[str] = mapped_column(String(60))
    household_size: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # member_id, name_masked
    monthly_fen: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    frequency_months: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    investigators: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    village_helper: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    team_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visited_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the household as found
    unsteady_income: Mapped[bool | None] = mapped_column()
    findings: Mapped[str | None] = mapped_column(Text)
    completed_by: Mapped[str | None] = mapped_column(String(255))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
