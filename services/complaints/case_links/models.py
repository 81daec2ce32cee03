"""Case references: every record any service has announced, so a complaint can name its case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class CaseReference(Base):
    """One record of one service (an application, investigation, case, payee…), as last seen."""

    __tablename__ = "case_reference"
    __table_args__ = (UniqueConstraint("service", "record_id"),
                      Index("ix_case_reference_last_seen_id", "last_seen", "id"))  # the list

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    service: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(100), index=True)  # the events' subject
    division: Mapped[str | None] = mapped_column(String(12), index=True)
    application_id: Mapped[str | None] = mapped_column(String(64), index=True)
    application_number: Mapped[str | None] = mapped_column(String(64), index=True)
    program: Mapped[str | None] = mapped_column(String(30))
    last_event_type: Mapped[str] = mapped_column(String(200))
    last_event_id: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int]
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())  # earliest event time
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())  # latest event time
