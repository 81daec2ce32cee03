"""The household of an application and its members (家庭成员)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.intake.db import Base


class Household(Base):
    """The household as declared in one application; its head identifies it (R-IN-4)."""

    __tablename__ = "household"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    head_id_number: Mapped[str] = mapped_column(String(18), index=True)

    members: Mapped[list[Member]] = relationship(
        order_by="Member.position", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def counted_size(self) -> int:
        """Members counted in the household (R-IN-7)."""
        return sum(1 for m in self.members if m.counted)


class Member(Base):
    """One person of the household; the full ID number is kept, shown only masked (R-SE-2)."""

    __tablename__ = "member"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    relationship: Mapped[str] = mapped_column(String(20))  # to the head; see schemas.Relationship
    living_status: Mapped[str] = mapped_column(String(20))
    is_student: Mapped[bool]
    cannot_live_independently: Mapped[bool] = mapped_column(default=False)
    lives_with_household: Mapped[bool | None]
    counted: Mapped[bool]
    count_reason: Mapped[str | None] = mapped_column(String(30))
    """Why the member counts or not (R-IN-7: households.service.CountReason); null for members
    recorded before reasons were kept."""
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
