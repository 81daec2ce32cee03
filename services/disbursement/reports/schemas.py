"""API shapes of disbursement's reports: work funds against 2% (R-DI-8) and the monthly summary
per township and county. Money in integer fen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import AmountFen, CivilDate, DivisionCode
from shared.inputs.text import TextRule

Purpose = Annotated[str, TextRule(max_length=200)]


class SpendingIn(BaseModel):
    """Work funds (工作经费) a county spent: training, equipment, checks, purchased services."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "amount_fen": 1_200_000, "spent_on": "2026-11-20",
         "purpose": "购买社会救助经办服务（第四季度）"}]})

    county: DivisionCode = Field(description="the 6-digit county")
    amount_fen: Annotated[AmountFen, Field(gt=0)]
    spent_on: CivilDate = Field(description="the day spent; its year is the report's year")
    purpose: Purpose


class SpendingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    county: str
    year: int
    amount_fen: int
    spent_on: date
    purpose: str
    recorded_by: str
    recorded_at: datetime


class WorkFundReport(BaseModel):
    """R-DI-8: a county's work funds of a year against 2% of the assistance funds it paid."""

    county: str
    year: int
    assistance_paid_fen: int = Field(description="payments paid for the year's months")
    work_funds_fen: int = Field(description="work funds recorded for the year")
    limit_fen: int = Field(description="2% of the assistance paid (rounded down)")
    share_basis_points: int | None = Field(
        description="work funds per 10,000 of assistance paid (200 = 2%); null when none paid")
    over_limit: bool = Field(description="work funds exceed 2% (R-DI-8)")
    excess_fen: int = Field(description="by how much, 0 when within")


class StatusFigures(BaseModel):
    count: int
    amount_fen: int


class SummaryRow(BaseModel):
    """One township (or the county) and program in a month."""

    division: str = Field(description="the township, or the county for its totals")
    program: str | None = Field(description="null: every program")
    payees: int = Field(description="payees paid for the month (active in it)")
    payments: int
    amount_fen: int
    ready: StatusFigures
    held: StatusFigures
    sent: StatusFigures
    paid: StatusFigures
    failed: StatusFigures


class MonthlySummary(BaseModel):
    month: str
    county: str
    rows: list[SummaryRow] = Field(description="per township and program, then per township, "
                                   "then the county's totals (division = county, program null)")
