"""API shapes of investigations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class InvestigationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    application_number: str
    program: str
    division: str
    household_size: int
    status: str
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool
    opened_at: datetime
