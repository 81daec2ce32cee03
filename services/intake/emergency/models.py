"""Emergency temporary aid granted first, materials later (先行救助、后补材料, R-IN-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.intake.db import Base
from shared.db import UTCDateTime

if TYPE_CHECKING:
    from services.intake.applications.models import Application


class EmergencyGrant(Base):
    """The aid a township granted at once on a ``temp_emergency`` application; its missing
    materials stay tracked until ``materials_complete_on``."""

    __tablename__ = "emergency_grant"
    __table_args__ = (  # the list's order (emergency.service.GRANTS)
        Index("ix_emergency_grant_granted_id", "granted_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), unique=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    circumstances: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_on: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(255))
    materials_complete_on: Mapped[date | None] = mapped_column(Date, index=True)
    """The day the last missing item came in (null: still missing some)."""

    application: Mapped[Application] = relationship(lazy="raise", viewonly=True)
