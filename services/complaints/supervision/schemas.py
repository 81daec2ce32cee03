"""API shapes of the monthly supervision (R-OV-4)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.complaints.supervision.report import MonthlyReport
from shared.contracts.fields import Month
from shared.inputs import CivilDate, DivisionCode, Label, Reason


class ProblemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding: Reason
    responsible: Label = Field(description="责任人")
    due_on: CivilDate = Field(description="整改时限, today or later")


class VisitIn(BaseModel):
    """The county's supervision of a township in a month (R-OV-4)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"township": "230722100", "month": "2026-11", "visited_on": "2026-11-20",
         "supervisors": "王强 县民政局社会救助股股长; 赵敏 县民政局",
         "seen": "查阅11月审批档案12份, 入户走访3户; 公示栏按时更新",
         "problems": [{"finding": "2份档案缺少民主评议记录",
                       "responsible": "李明 朝阳镇民政办主任", "due_on": "2099-12-31"}]},
    ]})

    township: DivisionCode
    month: Month
    visited_on: CivilDate = Field(description="a day of the month, not after today")
    supervisors: Label = Field(description="who supervised (names and posts)")
    seen: Reason = Field(description="what was seen")
    problems: list[ProblemIn] = Field(default_factory=list, max_length=50,
                                      description="each goes on the rectification ledger")


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str = Field(description="the township")
    month: str
    visited_on: date
    supervisors: str
    seen: str
    problems: int
    item_ids: list[str] = Field(description="the problems' rectification items")
    recorded_by: str
    recorded_at: datetime


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "month": "2026-11"},
    ]})

    county: DivisionCode
    month: Month = Field(description="an ended month")


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str = Field(description="the county")
    month: str
    version: int
    sha256: str = Field(description="of the report's canonical JSON")
    made_by: str
    made_at: datetime
    content: MonthlyReport
