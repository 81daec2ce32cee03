"""API shapes of evidence files."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    investigation_id: str
    kind: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the file, as recorded in `evidence_uploaded`")
    description: str | None
    uploaded_at: datetime
    uploaded_by: str
