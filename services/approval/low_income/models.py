"""The low-income register (低收入人口, R-DY-4): people by category, kept from the roll and
added by staff."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime


class Category(StrEnum):
    """R-DY-4: the register's categories."""

    dibao = "dibao"  # 低保对象
    tekun = "tekun"  # 特困人员
    near_dibao = "near_dibao"  # 低保边缘
    at_risk = "at_risk"  # 易返贫致贫人口
    expenditure_hardship = "expenditure_hardship"  # 刚性支出困难
    other = "other"  # 其他低收入人口


class Source(StrEnum):
    roll = "roll"  # the roll's own changes (approved, gradual exit, stopped)
    temporary_aid = "temporary_aid"  # an expenditure-type temporary aid grant
    staff = "staff"  # added by staff through the API


class LowIncomePerson(Base):
    """One person (or a household named by its head, where the members are not named) in one
    category of the register, from ``since`` until ``ended_on``; masked (R-SE-2)."""

    __tablename__ = "low_income_person"
    __table_args__ = (
        Index("ix_low_income_person_recorded_id", "recorded_at", "id"),
        Index("ix_low_income_person_beneficiary", "beneficiary_id", "category"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    name_masked: Mapped[str] = mapped_column(String(60))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    member_id: Mapped[str | None] = mapped_column(String(32))
    beneficiary_id: Mapped[str | None] = mapped_column(String(32))
    application_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    since: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
