"""The investigation form (入户调查表), every version of it, and who confirmed which version."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class Party(StrEnum):
    investigator = "investigator"  # an assigned investigator, with their own token
    household = "household"  # the household member present, recorded by an investigator


class InvestigationForm(Base):
    """One version of the form; a new version is a new row (R-AU-2), and only confirmations of
    the newest version count (R-VE-1)."""

    __tablename__ = "investigation_form"

    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    content: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the content's canonical JSON: what a confirmation confirms."""
    visited_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(255))


class FormConfirmation(Base):
    __tablename__ = "form_confirmation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), index=True)
    version: Mapped[int]
    party: Mapped[str] = mapped_column(String(20))  # Party
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str | None] = mapped_column(String(20))
    relationship: Mapped[str | None] = mapped_column(String(30))
    member_id: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(30))
    evidence_id: Mapped[str | None] = mapped_column(String(32))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(255))
