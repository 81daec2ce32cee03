"""API shapes of the monitoring (R-OV-2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.fields import Month
from shared.inputs import CivilDate, DivisionCode, Label
from shared.programs import Program


class PopulationLoadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str = Field(description="the county")
    year: int
    version: int = Field(description="the year's loads count 1, 2, …; the latest is used")
    townships: int
    total_population: int
    sha256: str = Field(description="of the file loaded")
    loaded_by: str
    loaded_at: datetime


class PopulationLoadDetailOut(PopulationLoadOut):
    figures: dict[str, int] = Field(description="township code → population")


class FlagOut(BaseModel):
    code: str = Field(description="coverage_low, coverage_high, average_low, average_high, "
                      "no_population or no_recipients")
    reason: str


class TownshipOut(BaseModel):
    township: str
    population: int | None = Field(description="null: no figure loaded")
    recipients: int = Field(description="paid in the month (households, or persons where the "
                            "program pays persons)")
    persons: int = Field(description="people covered, where the events list them")
    amount_fen: int = Field(description="the month's benefits, summed")
    coverage_percent: float | None = Field(description="recipients / population × 100")
    average_fen: int | None = Field(description="amount / recipients, rounded")
    coverage_ratio: float | None = Field(description="the township's coverage / the county's")
    average_ratio: float | None = Field(description="the township's average / the county's")
    outlier: bool
    flags: list[FlagOut]


class MonitoringOut(BaseModel):
    county: str
    month: str
    program: str
    population_year: int | None
    population_version: int | None
    population: int | None
    recipients: int
    amount_fen: int
    coverage_percent: float | None
    average_fen: int | None
    thresholds: dict[str, float | int] = Field(description="the outlier rule's parameters")
    townships: list[TownshipOut]


class InspectionIn(BaseModel):
    """A township the monitoring flags is sent to inspection (R-OV-2 → R-OV-3)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "month": "2026-11", "program": "dibao", "township": "230722100",
         "responsible": "李明 朝阳镇民政办主任", "due_on": "2099-12-31"},
    ]})

    county: DivisionCode
    month: Month
    program: Program
    township: DivisionCode
    responsible: Label = Field(description="责任人")
    due_on: CivilDate = Field(description="整改时限, today or later")
