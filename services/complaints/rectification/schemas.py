"""API shapes of the rectification ledger (R-OV-3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import CivilDate, DivisionCode, Identifier, Label, Reason


class ItemIn(BaseModel):
    """A finding of the county's own inspection or of the audit, put on the ledger."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"source": "inspection", "source_id": "DC-2026-11-03", "division": "230722100",
         "finding": "朝阳镇3户低保家庭入户调查记录缺少调查人签字",
         "responsible": "李明 朝阳镇民政办主任", "due_on": "2026-12-31"},
    ]})

    source: Literal["inspection", "audit"] = Field(
        description="inspection (督查、检查) or audit (审计、日志核查); other sources open "
        "their items themselves")
    source_id: Identifier = Field(description="the inspection's or audit's reference")
    division: DivisionCode = Field(description="the township (or county) that rectifies")
    finding: Reason
    responsible: Label = Field(description="责任人: name and post")
    due_on: CivilDate = Field(description="整改时限, today or later")
    case_id: Identifier | None = Field(None, description="the record concerned, if one")


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "已补齐3户调查记录签字, 镇民政办组织全员学习入户调查规范"},
    ]})

    note: Reason


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"result": "经县民政局复查, 3户调查记录已补正, 整改完成"},
    ]})

    result: Reason


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    note: str
    by: str
    at: datetime


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source: str = Field(description="spot_check, inspection, monitoring, supervision, "
                        "complaint, media or audit")
    source_id: str
    division: str
    finding: str
    responsible: str
    due_on: date
    status: str = Field(description="open, rectifying or done")
    overdue: bool = Field(False, description="not done and past its deadline")
    case_id: str | None
    opened_by: str
    opened_at: datetime
    follow_up_count: int
    result: str | None
    closed_by: str | None
    closed_at: datetime | None
    closed_on: date | None


class ItemDetailOut(ItemOut):
    follow_ups: list[FollowUpOut]
