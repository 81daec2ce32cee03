"""Spot checks (抽查, R-OV-1): the register of the townships' decisions (from approval's
``application_decided``), the county's recorded draws and each sampled decision's check."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class DecidedApplication(Base):
    """One township decision (审批决定) as approval announced it: the spot checks' population."""

    __tablename__ = "decided_application"
    __table_args__ = (Index("ix_decided_application_county_day", "county", "decided_on"),)

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32))
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))
    township: Mapped[str] = mapped_column(String(9), index=True)
    county: Mapped[str] = mapped_column(String(6))
    outcome: Mapped[str] = mapped_column(String(10))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Method(StrEnum):
    file_review = "file_review"  # 查阅档案
    home_visit = "home_visit"  # 入户核查


class CheckStatus(StrEnum):
    pending = "pending"
    checked = "checked"


class SpotCheckDraw(Base):
    """One recorded draw: the period, the seed, the share and what it gave per township."""

    __tablename__ = "spot_check_draw"
    __table_args__ = (Index("ix_spot_check_draw_drawn_id", "drawn_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # the county
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(64))
    share_percent: Mapped[int] = mapped_column(Integer)
    population_count: Mapped[int] = mapped_column(Integer)
    sample_count: Mapped[int] = mapped_column(Integer)
    population_digest: Mapped[str] = mapped_column(String(64))
    townships: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # per township: n and k
    drawn_by: Mapped[str] = mapped_column(String(255))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SpotCheck(Base):
    """One sampled decision and its check: file review or home visit, the finding, and a
    correction deadline if it needs correcting (then a rectification item, R-OV-3)."""

    __tablename__ = "spot_check"
    __table_args__ = (Index("ix_spot_check_draw_position", "draw_id", "position"),
                      Index("ix_spot_check_division_id", "division", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    draw_id: Mapped[str] = mapped_column(ForeignKey("spot_check_draw.id"))
    position: Mapped[int] = mapped_column(Integer)  # place in the draw
    case_id: Mapped[str] = mapped_column(String(32))
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))
    township: Mapped[str] = mapped_column(String(9))
    outcome: Mapped[str] = mapped_column(String(10))
    decided_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    method: Mapped[str | None] = mapped_column(String(20))
    finding: Mapped[str | None] = mapped_column(Text)
    needs_correction: Mapped[bool | None] = mapped_column(Boolean)
    correction_due_on: Mapped[date | None] = mapped_column(Date)
    rectification_item_id: Mapped[str | None] = mapped_column(String(32))
    checked_by: Mapped[str | None] = mapped_column(String(255))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_on: Mapped[date | None] = mapped_column(Date)
