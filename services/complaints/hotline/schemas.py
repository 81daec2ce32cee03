"""API shapes of the hotline's call log (R-CO-5)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.fields import Month
from shared.inputs import DivisionCode, Flag, Label, Moment, Phone


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "division": "230722100", "called_at": "2026-12-04T01:30:00Z", "answered": True,
        "caller_phone": "13800001234", "note": "咨询低保申请材料"}]})

    division: DivisionCode = Field(description="the county's or a township's line")
    called_at: Moment
    answered: Flag = Field(description="false: a missed call (未接)")
    caller_phone: Phone | None = Field(None, description="kept sealed, shown masked")
    note: Label | None = None


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str
    called_at: datetime
    answered: bool
    in_working_hours: bool = Field(description="on a working day within "
                                   "`ASSIST_HOTLINE_HOURS` (R-CO-5)")
    caller_phone_masked: str | None
    note: str | None
    complaint_id: str | None = Field(description="the complaint registered from the call")
    logged_by: str
    logged_at: datetime


class AnswerRateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    county: str
    month: Month
    calls: int
    in_working_hours: int
    answered_in_working_hours: int
    missed_in_working_hours: int
    rate: float | None = Field(description="接听率: answered / calls in working hours "
                               "(target 1.0); null without calls in working hours")
