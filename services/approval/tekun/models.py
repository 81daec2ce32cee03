"""Tekun care (特困供养, R-BE-7): who cares for a tekun person, under which signed agreement."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class CareMode(StrEnum):
    dispersed = "dispersed"  # 分散供养: at home, with a named caregiver
    concentrated = "concentrated"  # 集中供养: in an institution


class CareAgreement(Base):
    """A signed care agreement of a tekun beneficiary; a new one supersedes the last (kept)."""

    __tablename__ = "care_agreement"
    __table_args__ = (Index("ix_care_agreement_beneficiary_recorded", "beneficiary_id",
                            "recorded_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    division: Mapped[str] = mapped_column(String(12), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    self_care: Mapped[str] = mapped_column(String(20))  # able | partly_unable | unable
    caregiver_name: Mapped[str | None] = mapped_column(String(50))  # dispersed
    caregiver_relationship: Mapped[str | None] = mapped_column(String(50))
    institution: Mapped[str | None] = mapped_column(String(100))  # concentrated
    document_ref: Mapped[str] = mapped_column(String(100))  # the signed agreement's reference
    signed_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
