"""Household investigations (入户调查) opened for accepted applications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class Investigation(Base):
    __tablename__ = "investigation"
    __table_args__ = (Index("ix_investigation_opened_at_id", "opened_at", "id"),)  # the list

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    household_size: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # open | completed
    accepted_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)
    review_due_provisional: Mapped[bool]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
