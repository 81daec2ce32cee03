"""Work funds (工作经费) spent per county and year, for the R-DI-8 report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class WorkFundSpending(Base):
    __tablename__ = "work_fund_spending"
    __table_args__ = (Index("ix_work_fund_spending_county_year", "county", "year"),
                      Index("ix_work_fund_spending_recorded_at_id", "recorded_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    county: Mapped[str] = mapped_column(String(6))
    year: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    spent_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
