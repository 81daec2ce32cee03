"""Referrals (主动发现): people in need reported by village assistants and caseworkers (R-IN-2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db import Base
from shared.db import UTCDateTime

OPEN = "open"
APPLIED = "applied"
CLOSED = "closed"
STATUSES = (OPEN, APPLIED, CLOSED)
"""A referral is open until it ends in an application (``applied``) or a recorded reason
for none (``closed``)."""


class Referral(Base):
    """One person in need, reported in a village, followed up within the working days of
    ``referral_followup_working_days`` (R-IN-2). The full ID number and phone are kept and shown
    masked (R-SE-2)."""

    __tablename__ = "referral"
    __table_args__ = (  # the list's order (referrals.service.REFERRALS)
        Index("ix_referral_due_referred_id", "followup_due_on", "referred_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    person_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(50))
    """Who spotted the person, when not the staff member recording it (a grid worker...)."""
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    referred_on: Mapped[date] = mapped_column(Date)
    referred_by: Mapped[str] = mapped_column(String(255))
    referred_by_role: Mapped[str] = mapped_column(String(30))
    followup_due_on: Mapped[date] = mapped_column(Date)
    followup_due_provisional: Mapped[bool]
    status: Mapped[str] = mapped_column(String(20), index=True)
    contacted_on: Mapped[date | None] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_by: Mapped[str | None] = mapped_column(String(255))
    contact_note: Mapped[str | None] = mapped_column(Text)
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(255))
    end_reason_code: Mapped[str | None] = mapped_column(String(50))
    end_reason: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[str | None] = mapped_column(String(32), index=True)
    application_number: Mapped[str | None] = mapped_column(String(40))
