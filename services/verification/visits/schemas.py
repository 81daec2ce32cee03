"""API shapes of neighbour visits (邻里访问)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.verification.investigations.schemas import StaffId, StaffOut
from shared.inputs import Address, Label, Moment, PersonName, Reason


class VisitIn(BaseModel):
    """Who visited whom, when, and what was said (R-VE-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"visited_at": "2026-11-27T10:30:00+08:00",
         "visitors": ["demo-caseworker-230722100", "demo-township_leader-230722100"],
         "neighbour_name": "张桂兰", "neighbour_relation": "邻居(同组)",
         "neighbour_address": "嘉荫县朝阳镇东风村3组",
         "statement": "王家日子紧, 李秀兰常年吃药, 王建国农闲时在镇上打零工"},
    ]})

    visited_at: Moment = Field(description="when (not in the future)")
    visitors: list[StaffId] = Field(
        default_factory=list, max_length=10,
        description="user ids of the assigned investigators who went; empty: you")
    neighbour_name: PersonName
    neighbour_relation: Label = Field(description="who they are to the household: 邻居, 村民组长…")
    neighbour_address: Address | None = None
    statement: Reason = Field(description="what the neighbour said")


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    investigation_id: str
    visited_at: datetime
    visitors: list[StaffOut]
    neighbour_name: str
    neighbour_relation: str
    neighbour_address: str | None
    statement: str
    recorded_at: datetime
    recorded_by: str
