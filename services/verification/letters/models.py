"""Letters asking for proof of employment income (信函索证, R-VE-2)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class LetterStatus(StrEnum):
    sent = "sent"  # outstanding
    answered = "answered"
    unanswered = "unanswered"  # recorded as unanswered, with the reason


class Letter(Base):
    __tablename__ = "letter"
    __table_args__ = (Index("ix_letter_sent_on_id", "sent_on", "id"),)  # the list

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(String(32))
    addressee: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    asked: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # LetterStatus
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(255))
    received_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    """What the answer says; for an unanswered letter, why it is recorded so."""
    stated_monthly_income_fen: Mapped[int | None] = mapped_column(BigInteger)
    evidence_id: Mapped[str | None] = mapped_column(String(32))
    answer_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_recorded_by: Mapped[str | None] = mapped_column(String(255))
