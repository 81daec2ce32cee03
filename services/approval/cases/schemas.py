"""The API shape of a review case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReviewCaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    application_number: str
    program: str
    division: str
    area: str
    household_size: int
    status: str
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool
    overdue: bool = Field(False, description="the R-AP-7 deadline (24:00 Asia/Shanghai) has passed")
    opened_at: datetime
    investigation_id: str | None
    investigation_completed_at: datetime | None
    closed_at: datetime | None = Field(
        None, description="when the application ended at intake (status `closed`)")
    closed_reason: str | None = Field(
        None, description="`application_refused` or `application_withdrawn`")
    closed_detail: str | None = Field(None, description="the refusal's or withdrawal's reason")
    review_extended: bool = Field(False, description="the review period was extended (R-AP-7)")
    members: list[dict[str, Any]] | None = Field(
        None, description="the members as intake counted them, ID numbers masked (what the "
        "initial opinion computes on, R-AP-1)")
    investigation: dict[str, Any] | None = Field(
        None, description="the completed investigation's figures (R-AP-1)")
