"""Neighbour visits (邻里访问, R-VE-2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class NeighbourVisit(Base):
    __tablename__ = "neighbour_visit"
    __table_args__ = (Index("ix_neighbour_visit_visited_at_id", "visited_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    visitors: Mapped[list] = mapped_column(JSON)
    """The investigators who went: ``[{"user_id", "name"}]``."""
    neighbour_name: Mapped[str] = mapped_column(String(50))
    neighbour_relation: Mapped[str] = mapped_column(String(100))
    neighbour_address: Mapped[str | None] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(255))
