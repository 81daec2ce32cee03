"""Doubtful items (疑点, R-VE-5): raised, put to the applicant, resolved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class DoubtStatus(StrEnum):
    raised = "raised"
    put = "put"  # put to the applicant
    substantiated = "substantiated"
    unsubstantiated = "unsubstantiated"


OPEN_DOUBTS = (DoubtStatus.raised, DoubtStatus.put)


class Doubt(Base):
    __tablename__ = "doubt"
    __table_args__ = (Index("ix_doubt_raised_at_id", "raised_at", "id"),)  # the list

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # check_result | manual
    check_result_id: Mapped[str | None] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # DoubtStatus
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raised_by: Mapped[str] = mapped_column(String(255))
    put_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    put_method: Mapped[str | None] = mapped_column(String(20))
    put_note: Mapped[str | None] = mapped_column(Text)
    late_reason: Mapped[str | None] = mapped_column(Text)
    """Why it was put to the applicant after the review period ended (R-VE-5)."""
    put_by: Mapped[str | None] = mapped_column(String(255))
    effect: Mapped[str | None] = mapped_column(String(20))  # income | assets | eligibility | none
    income_delta_fen: Mapped[int | None] = mapped_column(BigInteger)
    finding: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list | None] = mapped_column(JSON)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(255))
