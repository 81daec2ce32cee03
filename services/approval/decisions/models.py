"""The decision's records (审核确认): initial opinions, confirmations, meetings, refusals,
deadline extensions and emergency aid granted first (R-AP-1, 2, 5, 6, 7; R-IN-5)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class Proposal(StrEnum):
    """What the initial opinion proposes (R-AP-1)."""

    approve = "approve"
    refuse = "refuse"


class Outcome(StrEnum):
    """What a confirmation decides (R-AP-2)."""

    approved = "approved"
    rejected = "rejected"


class InitialOpinion(Base):
    """初审意见 (R-AP-1): one version per row; a new version supersedes the last before the
    confirmation, and the old ones stay."""

    __tablename__ = "initial_opinion"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("review_case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(30))
    proposal: Mapped[str] = mapped_column(String(10))  # Proposal
    eligible: Mapped[bool] = mapped_column(Boolean)  # what the rules found (R-BE)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    benefit_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM the calculation is for
    policy_version_id: Mapped[str | None] = mapped_column(String(32))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    reason_code: Mapped[str | None] = mapped_column(String(50))
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    circumstances: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # per member
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the rules were given
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON)  # their result, step by step
    case_by_case: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # R-AP-6 grounds
    investigation_id: Mapped[str | None] = mapped_column(String(32))
    written_by: Mapped[str] = mapped_column(String(255))
    written_by_name: Mapped[str | None] = mapped_column(String(50))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConfirmationMeeting(Base):
    """审核确认会议 (R-AP-2, R-AP-6): its record, chair and attendees; the cases it decided are
    its confirmations."""

    __tablename__ = "confirmation_meeting"
    __table_args__ = (Index("ix_confirmation_meeting_held_on_id", "held_on", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # the township
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(100))
    chair_user_id: Mapped[str] = mapped_column(String(255))
    chair_name: Mapped[str] = mapped_column(String(50))
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    record: Mapped[str] = mapped_column(Text)  # 会议记录
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingReferral(Base):
    """The leader passed a case to a confirmation meeting (R-AP-2)."""

    __tablename__ = "meeting_referral"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("review_case.id"), index=True)
    opinion_id: Mapped[str] = mapped_column(String(32), ForeignKey("initial_opinion.id"))
    reason: Mapped[str] = mapped_column(Text)
    referred_by: Mapped[str] = mapped_column(String(255))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    meeting_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("confirmation_meeting.id"))  # the meeting that decided it


class Confirmation(Base):
    """审核确认 (R-AP-2): the leader's or a meeting's decision on one opinion version. A case
    may have several: a new confirmation follows an objection (R-AP-4)."""

    __tablename__ = "confirmation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("review_case.id"), index=True)
    opinion_id: Mapped[str] = mapped_column(String(32), ForeignKey("initial_opinion.id"))
    opinion_version: Mapped[int] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(10))  # leader | meeting
    meeting_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("confirmation_meeting.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # Outcome
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason_code: Mapped[str | None] = mapped_column(String(50))
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    case_by_case: Mapped[bool] = mapped_column(Boolean)  # 一事一议, R-AP-6
    hardship: Mapped[str | None] = mapped_column(Text)  # R-AP-6: the hardship stated
    confirmed_by: Mapped[str] = mapped_column(String(255))  # the leader, or the chair
    confirmed_by_name: Mapped[str | None] = mapped_column(String(50))
    recorded_by: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Refusal(Base):
    """不予批准 (R-AP-5): the written notice with reasons is due within 3 working days."""

    __tablename__ = "refusal"
    __table_args__ = (Index("ix_refusal_due_on_id", "notice_due_on", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("review_case.id"), unique=True)
    confirmation_id: Mapped[str] = mapped_column(String(32), ForeignKey("confirmation.id"))
    division: Mapped[str] = mapped_column(String(12), index=True)
    document_number: Mapped[str] = mapped_column(String(100))
    reason_code: Mapped[str] = mapped_column(String(50))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_on: Mapped[date] = mapped_column(Date)
    notice_due_on: Mapped[date] = mapped_column(Date)
    notice_due_provisional: Mapped[bool] = mapped_column(Boolean)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery_method: Mapped[str | None] = mapped_column(String(20))
    delivered_to: Mapped[str | None] = mapped_column(String(50))
    delivery_note: Mapped[str | None] = mapped_column(Text)
    delivery_recorded_by: Mapped[str | None] = mapped_column(String(255))
    delivery_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewExtension(Base):
    """The review period extended once, by the leader, with a reason (R-AP-7)."""

    __tablename__ = "review_extension"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("review_case.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    previous_due_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)
    review_due_provisional: Mapped[bool] = mapped_column(Boolean)
    extended_by: Mapped[str] = mapped_column(String(255))
    extended_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EmergencyAid(Base):
    """Emergency aid granted first at intake (先行救助, R-IN-5), kept by application: it may come
    before the case opens. Checked against the temporary-aid cap (R-BE-8)."""

    __tablename__ = "emergency_aid"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # intake's grant id
    application_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_on: Mapped[date] = mapped_column(Date)
    circumstances: Mapped[str] = mapped_column(Text)
    outstanding_materials: Mapped[list[str]] = mapped_column(JSON)
    cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    within_cap: Mapped[bool | None] = mapped_column(Boolean)
    cap_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    policy_version_id: Mapped[str | None] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
