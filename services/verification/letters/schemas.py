"""API shapes of letters asking for proof of employment income (信函索证)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import Address, AmountFen, CivilDate, Label, Reason, RecordId


class LetterIn(BaseModel):
    """A letter sent: to whom, what is asked, when (R-VE-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501", "addressee": "朝阳镇建筑队",
         "address": "嘉荫县朝阳镇建设街12号", "asked": "请说明王建国近12个月的务工收入",
         "sent_on": "2026-11-27"},
    ]})

    member_id: RecordId | None = Field(None, description="the member whose employment income "
                                       "is asked about")
    addressee: Label = Field(description="the employer or unit written to")
    address: Address | None = None
    asked: Reason = Field(description="what the letter asks")
    sent_on: CivilDate = Field(description="when it was sent (not in the future)")


class AnswerIn(BaseModel):
    """The answer received (when, what it says), or the letter recorded as unanswered with the
    reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcome": "answered", "received_on": "2026-11-30",
         "answer": "王建国2025年12月至今在本队打零工, 按日结算, 月均收入约1200元",
         "stated_monthly_income_fen": 120000, "evidence_id": "9b2e4d6f8a0c4e1f9d3b5a7c9e1f3a06"},
        {"outcome": "unanswered", "answer": "至规定日期未收到回函, 电话无人接听"},
    ]})

    outcome: Literal["answered", "unanswered"]
    received_on: CivilDate | None = Field(None, description="answered: when it came (from "
                                          "the day it was sent to today); unanswered: absent")
    answer: Reason = Field(description="what the answer says; unanswered: why it is recorded "
                           "so (no reply by the date asked, the unit closed, …)")
    stated_monthly_income_fen: AmountFen | None = Field(
        None, description="answered: the monthly income the answer states")
    evidence_id: RecordId | None = Field(None, description="the answer's scan, if uploaded")


class LetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    investigation_id: str
    member_id: str | None
    addressee: str
    address: str | None
    asked: str
    sent_on: date
    status: str = Field(description="sent (outstanding), answered or unanswered")
    recorded_at: datetime
    recorded_by: str
    received_on: date | None
    answer: str | None
    stated_monthly_income_fen: int | None
    evidence_id: str | None
    answer_recorded_at: datetime | None
    answer_recorded_by: str | None
    application_number: str = ""
    division: str = ""
    review_due_on: date | None = None
    overdue: bool = Field(False, description="outstanding after the review period ended")
