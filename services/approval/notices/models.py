"""Public notices (公示), objections (异议), their review (民主评议, 重新调查) and the numbers of
the certificates (救助保障证) issued when a notice ends without objection (R-AP-3, R-AP-4)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class NoticeStatus(StrEnum):
    """Where a notice stands (R-AP-3, R-AP-4)."""

    open = "open"  # 公示中: objections accepted until ``closes_at``
    objected = "objected"  # 有异议: the case went to objection review
    passed = "passed"  # 公示期满无异议: the case is approved
    withdrawn = "withdrawn"  # the case ended otherwise (the application ended at intake)


class ReviewKind(StrEnum):
    """How an objection is reviewed (R-AP-4)."""

    appraisal = "appraisal"  # 民主评议: then a new confirmation and a new notice
    reinvestigation = "reinvestigation"  # 重新调查: then a new opinion, confirmation, notice


class Notice(Base):
    """A confirmed case published at its village for 7 days (R-AP-3): masked, never an ID
    number, a diagnosis or an address. The round counts the case's notices (1, 2 …)."""

    __tablename__ = "public_notice"
    __table_args__ = (
        Index("ix_public_notice_status_closes_at", "status", "closes_at"),  # the closing job
        Index("ix_public_notice_division_status", "division", "status"),  # the village page
        Index("ix_public_notice_confirmed_at_id", "confirmed_at", "id"),  # the staff list
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    round: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[str] = mapped_column(String(32))
    application_number: Mapped[str] = mapped_column(String(40))
    confirmation_id: Mapped[str] = mapped_column(String(32), unique=True)
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))  # the village where it is posted
    village_name: Mapped[str] = mapped_column(String(60))
    head_name_masked: Mapped[str] = mapped_column(String(60))
    household_size: Mapped[int] = mapped_column(Integer)
    monthly_fen: Mapped[int] = mapped_column(Integer)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_on: Mapped[date] = mapped_column(Date)  # day D (Asia/Shanghai)
    closes_on: Mapped[date] = mapped_column(Date)  # D+7, objections until 24:00 of it
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 24:00 of D+7, as UTC
    status: Mapped[str] = mapped_column(String(20))  # NoticeStatus
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certificate_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    effective_month: Mapped[str | None] = mapped_column(String(7))  # 次月发放 (R-AP-4)


class Objection(Base):
    """An objection to a notice (异议), filed by staff or by anyone from the village page; the
    receipt number answers it. The contact given is kept, and shown masked only."""

    __tablename__ = "notice_objection"
    __table_args__ = (
        Index("ix_notice_objection_source_filed_at", "source_address", "filed_at"),  # limits
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    notice_id: Mapped[str] = mapped_column(String(32), ForeignKey("public_notice.id"),
                                           index=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # staff | public
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(100))
    filed_by: Mapped[str | None] = mapped_column(String(255))  # staff user id
    form_nonce: Mapped[str | None] = mapped_column(String(40), unique=True)
    """The public form's one-time token: the same form sent twice answers the same receipt."""
    source_address: Mapped[str | None] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObjectionReview(Base):
    """How the objections to a notice were reviewed (R-AP-4): a democratic appraisal with its
    record, or a new investigation asked of verification."""

    __tablename__ = "objection_review"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    notice_id: Mapped[str] = mapped_column(String(32), ForeignKey("public_notice.id"),
                                           unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # ReviewKind
    held_on: Mapped[date | None] = mapped_column(Date)  # the appraisal's day
    participants: Mapped[list[str] | None] = mapped_column(JSON)
    result: Mapped[str | None] = mapped_column(Text)
    record: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why a new investigation
    decided_by: Mapped[str] = mapped_column(String(255))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CertificateSequence(Base):
    """The last certificate number given per county and year: gapless in commit order (the
    row is locked from the increment to the commit)."""

    __tablename__ = "certificate_sequence"

    county: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer)
