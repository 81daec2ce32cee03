"""Household investigations (入户调查) opened for accepted applications, their households and
their teams of investigators."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class InvestigationStatus(StrEnum):
    open = "open"  # in the work lists
    completed = "completed"  # investigation_completed published
    closed = "closed"  # the application ended (refused, withdrawn): out of the work lists


class ClosedReason(StrEnum):
    application_refused = "application_refused"
    application_withdrawn = "application_withdrawn"


class Investigation(Base):
    __tablename__ = "investigation"
    __table_args__ = (Index("ix_investigation_opened_at_id", "opened_at", "id"),)  # the list

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    """One investigation per accepted application, and one more per objection reviewed by a
    new investigation (R-AP-4): the earlier ones stay as they were."""
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    household_size: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # InvestigationStatus
    accepted_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)
    review_due_provisional: Mapped[bool]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    village_helper_name: Mapped[str | None] = mapped_column(String(50))
    """Who of the village committee assists (R-VE-1)."""
    village_helper_title: Mapped[str | None] = mapped_column(String(100))
    team_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_summary: Mapped[dict | None] = mapped_column(JSON)
    """The cross-checks' summary (R-VE-4), as ``record_check_summary`` was last given it."""
    findings: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(String(30))  # ClosedReason
    closed_note: Mapped[str | None] = mapped_column(Text)
    follows_id: Mapped[str | None] = mapped_column(String(32))
    """The investigation of the same application this one does again after an objection."""
    objection_review_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    """Approval's review of the objection that asked for it (R-AP-4, 重新调查)."""


class HouseholdMember(Base):
    """A member of the household as the accepted application listed it (ID number masked)."""

    __tablename__ = "household_member"

    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    relationship: Mapped[str] = mapped_column(String(30))
    counted: Mapped[bool]


class Investigator(Base):
    """A township staff member assigned to the investigation (R-VE-1: two at least)."""

    __tablename__ = "investigator"

    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(255))
