"""The rectification ledger (整改台账, R-OV-3): every finding of a spot check, an inspection, a
complaint, a media case, the monitoring or the audit log, with its responsible person, deadline
and status, followed up (never rewritten) until it is closed with its result."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class Source(StrEnum):
    """Where a finding comes from (R-OV-3)."""

    spot_check = "spot_check"  # 抽查 (R-OV-1)
    inspection = "inspection"  # 督查、检查
    monitoring = "monitoring"  # 监测预警 (R-OV-2)
    supervision = "supervision"  # 月度督导 (R-OV-4)
    complaint = "complaint"  # 投诉举报、信访 (R-CO)
    media = "media"  # 媒体曝光 (R-CO-4)
    audit = "audit"  # 审计、操作日志核查 (R-AU-3)


OPENED_BY_COUNTY = frozenset({Source.inspection, Source.audit})
"""Sources a county officer opens by hand; the others are opened by their own module."""


class ItemStatus(StrEnum):
    open = "open"  # 待整改: recorded, no follow-up yet
    rectifying = "rectifying"  # 整改中: at least one follow-up
    done = "done"  # 已整改: closed with its result


class RectificationItem(Base):
    """One finding on the ledger. Overdue is not stored: an item not done after its deadline
    (``due_on`` before today, Asia/Shanghai) is overdue."""

    __tablename__ = "rectification_item"
    __table_args__ = (Index("ix_rectification_item_due_id", "due_on", "id"),  # the list
                      Index("ix_rectification_item_source", "source", "source_id"),
                      Index("ix_rectification_item_status_due", "status", "due_on"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(64))
    division: Mapped[str] = mapped_column(String(12), index=True)
    finding: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(100))  # 责任人 (name and post)
    due_on: Mapped[date] = mapped_column(Date)  # 整改时限
    status: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str | None] = mapped_column(String(64))  # the record the finding is about
    opened_by: Mapped[str] = mapped_column(String(255))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    follow_up_count: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)  # 整改结果
    closed_by: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_on: Mapped[date | None] = mapped_column(Date)  # Asia/Shanghai day closed
    overdue_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the daily job


class FollowUp(Base):
    """One follow-up of an item (整改进展), appended in order, never rewritten (R-AU-2)."""

    __tablename__ = "rectification_follow_up"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("rectification_item.id"))
    seq: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
