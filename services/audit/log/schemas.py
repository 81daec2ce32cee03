"""API shapes of the operation log and of its verification report."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.audit.log.models import AuditEntry
from shared.masking import mask_personal_data


class ActorOut(BaseModel):
    """Who caused the event: user, role and the divisions they acted for."""

    user_id: str
    role: str
    divisions: list[str] = Field(default_factory=list)


class AuditEntryOut(BaseModel):
    """One entry of the log: the event's who, what, when and which record, and its chain link."""

    seq: int
    event_id: str
    type: str
    service: str
    record_id: str
    division: str | None
    actor: ActorOut
    correlation_id: str
    request_id: str | None
    source_address: str | None
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        envelope = json.loads(entry.payload)
        actor = envelope.get("actor") or {}
        return cls(
            seq=entry.seq, event_id=entry.event_id, type=entry.event_type, service=entry.service,
            record_id=entry.record_id, division=entry.division,
            actor=ActorOut(user_id=entry.actor_user, role=entry.actor_role,
                           divisions=list(actor.get("divisions") or [])),
            correlation_id=entry.correlation_id, request_id=entry.request_id,
            source_address=entry.source_address, occurred_at=entry.occurred_at,
            recorded_at=entry.recorded_at,
            data=mask_personal_data(envelope.get("data") or {}),
            prev_hash=entry.prev_hash, hash=entry.hash,
        )


class ChainBreakOut(BaseModel):
    """The first bad entry: hash_mismatch (altered), prev_hash_mismatch (chain broken) or
    seq_gap (entry removed)."""

    seq: int
    event_id: str
    reason: str
    detail: str


class ChainHead(BaseModel):
    """The last entry verified: keep its hash to notice later a rewritten or cut-off tail."""

    seq: int
    hash: str


class VerificationReport(BaseModel):
    """The result of recomputing the whole chain (R-AU-2, R-AU-3)."""

    ok: bool
    entries: int
    breaks: int = Field(description="entries that fail a check")
    first_bad: ChainBreakOut | None
    head: ChainHead | None
    verified_at: datetime
