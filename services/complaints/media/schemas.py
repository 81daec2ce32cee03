"""API shapes of media cases (R-CO-4)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.complaints.complaints.models import Category
from services.complaints.media.models import MediaStatus
from shared.contracts.fields import Month
from shared.inputs import CivilDate, DivisionCode, Label, Reason
from shared.programs import Program


class MediaCaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "division": "230722100201", "outlet": "伊春日报", "headline": "东风村低保评定不公",
        "summary": "报道称东风村有不符合条件的家庭享受低保。", "category": "eligibility",
        "program": "dibao", "household": "东风村三组王某户", "disclosed_on": "2026-12-01"}]})

    division: DivisionCode = Field(description="the village, township or county concerned")
    outlet: Label = Field(description="the newspaper, broadcaster or website")
    headline: Label
    summary: Reason
    category: Category
    program: Program | None = None
    household: Label | None = None
    disclosed_on: CivilDate = Field(description="the day of the disclosure: the 3 working days "
                                    "count from it")


class InvestigationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "cause": "村评议时未核实车辆信息", "course": "2025年6月申请, 7月审核确认",
        "nature": "审核把关不严", "responsible_person": "张三 (朝阳镇民政助理)",
        "proposed_handling": "停发低保, 对经办人批评教育", "rectify_by": "2027-01-31"}]})

    investigated_on: CivilDate | None = Field(None, description="default: today")
    cause: Reason
    course: Reason
    nature: Reason
    responsible_person: Label
    proposed_handling: Reason
    rectify_by: CivilDate = Field(description="the rectification ledger item's deadline "
                                  "(R-OV-3)")


class MediaCaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str
    outlet: str
    headline: str
    summary: str
    category: Category
    program: str | None
    household: str | None
    disclosed_on: date
    investigation_due_on: date = Field(description="3 working days after the disclosure")
    overdue: bool = False
    status: MediaStatus
    registered_by: str
    registered_at: datetime
    investigated_on: date | None
    cause: str | None
    course: str | None
    nature: str | None
    responsible_person: str | None
    proposed_handling: str | None
    similar_found: int | None
    rectification_item_id: str | None
    investigated_by: str | None


class SimilarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="complaint or case")
    id: str = Field(description="the complaint's id, or the case reference's")
    label: str
    division: str
    program: str | None
    reasons: list[str] = Field(description="why it matched: same village/township, program, "
                               "kind of problem")


class HandlingRateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    county: str
    month: Month
    disclosed: int
    investigated: int
    investigated_on_time: int
    overdue: int
    rate: float | None = Field(description="调处率: investigated / disclosed (target 1.0)")
