"""API shapes of the operation log and of its verification report."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.audit.inspection.personal import masked
from services.audit.log.models import AuditEntry
from services.audit.log.outside import OutsideReport
from shared.sealing import Sealer


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
    def of(cls, entry: AuditEntry, sealer: Sealer | None) -> AuditEntryOut:
        """The entry for a reader: personal data opened and masked (R-SE-2)."""
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
            data=masked(envelope, sealer),
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


class ChainReport(BaseModel):
    """The result of recomputing one hash chain (the reads of the log, ``log_access``)."""

    ok: bool
    entries: int
    breaks: int = Field(description="rows that fail a check")
    first_bad: ChainBreakOut | None = Field(
        description="the first bad row; its `event_id` is the row's id")
    head: ChainHead | None


class Finding(BaseModel):
    """One event or entry on which the log and the stream disagree."""

    event_id: str
    seq: int | None = Field(description="the entry's seq in the log (none for a gap)")
    stream_seq: int | None = Field(description="the message's sequence in the stream "
                                   "(none for a stranger)")
    subject: str | None = Field(description="the stream subject (none for a stranger)")
    type: str | None = None


class CompletenessReport(BaseModel):
    """The log against its stream: what the stream still holds, what is missing or foreign."""

    checked: bool = Field(description="false if the stream could not be read")
    ok: bool
    stream: str
    subjects: str
    stream_first_seq: int | None = Field(
        description="the stream's first message still kept: events before it (dropped by the "
        "stream's limits) can be proven by checkpoints only")
    stream_last_seq: int | None
    stream_first_time: datetime | None
    stream_events: int = Field(description="events of the county in the stream")
    log_entries: int
    gaps: int = Field(description="events in the stream, handled, not in the log")
    strangers: int = Field(description="entries whose event the stream does not have")
    rewritten: int = Field(description="entries that differ from their event in the stream")
    pending: int = Field(description="events the consumer has not handled yet")
    parked: int = Field(description="events parked in the dead letters, not in the log")
    unprovable: int = Field(description="entries older than the stream's first message")
    first_gaps: list[Finding]
    first_strangers: list[Finding]
    first_rewritten: list[Finding]
    error: str | None = None


class VerificationReport(BaseModel):
    """The result of recomputing the whole chain (R-AU-2, R-AU-3)."""

    ok: bool
    entries: int
    breaks: int = Field(description="entries that fail a check")
    first_bad: ChainBreakOut | None
    head: ChainHead | None
    checkpoints: OutsideReport | None = Field(
        None, description="the log against the signed checkpoints of the operator's file "
        "(held outside the database): the first checkpoint it no longer matches and where "
        "the difference lies; `ok` is false if one disagrees")
    completeness: CompletenessReport | None = Field(
        None, description="the log against the stream it comes from: gaps, strangers, "
        "rewritten entries; `ok` is false if any is found")
    access: ChainReport | None = Field(
        None, description="the chain of the reads of the log (`log_access`), checked the same "
        "way; `ok` is false if either chain breaks")
    verified_at: datetime
