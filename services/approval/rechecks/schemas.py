"""API shapes of re-checks (复核, R-DY-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import CivilDate, Flag, Reason


class RecheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    beneficiary_id: str
    division: str
    program: str
    trigger: str = Field(description="scheduled (R-DY-2) or requested by a caseworker")
    due_on: date
    overdue: bool = Field(False, description="not done by the end of its due day")
    frequency_months: int = Field(description="12 yearly, 6 half-yearly")
    reasons: list[str]
    status: str = Field(description="requested, completed or cancelled (the benefit stopped)")
    requested_at: datetime
    requested_by: str
    task_id: str | None = Field(description="verification's re-check task")
    visited_on: date | None
    completed_at: datetime | None
    completed_by: str | None
    findings: str | None
    outcome: str | None = Field(description="unchanged, increase, decrease, gradual_exit, stop")
    assessed_fen: int | None
    adjustment_id: str | None = Field(description="the adjustment it proposed (R-DY-3)")


class RecheckDetail(RecheckOut):
    result: dict[str, Any] | None = Field(description="the household as found")
    assessment: dict[str, Any] | None = Field(description="the rules' result step by step")


class RecheckRequestIn(BaseModel):
    """Ask for a re-check now (a reported change, a spot check of a flagged case)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"due_on": "2027-01-15"}, {},
    ]})

    due_on: CivilDate | None = Field(None, description="default: today or the next due day")


class OverdueLine(BaseModel):
    division: str = Field(description="a township (9 digits) or a county (6)")
    level: str = Field(description="township or county")
    open: int = Field(description="re-checks issued and not done")
    overdue: int = Field(description="of them past their due day (R-DY-2)")


class RecheckScheduleIn(BaseModel):
    """Whether the household's income is unsteady (R-DY-2: re-checked every 6 months)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"unsteady_income": True, "reason": "户主改为季节性务工, 收入不稳定 (村委会报告)"},
    ]})

    unsteady_income: Flag
    reason: Reason
