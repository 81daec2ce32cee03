"""The county's division register (区划): every code with its name over a span of days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db import Base
from shared.db import UTCDateTime


class DivisionVersion(Base):
    """One version of a code: in force from ``valid_from`` up to, not including, ``valid_until``.

    A code's versions never overlap and are never deleted: a renamed code gets a new version,
    an ended one keeps its last version with ``valid_until`` set, so every code once used stays
    explainable."""

    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    parent: Mapped[str | None] = mapped_column(String(12), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(100))
