"""Applications (申请) received at the window, and the daily sequence of their numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.intake.db import Base
from shared.db import UTCDateTime

if TYPE_CHECKING:
    from services.intake.emergency.models import EmergencyGrant
    from services.intake.households.models import Household
    from services.intake.materials.models import MaterialsNotice, SuppliedMaterial

AWAITING_MATERIALS = "awaiting_materials"
ACCEPTED = "accepted"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
DECIDED = "decided"
STATUSES = (AWAITING_MATERIALS, ACCEPTED, REFUSED, WITHDRAWN, DECIDED)
OPEN_STATUSES = (AWAITING_MATERIALS, ACCEPTED)
"""An open application holds its members for R-IN-4. It ends refused (R-IN-3), withdrawn by
the applicant, or decided by the township (approval's ``application_decided``)."""


class Application(Base):
    __tablename__ = "application"
    __table_args__ = (  # the list's order (applications.service.APPLICATIONS)
        Index("ix_application_submitted_number", "submitted_at", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    program: Mapped[str] = mapped_column(String(30), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    division: Mapped[str] = mapped_column(String(12), index=True)
    area: Mapped[str] = mapped_column(String(10))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date)
    """The day it was received (a paper application: before it was entered); deadlines count
    from it."""
    referral_id: Mapped[str | None] = mapped_column(String(32))  # the referral it follows
    proxy_committee: Mapped[str | None] = mapped_column(String(12))  # village_proxy: the village
    proxy_agent: Mapped[str | None] = mapped_column(String(255))
    proxy_agent_title: Mapped[str | None] = mapped_column(String(100))
    emergency_division: Mapped[str | None] = mapped_column(String(12))  # R-IN-6
    emergency_on: Mapped[date | None] = mapped_column(Date)
    emergency_circumstances: Mapped[str | None] = mapped_column(Text)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date)
    review_due_provisional: Mapped[bool | None]
    refusal_reason_code: Mapped[str | None] = mapped_column(String(50))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(255))  # the recording caseworker
    withdrawal_requested_by: Mapped[str | None] = mapped_column(String(50))
    withdrawal_requested_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(20))  # approved | rejected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_case_id: Mapped[str | None] = mapped_column(String(32))
    decision_reason_code: Mapped[str | None] = mapped_column(String(50))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(lazy="raise", cascade="all, delete-orphan")
    notice: Mapped[MaterialsNotice | None] = relationship(lazy="raise")
    supplied: Mapped[list[SuppliedMaterial]] = relationship(
        order_by="SuppliedMaterial.code", lazy="raise"
    )
    emergency_grant: Mapped[EmergencyGrant | None] = relationship(lazy="raise")


class ApplicationSequence(Base):
    """The last number given on one Asia/Shanghai day (R-IN-1)."""

    __tablename__ = "application_sequence"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int]
