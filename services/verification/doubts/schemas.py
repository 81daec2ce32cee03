"""API shapes of doubts (疑点)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.verification import DoubtEffect, PutMethod
from shared.inputs import MAX_FEN, WHOLE_NUMBER, Identifier, Label, Moment, Reason, RecordId

IncomeDelta = Annotated[int, Field(strict=True, ge=-MAX_FEN, le=MAX_FEN), WHOLE_NUMBER]


class DoubtIn(BaseModel):
    """A doubtful item, raised from a cross-check result (R-VE-4) or by hand (R-VE-5)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"item": "车辆登记", "description": "邻居反映其家有一辆农用三轮车, 申报中没有"},
        {"item": "住房公积金",
         "description": "核对发现户主有住房公积金缴存记录, 与申报的打零工不符",
         "check_result_id": "c41d7e2a9f8b4c6d8e0a1b2c3d4e5f60"},
    ]})

    item: Label = Field(description="what is doubtful, in a few words")
    description: Reason = Field(description="why it is doubtful")
    check_result_id: Identifier | None = Field(
        None, description="the cross-check result it comes from; absent: raised by hand")


class PutIn(BaseModel):
    """The doubt put to the applicant: when and how (R-VE-5)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"put_at": "2026-11-28T09:00:00+08:00", "method": "in_person",
         "note": "当面询问, 申请人称三轮车已于去年卖掉"},
    ]})

    put_at: Moment = Field(description="when (not in the future)")
    method: PutMethod
    note: Reason | None = Field(None, description="what the applicant was told or said")
    late_reason: Reason | None = Field(
        None, description="required when put after the review period ended (`review_due_on`, "
        "R-AP-7): why it could not be put in time; without it a late doubt is refused")


class ResolutionIn(BaseModel):
    """How the doubt ends (R-VE-5): substantiated, with its effect on income, assets or
    eligibility; or unsubstantiated, with the evidence that cleared it (archived first as
    evidence files)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcome": "unsubstantiated",
         "finding": "车辆已于2025年10月转让, 有转让协议和车管所过户记录",
         "effect": "none", "evidence_ids": ["9b2e4d6f8a0c4e1f9d3b5a7c9e1f3a07"]},
        {"outcome": "substantiated", "finding": "户主另有运输零活收入, 月均约300元, 未申报",
         "effect": "income", "income_delta_fen": 30000,
         "evidence_ids": ["9b2e4d6f8a0c4e1f9d3b5a7c9e1f3a08"]},
    ]})

    outcome: Literal["substantiated", "unsubstantiated"]
    finding: Reason = Field(description="what was found")
    effect: DoubtEffect = Field("none", description="substantiated: what it changes (`income`, "
                                "`assets`, `eligibility`); unsubstantiated: `none`")
    income_delta_fen: IncomeDelta | None = Field(
        None, description="effect `income`: the monthly income it adds (negative: removes)")
    evidence_ids: list[RecordId] = Field(
        default_factory=list, max_length=20,
        description="evidence files of this investigation that support the outcome; at least "
        "one for an unsubstantiated doubt")


class DoubtOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    investigation_id: str
    source: str
    check_result_id: str | None
    item: str
    description: str
    status: str = Field(description="raised, put (to the applicant), substantiated or "
                        "unsubstantiated")
    raised_at: datetime
    raised_by: str
    put_at: datetime | None
    put_method: str | None
    put_note: str | None
    late_reason: str | None
    effect: str | None
    income_delta_fen: int | None
    finding: str | None
    evidence_ids: list[str] | None
    resolved_at: datetime | None
    resolved_by: str | None
    application_number: str = ""
    division: str = ""
    review_due_on: date | None = None
    overdue: bool = Field(False, description="open after the review period ended")
