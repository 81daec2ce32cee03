"""API shapes of the low-income register (低收入人口, R-DY-4), masked (R-SE-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import DivisionCode, PersonName, Reason, ResidentIdNumber


class LowIncomePersonIn(BaseModel):
    """Staff add someone the roll does not bring (R-DY-4): at risk of falling (back) into
    poverty (易返贫致贫), in expenditure hardship, near-dibao, or other low-income."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"category": "at_risk", "division": "230722100201", "name": "赵德福",
         "id_number": "230722196504120011", "note": "因病返贫风险, 乡村振兴部门监测对象"},
        {"category": "expenditure_hardship", "division": "230722100201", "name": "孙桂兰",
         "note": "子女大学学费负担重"},
    ]})

    category: Literal["near_dibao", "at_risk", "expenditure_hardship", "other"]
    division: DivisionCode = Field(description="the person's village or township")
    name: PersonName = Field(description="kept masked")
    id_number: ResidentIdNumber | None = Field(None, description="kept masked only")
    note: Reason | None = None


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "家庭收入稳定, 经核查已消除风险"},
    ]})

    reason: Reason


class LowIncomePersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    category: str = Field(description="dibao, tekun, near_dibao, at_risk, "
                          "expenditure_hardship, other")
    division: str
    name_masked: str
    id_number_masked: str | None
    member_id: str | None
    beneficiary_id: str | None
    application_id: str | None
    source: str = Field(description="roll, temporary_aid or staff")
    active: bool
    since: date
    ended_on: date | None
    ended_reason: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class CountsOut(BaseModel):
    division: str | None
    counts: dict[str, int] = Field(description="people on the register now, per category")
