"""Review cases (审核确认案件): an accepted application on its way to the township's decision."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime
from shared.masking import mask_name


class CaseStatus(StrEnum):
    """Where the case stands on its way to the decision (R-AP-1 … R-AP-5)."""

    awaiting_investigation = "awaiting_investigation"  # 待入户调查
    awaiting_initial_opinion = "awaiting_initial_opinion"  # 待初审 (R-AP-1)
    awaiting_confirmation = "awaiting_confirmation"  # 初审意见已出, 待确认 (R-AP-2)
    at_confirmation_meeting = "at_confirmation_meeting"  # 提交审核确认会议 (R-AP-2, R-AP-6)
    in_public_notice = "in_public_notice"  # 公示中 (R-AP-3)
    objection_review = "objection_review"  # 有异议: 民主评议或重新调查 (R-AP-4)
    approved = "approved"  # 批准 (R-AP-4)
    rejected = "rejected"  # 不予批准, 书面告知 (R-AP-5)
    closed = "closed"  # the application ended at intake (refused, withdrawn): no decision


DECIDED_STATUSES = frozenset({CaseStatus.approved, CaseStatus.rejected})
OPEN_STATUSES = frozenset(CaseStatus) - {CaseStatus.closed} - DECIDED_STATUSES
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
    # What the decision computes from (R-AP-1): the members as intake counted them (ID numbers
    # masked, never in full) and the completed investigation's figures (decisions.service).
    members: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    investigation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    review_extended: Mapped[bool] = mapped_column(
        Boolean, server_default=false(), default=False)  # R-AP-7, once (decisions.deadlines)

    @property
    def head_name_masked(self) -> str | None:
        """The head's name, masked (R-AP-3, R-SE-2), from the members kept; None if unknown."""
        head = next((m for m in self.members or () if m.get("relationship") == "head"), None)
        return mask_name(head["name"]) if head and head.get("name") else None
