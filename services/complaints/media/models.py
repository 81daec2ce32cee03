"""Problems disclosed by the media (媒体披露, R-CO-4): investigated at the household within 3
working days, the investigation's record, and the rectification ledger item it opens (R-OV-3)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class MediaStatus(StrEnum):
    registered = "registered"  # 登记, the investigation due
    investigated = "investigated"  # 已调查处理, its ledger item opened


class MediaCase(Base):
    """One problem a newspaper, broadcaster or website disclosed."""

    __tablename__ = "media_case"
    __table_args__ = (Index("ix_media_case_registered_id", "registered_at", "id"),  # the list
                      Index("ix_media_case_status_due", "status", "investigation_due_on"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    outlet: Mapped[str] = mapped_column(String(100))
    headline: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    program: Mapped[str | None] = mapped_column(String(30))
    household: Mapped[str | None] = mapped_column(String(100))
    disclosed_on: Mapped[date] = mapped_column(Date)
    investigation_due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    registered_by: Mapped[str] = mapped_column(String(255))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    investigated_on: Mapped[date | None] = mapped_column(Date)
    cause: Mapped[str | None] = mapped_column(Text)  # 原因
    course: Mapped[str | None] = mapped_column(Text)  # 经过
    nature: Mapped[str | None] = mapped_column(Text)  # 性质
    responsible_person: Mapped[str | None] = mapped_column(String(100))  # 责任人
    proposed_handling: Mapped[str | None] = mapped_column(Text)  # 处理意见
    similar_found: Mapped[int | None] = mapped_column(Integer)
    rectification_item_id: Mapped[str | None] = mapped_column(String(32))
    investigated_by: Mapped[str | None] = mapped_column(String(255))
    investigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
