"""Monthly supervision (月度督导, R-OV-4): the county's supervision record of each township each
month, the figures the monthly report counts (kept from the other services' events) and the
reports sent to the city."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class SupervisionVisit(Base):
    """One township's supervision of one month: who, when, what was seen; the problems found
    went on the rectification ledger (R-OV-3)."""

    __tablename__ = "supervision_visit"
    __table_args__ = (UniqueConstraint("division", "month"),
                      Index("ix_supervision_visit_month_id", "month", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12))  # the township
    month: Mapped[str] = mapped_column(String(7))
    visited_on: Mapped[date] = mapped_column(Date)
    supervisors: Mapped[str] = mapped_column(String(200))  # who (names and posts)
    seen: Mapped[str] = mapped_column(Text)  # what was seen
    problems: Mapped[int] = mapped_column(Integer)
    item_ids: Mapped[list[str]] = mapped_column(JSON)  # the ledger items of its problems
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupervisedApplication(Base):
    """One application as the report counts it: accepted (intake), investigated
    (verification), decided (approval) and whether by its review due date (R-AP-7)."""

    __tablename__ = "supervised_application"
    __table_args__ = (Index("ix_supervised_application_county", "county"),)

    application_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    township: Mapped[str] = mapped_column(String(9))
    county: Mapped[str] = mapped_column(String(6))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date)
    investigated_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None] = mapped_column(Boolean)  # decided by review_due_on


class SupervisedStaff(Base):
    """One person of intake's staff register (R-OV-4 counts the dedicated staff)."""

    __tablename__ = "supervised_staff"

    staff_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    dedicated: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # first day no longer in the post


class SupervisionReport(Base):
    """A monthly report as sent to the city: its content kept as sent, with its digest."""

    __tablename__ = "supervision_report"
    __table_args__ = (UniqueConstraint("division", "month", "version"),
                      Index("ix_supervision_report_made_id", "made_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12))  # the county
    month: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)  # a month sent again: 2, 3, …
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    made_by: Mapped[str] = mapped_column(String(255))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
