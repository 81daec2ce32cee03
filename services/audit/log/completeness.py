"""Completeness (完整性): the log checked against the JetStream stream it comes from (R-AU-2).

Every entry of the log comes from the stream: the audit consumer takes every event of the county
(subjects ``assist.<county>.>``), staff operations that emit nothing included (they travel as
``operation_recorded`` events through each service's outbox). The audit service's own reads are
kept apart in ``log_access``, never in the log. So, for the messages the stream still holds:

- every event of the county in the stream is in the log, with the same content, or parked in the
  audit service's dead letters, or not yet handled (beyond the consumer's ack floor): otherwise
  it is a **gap** (an entry deleted, a tail cut off and the inbox left saying "handled");
- every entry is an event of the stream: otherwise it is a **stranger** (a forged entry);
- an entry whose columns differ from the event as it travelled is **rewritten** (say its actor
  changed and every hash after it recomputed: the chain holds, the stream disagrees).

What it cannot prove: the stream keeps messages within its limits (max age, size, count). An
entry logged before the first entry whose event the stream still holds is *unprovable* here,
not a stranger (the log is in the stream's order, give or take a redelivery); only the
checkpoints held outside (services/audit/checkpoints/) vouch for that part of the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit.log import chain
from services.audit.log.models import AuditEntry
from services.audit.log.schemas import CompletenessReport, Finding
from services.audit.log.service import entry_fields
from shared.bus import Bus
from shared.dead_letters import PARKED
from shared.events import SUBJECT_ROOT, Envelope
from shared.service import ServiceKit
from shared.settings import Settings

ORIGIN_COLUMNS = tuple(c for c in chain.HASHED_COLUMNS
                       if c not in ("seq", "recorded_at", "prev_hash"))
"""The columns of an entry that come from its event (not its place in the chain)."""

FETCH = 500
LISTED = 100
"""Gaps, strangers and rewritten entries named at most (each list), the first ones."""


def origin_digest(fields: dict[str, Any]) -> str:
    """SHA-256 of the columns an entry takes from its event, as the log stores them."""
    return hashlib.sha256(chain.canonical_json(chain.hashed_record(fields, ORIGIN_COLUMNS))
                          .encode("utf-8")).hexdigest()


@dataclass
class _Message:
    stream_seq: int
    subject: str
    type: str
    digest: str


@dataclass
class _StreamScan:
    first_seq: int | None = None
    last_seq: int | None = None
    first_time: datetime | None = None
    events: dict[str, _Message] = field(default_factory=dict)
    unreadable: int = 0


async def scan_stream(bus: Bus, settings: Settings) -> _StreamScan:
    """Every event of the county still in the stream: id → (stream seq, subject, digest)."""
    subjects = f"{SUBJECT_ROOT}.{settings.county}.>"
    scan = _StreamScan()
    info = await bus.js.stream_info(settings.stream)
    if not info.state.messages:
        return scan
    scan.first_seq, scan.last_seq = info.state.first_seq, info.state.last_seq
    sub = await bus.js.pull_subscribe(
        subjects, stream=settings.stream,
        config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL,
                              inactive_threshold=60, filter_subject=subjects))
    try:
        pending = (await sub.consumer_info()).num_pending
        while pending:
            for msg in await sub.fetch(min(FETCH, pending), timeout=5):
                pending = msg.metadata.num_pending
                stream_seq = msg.metadata.sequence.stream
                if scan.first_time is None:
                    scan.first_time = msg.metadata.timestamp
                try:
                    envelope = Envelope.from_json(msg.data)
                except ValidationError:
                    scan.unreadable += 1
                    continue
                if envelope.id not in scan.events:  # a re-publication keeps the first place
                    fields = entry_fields(envelope, recorded_at=envelope.time)
                    scan.events[envelope.id] = _Message(stream_seq, msg.subject, envelope.type,
                                                        origin_digest(fields))
    finally:
        await sub.unsubscribe()
    return scan


async def check_completeness(
    sessions: async_sessionmaker[AsyncSession], bus: Bus, settings: Settings, *,
    handled_through: int | None = None, parked: Iterable[str] = (),
) -> CompletenessReport:
    """Compare the log with the stream (R-AU-2); ``handled_through`` is the consumer's ack floor
    (stream seq), ``parked`` the event ids in the dead letters."""
    base: dict[str, Any] = {"stream": settings.stream,
                            "subjects": f"{SUBJECT_ROOT}.{settings.county}.>"}
    try:
        scan = await scan_stream(bus, settings)
    except Exception as exc:  # noqa: BLE001 - NATS away: say so, prove nothing
        return CompletenessReport(
            checked=False, ok=False, **base, stream_first_seq=None, stream_last_seq=None,
            stream_first_time=None, stream_events=0, log_entries=0, gaps=0, strangers=0,
            rewritten=0, pending=0, parked=0, unprovable=0, first_gaps=[], first_strangers=[],
            first_rewritten=[], error=f"the stream could not be read: {exc!r}"[:300])
    parked_ids = set(parked)
    seen: set[str] = set()
    strangers: list[Finding] = []
    rewritten: list[Finding] = []
    counts = {"strangers": 0, "rewritten": 0, "unprovable": 0, "entries": 0}
    reached = (scan.first_seq or 1) <= 1  # the walk is among the events the stream still holds
    after = 0
    while True:
        async with sessions() as session:
            batch = (await session.scalars(select(AuditEntry).where(AuditEntry.seq > after)
                                           .order_by(AuditEntry.seq).limit(FETCH))).all()
        if not batch:
            break
        after = batch[-1].seq
        for entry in batch:
            counts["entries"] += 1
            message = scan.events.get(entry.event_id)
            if message is None:
                if not reached:  # logged before the stream's first message still kept
                    counts["unprovable"] += 1
                    continue
                counts["strangers"] += 1
                if len(strangers) < LISTED:
                    strangers.append(Finding(event_id=entry.event_id, seq=entry.seq,
                                             stream_seq=None, subject=None,
                                             type=entry.event_type))
                continue
            seen.add(entry.event_id)
            reached = True
            if origin_digest(entry.stored()) != message.digest:
                counts["rewritten"] += 1
                if len(rewritten) < LISTED:
                    rewritten.append(Finding(event_id=entry.event_id, seq=entry.seq,
                                             stream_seq=message.stream_seq,
                                             subject=message.subject, type=message.type))
    gaps: list[Finding] = []
    gap_count = pending = parked_count = 0
    for event_id, message in sorted(scan.events.items(), key=lambda item: item[1].stream_seq):
        if event_id in seen:
            continue
        if event_id in parked_ids:
            parked_count += 1
        elif handled_through is not None and message.stream_seq > handled_through:
            pending += 1
        else:
            gap_count += 1
            if len(gaps) < LISTED:
                gaps.append(Finding(event_id=event_id, seq=None, stream_seq=message.stream_seq,
                                    subject=message.subject, type=message.type))
    return CompletenessReport(
        checked=True, ok=not (gap_count or counts["strangers"] or counts["rewritten"]), **base,
        stream_first_seq=scan.first_seq, stream_last_seq=scan.last_seq,
        stream_first_time=scan.first_time, stream_events=len(scan.events),
        log_entries=counts["entries"], gaps=gap_count, strangers=counts["strangers"],
        rewritten=counts["rewritten"], pending=pending, parked=parked_count,
        unprovable=counts["unprovable"], first_gaps=gaps, first_strangers=strangers,
        first_rewritten=rewritten)


async def completeness_of(kit: ServiceKit) -> CompletenessReport:
    """The log against its stream, given the consumer's ack floor and the parked events."""
    handled_through: int | None = None
    parked: list[str] = []
    try:
        if kit.consumer is not None:
            info = await kit.bus.js.consumer_info(kit.settings.stream, kit.consumer.durable)
            handled_through = info.ack_floor.stream_seq if info.ack_floor else 0
    except Exception:  # noqa: BLE001 - no consumer yet: nothing handled through the stream
        handled_through = 0
    table = kit.dead_letters.table
    async with kit.sessions() as session:
        parked = list(await session.scalars(
            select(table.c.event_id).where(table.c.status == PARKED)))
    return await check_completeness(kit.sessions, kit.bus, kit.settings,
                                    handled_through=handled_through, parked=parked)
