"""Event data the case listens to, and the API shape of a review case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.divisions import DivisionCode
from shared.programs import Program


class ApplicationAccepted(BaseModel):
    """Data of ``intake.application_accepted`` (docs/events.md)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    application_id: str = Field(min_length=1, max_length=32)
    application_number: str = Field(min_length=1, max_length=40)
    program: Program
    division: DivisionCode
    area: Literal["urban", "rural"]
    household_size: int = Field(ge=0)
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool


class InvestigationCompleted(BaseModel):
    """Data of ``verification.investigation_completed`` (docs/events.md)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    application_id: str = Field(min_length=1, max_length=32)
    investigation_id: str = Field(min_length=1, max_length=32)
    completed_at: AwareDatetime


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
