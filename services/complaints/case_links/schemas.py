"""API shape of a case reference."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CaseReferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    service: str
    record_id: str
    division: str | None
    application_id: str | None
    application_number: str | None
    program: str | None
    last_event_type: str
    event_count: int
    first_seen: datetime
    last_seen: datetime
