"""API shape of a read of the log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class LogAccessOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: str
    role: str
    division: str | None
    method: str
    path: str
    route: str
    query: str
    status: int
    subject: str
    request_id: str | None
    source_address: str | None
