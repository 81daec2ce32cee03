"""API shapes of the spot checks (R-OV-1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.complaints.spot_checks.models import Method
from services.complaints.spot_checks.sampling import MIN_SHARE_PERCENT
from shared.inputs import WHOLE_NUMBER, CivilDate, DivisionCode, Flag, Label, Reason

Seed = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9A-Za-z_-]{8,64}$")]


class DrawIn(BaseModel):
    """The county draws its sample of an ended period (R-OV-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "period_from": "2026-11-01", "period_to": "2026-11-30"},
    ]})

    county: DivisionCode = Field(description="the county (6 digits)")
    period_from: CivilDate = Field(description="first day of the decisions drawn from")
    period_to: CivilDate = Field(description="last day, before today")
    share_percent: Annotated[int, Field(strict=True, ge=MIN_SHARE_PERCENT, le=100),
                             WHOLE_NUMBER] = Field(
        MIN_SHARE_PERCENT, description="per township, ceil(n × share / 100); at least 50")
    seed: Seed | None = Field(None, description="a seed drawn in public (lottery, dice); "
                              "default: 128 random bits")


class ResultIn(BaseModel):
    """The check's result (R-OV-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"method": "home_visit", "finding": "家庭收入核算漏计外出务工收入, 需重新核算",
         "needs_correction": True, "correction_due_on": "2099-12-31",
         "responsible": "李明 朝阳镇民政办主任"},
        {"method": "file_review", "finding": "档案齐全, 程序规范", "needs_correction": False},
    ]})

    method: Method = Field(description="file_review (查阅档案) or home_visit (入户核查)")
    finding: Reason
    needs_correction: Flag
    correction_due_on: CivilDate | None = Field(None, description="the correction deadline, "
                                                "today or later; needed if it needs correcting")
    responsible: Label | None = Field(None, description="责任人, if it needs correcting")


class TownshipDrawnOut(BaseModel):
    township: str
    population: int
    sample: int


class DrawOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str = Field(description="the county")
    period_from: date
    period_to: date
    seed: str
    share_percent: int
    population_count: int
    sample_count: int
    population_digest: str = Field(description="SHA-256 of the population in stable order")
    townships: list[TownshipDrawnOut]
    drawn_by: str
    drawn_at: datetime


class ReproductionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    draw_id: str
    seed: str
    reproduced: bool = Field(description="the draw run again gives the recorded sample")
    population_unchanged: bool = Field(description="the register holds the same decisions of "
                                       "the period as when drawn")
    population_count: int
    recorded_sample: list[str] = Field(description="case ids, as recorded")
    sample_now: list[str] = Field(description="case ids, drawn again now")


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    draw_id: str
    position: int
    case_id: str
    application_number: str
    program: str
    division: str
    township: str
    outcome: str
    decided_on: date
    status: str = Field(description="pending or checked")
    method: str | None
    finding: str | None
    needs_correction: bool | None
    correction_due_on: date | None
    rectification_item_id: str | None
    checked_by: str | None
    checked_at: datetime | None
    checked_on: date | None
