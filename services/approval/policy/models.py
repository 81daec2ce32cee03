"""Policy versions (救助标准): one county's parameters for urban or rural residents, in force
from a date, published and never edited in place (R-BE, R-AU-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class PolicyVersion(Base):
    """One version of a county's parameters for one area, in force from ``effective_from`` until
    the next version of the same county and area takes effect. Withdrawn (before it took
    effect) is recorded, never deleted."""

    __tablename__ = "policy_version"
    __table_args__ = (
        UniqueConstraint("county", "area", "version", name="uq_policy_version_county_area_version"),
        # the version in force on a day, and the list's order (policy.service.VERSIONS)
        Index("ix_policy_version_in_force", "county", "area", "effective_from"),
        Index("ix_policy_version_list", "county", "area", "version", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    county: Mapped[str] = mapped_column(String(6))
    area: Mapped[str] = mapped_column(String(10))  # urban | rural
    version: Mapped[int]  # 1, 2, … per county and area, in the order published
    effective_from: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)  # shared.benefits Parameters
    demo: Mapped[bool]  # demo values, not official ones (make run)
    reason: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(255))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
