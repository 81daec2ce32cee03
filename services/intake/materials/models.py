"""Material checklists per program, materials handed in, and one-time notices (一次性告知)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.intake.db import Base
from shared.db import UTCDateTime

DEFAULT_CHECKLIST = "*"
"""The ``county`` of the checklists every county starts from, until it sets its own."""


class ChecklistItem(Base):
    """One item of a program's checklist in a county (R-IN-3); ``county`` ``*``: the default
    checklist, for a county that has not set its own."""

    __tablename__ = "checklist_item"

    county: Mapped[str] = mapped_column(String(6), primary_key=True)
    program: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]


class SuppliedMaterial(Base):
    """A material handed in for an application."""

    __tablename__ = "supplied_material"

    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    supplied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    supplied_by: Mapped[str] = mapped_column(String(100))


class MaterialsNotice(Base):
    """The one-time notice of an application: at most one, it lists every missing item."""

    __tablename__ = "materials_notice"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(100))

    items: Mapped[list[NoticeItem]] = relationship(
        order_by="NoticeItem.position", lazy="raise", cascade="all, delete-orphan"
    )


class NoticeItem(Base):
    """One missing material named on a notice, with its name as it was then."""

    __tablename__ = "notice_item"

    notice_id: Mapped[str] = mapped_column(ForeignKey("materials_notice.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
