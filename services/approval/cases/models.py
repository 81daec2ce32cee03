"""Review cases (审核确认案件): an accepted application on its way to the township's decision."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class CaseStatus(StrEnum):
    """Where the case stands; later issues add opinion, confirmation, notice and decision."""

    awaiting_investigation = "awaiting_investigation"  # 待入户调查
    awaiting_initial_opinion = "awaiting_initial_opinion"  # 待初审 (R-AP-1)
    closed = "closed"  # the application ended at intake (refused, withdrawn): no decision


OPEN_STATUSES = frozenset(CaseStatus) - {CaseStatus.closed}
"""Statuses still running against the R-AP-7 deadline."""


class ReviewCase(Base):
    __tablename__ = "review_case"
    __table_args__ = (  # the list's order (cases.service.CASES)
        Index("ix_review_case_due_opened_id", "review_due_on", "opened_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_number: Mapped[str] = mapped_column(String(40), index=True)
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    area: Mapped[str] = mapped_column(String(10))  # urban | rural
    household_size: Mapped[int]
    status: Mapped[str] = mapped_column(String(40), index=True)
    accepted_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)  # last working day, R-AP-7
    review_due_provisional: Mapped[bool]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    investigation_id: Mapped[str | None] = mapped_column(String(32))
    investigation_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(String(40))  # application_refused | ...
    closed_detail: Mapped[str | None] = mapped_column(Text)
