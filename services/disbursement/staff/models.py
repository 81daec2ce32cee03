"""Intake's staff register as disbursement needs it: who may never be a proxy (R-DI-5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class RegisteredStaff(Base):
    """One post of the staff register, from ``staff_registered`` and ``staff_left``; the person
    only as the keyed digest of their ID number (``shared.digests.person_digest``)."""

    __tablename__ = "registered_staff"

    staff_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
    name_masked: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    refused_as_proxy: Mapped[bool]  # assistance staff or a village cadre (R-DI-5)
    division: Mapped[str] = mapped_column(String(12))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
