"""Who receives what (R-IN-4): intake's register of recipients, kept from approval's events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.intake.db import Base
from shared.db import UTCDateTime

BENEFIT = "benefit"
"""A benefit paid every month (dibao, tekun) or a recognition (near_dibao): it holds its
members until it stops."""
TEMPORARY_AID = "temporary_aid"
"""Temporary aid, paid once: recorded, but it holds nobody (a new emergency is a new case)."""


class Recipient(Base):
    """A benefit approval confirmed, keyed by its ``beneficiary_id``, with the application it
    was granted on (``approval.beneficiary_approved``, ``temporary_aid_granted``)."""

    __tablename__ = "recipient"

    beneficiary_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    since_month: Mapped[str] = mapped_column(String(7))
    stopped_from: Mapped[str | None] = mapped_column(String(7))
    """The first month not paid (``beneficiary_stopped``); null: still receiving."""
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    members: Mapped[list[RecipientMember]] = relationship(lazy="raise",
                                                          cascade="all, delete-orphan")


class RecipientMember(Base):
    """A person covered by a benefit, by ID number (the full number stays at intake)."""

    __tablename__ = "recipient_member"
    __table_args__ = (Index("ix_recipient_member_id_number_program", "id_number", "program"),)

    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("recipient.beneficiary_id"),
                                                primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    program: Mapped[str] = mapped_column(String(30))
    head_id_number: Mapped[str] = mapped_column(String(18))
