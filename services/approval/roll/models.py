"""The roll of beneficiaries (保障对象名册): who receives which benefit, how much, from when,
and every change to it (R-AP-4, R-DY-1 … R-DY-3, R-BE-6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class RollStatus(StrEnum):
    """Where a beneficiary stands on the roll."""

    active = "active"  # 在保
    gradual_exit = "gradual_exit"  # 渐退期 (R-BE-6): paid until ``stop_month``
    stopped = "stopped"  # 停发 (R-DY-3): nothing paid from ``stop_month`` on


class ChangeKind(StrEnum):
    """What happened to a beneficiary: each entry of its history (R-AU-2: never rewritten)."""

    approved = "approved"  # entered the roll (R-AP-4)
    increased = "increased"  # 增发 (R-DY-3)
    decreased = "decreased"  # 减发 (R-DY-3)
    gradual_exit = "gradual_exit"  # 渐退 (R-BE-6)
    stopped = "stopped"  # 停发 (R-DY-3)
    recheck_requested = "recheck_requested"  # 复核 issued (R-DY-2)
    recheck_completed = "recheck_completed"  # 复核 result recorded (R-DY-2)
    recheck_frequency = "recheck_frequency"  # yearly / half-yearly changed (R-DY-2)
    care_agreement = "care_agreement"  # 特困供养协议 (R-BE-7)


class Beneficiary(Base):
    """A benefit on the roll: one per approved case of a monthly program (dibao, tekun) or a
    recognition (near-dibao), from its first month until it stops."""

    __tablename__ = "beneficiary"
    __table_args__ = (  # the orders of the roll's lists (roll.service.ROLL, rechecks)
        Index("ix_beneficiary_approved_id", "approved_at", "id"),
        Index("ix_beneficiary_recheck_due_id", "next_recheck_due", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30), index=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # the village (R-DY-1)
    area: Mapped[str] = mapped_column(String(10))  # urban | rural
    unit: Mapped[str] = mapped_column(String(10))  # household | person
    head_name_masked: Mapped[str] = mapped_column(String(60))
    household_size: Mapped[int] = mapped_column(Integer)  # members covered
    monthly_fen: Mapped[int] = mapped_column(Integer)  # the amount paid now, integer fen
    amount_from: Mapped[str] = mapped_column(String(7))  # the month ``monthly_fen`` holds from
    effective_month: Mapped[str] = mapped_column(String(7))  # first month paid (R-AP-4)
    certificate_number: Mapped[str] = mapped_column(String(40))  # 救助保障证
    status: Mapped[str] = mapped_column(String(20), index=True)
    stop_month: Mapped[str | None] = mapped_column(String(7))
    """The first month not paid (停发), once decided; null while it runs."""
    stop_reason: Mapped[str | None] = mapped_column(Text)
    exit_from_month: Mapped[str | None] = mapped_column(String(7))
    """R-BE-6: the first month of the gradual exit period (渐退期)."""
    stop_emitted: Mapped[bool] = mapped_column(default=False)
    """R-BE-6: ``beneficiary_stopped`` was emitted for the stop month (exactly once)."""
    recheck_months: Mapped[int] = mapped_column(Integer)  # 12 yearly, 6 half-yearly (R-DY-2)
    recheck_reasons: Mapped[list[str]] = mapped_column(JSON)  # why half-yearly; [] stable
    unsteady_income: Mapped[bool] = mapped_column(default=False)
    able_to_work: Mapped[bool] = mapped_column(default=False)
    near_relative: Mapped[bool] = mapped_column(default=False)
    next_recheck_due: Mapped[date] = mapped_column(Date)
    last_recheck_on: Mapped[date | None] = mapped_column(Date)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoveredMember(Base):
    """A member a benefit covers, by intake's member id, with the name masked (R-SE-2)."""

    __tablename__ = "beneficiary_member"

    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_masked: Mapped[str | None] = mapped_column(String(60))


class RollChange(Base):
    """One entry of a beneficiary's history: appended, never rewritten (R-AU-2)."""

    __tablename__ = "beneficiary_change"
    __table_args__ = (Index("ix_beneficiary_change_beneficiary_id", "beneficiary_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    kind: Mapped[str] = mapped_column(String(30))
    amount_fen: Mapped[int | None] = mapped_column(Integer)
    effective_month: Mapped[str | None] = mapped_column(String(7))
    detail: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(32))  # adjustment or re-check id
    actor: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class TemporaryAidGrant(Base):
    """Temporary aid granted (R-BE-8), paid once (R-DI-3): not on the roll, but kept."""

    __tablename__ = "temporary_aid_grant"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    head_name_masked: Mapped[str] = mapped_column(String(60))
    amount_fen: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))
    member_ids: Mapped[list[str] | None] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
