"""The assistance hotline's call log (求助热线, R-CO-5): every call, answered or missed, in
working hours or not; the caller's phone sealed and shown masked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class HotlineCall(Base):
    """One call to the county's or a township's hotline."""

    __tablename__ = "hotline_call"
    __table_args__ = (Index("ix_hotline_call_called_id", "called_at", "id"),)  # list, rates

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # whose line
    called_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered: Mapped[bool] = mapped_column(Boolean)
    in_working_hours: Mapped[bool] = mapped_column(Boolean)
    caller_phone_sealed: Mapped[str | None] = mapped_column(Text)
    caller_phone_masked: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    complaint_id: Mapped[str | None] = mapped_column(String(32), index=True)
    logged_by: Mapped[str] = mapped_column(String(255))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
