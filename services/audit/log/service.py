"""Rules of the operation log: append every event once, in one chain; search; verify; export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit.access.service import verify_access
from services.audit.checkpoints import tree
from services.audit.checkpoints.models import MerkleNode
from services.audit.inspection import personal
from services.audit.inspection.index import index_people
from services.audit.inspection.models import PersonIndex
from services.audit.log import chain
from services.audit.log.heads import LastLink
from services.audit.log.models import AuditEntry
from services.audit.log.outside import OutsideReport
from services.audit.log.schemas import (
    ChainBreakOut,
    ChainHead,
    CompletenessReport,
    VerificationReport,
)
from shared.auth import Role, User
from shared.bulk import insert_of
from shared.db import per_transaction, utcnow
from shared.events import Envelope
from shared.inputs import Keyset, Window
from shared.problems import NotFound
from shared.sealing import Sealer

APPEND_LOCK_KEY = int.from_bytes(b"auditlog", "big")
"""The PostgreSQL advisory lock that serialises appends across replicas."""

BATCH_SIZE = 500
"""Entries read per query when verifying or exporting the whole log."""

SEES_UNDIVIDED = frozenset({Role.auditor, Role.city_officer})
"""Roles that also see entries with no division (system-wide events)."""

ENTRIES = Keyset("audit-entries", AuditEntry.seq.asc())
"""The order of a search of the log and its cursors: chain order."""


def entry_fields(envelope: Envelope, *, recorded_at: datetime,
                 stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns of an entry for ``envelope``, all but its place in the chain (R-AU-1);
    ``stored`` is its JSON form when the caller has it already."""
    parts = envelope.type.split(".")
    return {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "service": parts[1] if len(parts) > 2 else envelope.source.rstrip("/").split("/")[-1],
        "record_id": envelope.subject,
        "division": envelope.division,
        "actor_user": envelope.actor.user_id,
        "actor_role": envelope.actor.role,
        "correlation_id": envelope.correlationid,
        "request_id": envelope.requestid,
        "source_address": envelope.sourceaddress,
        "occurred_at": envelope.time,
        "recorded_at": recorded_at,
        "payload": chain.canonical_json(
            envelope.model_dump(mode="json") if stored is None else stored),
    }


CHAIN = LastLink("audit_chain_head", APPEND_LOCK_KEY, select(
    AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
"""The log's head as a transaction appending to it knows it (``heads.LastLink``)."""
BATCH = "audit_batch_rows"
"""``session.info`` key (``shared.db.per_transaction``) of a consumer batch's rows
(:class:`BatchRows`), from :func:`gather_entries` to :func:`write_entries`."""


async def chain_head(session: AsyncSession) -> tuple[int, str] | None:
    """The last entry's (seq, hash), read once per transaction, under the append lock.

    The consumer applies a fetched batch in one transaction: the head is read for the first event
    and carried in the session for the others, so a batch is sealed with one read.
    """
    return await CHAIN.read(session)


@dataclass
class BatchRows:
    """A consumer batch's rows, gathered event by event as plain values and written after its
    last event, one statement a table: the ORM's object and flush bookkeeping for an entry, its
    Merkle nodes and its person index rows cost more than the rows' own work."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)


_ENTRIES = AuditEntry.metadata.tables[AuditEntry.__tablename__]
_NODES = MerkleNode.metadata.tables[MerkleNode.__tablename__]
_PEOPLE = PersonIndex.metadata.tables[PersonIndex.__tablename__]


@dataclass
class _Gathering:
    rows: BatchRows | None = None
    """The batch's rows while a consumer's batch gathers them, else None."""


def _gathering(session: AsyncSession) -> _Gathering:
    gathering: _Gathering = per_transaction(session, BATCH, _Gathering)
    return gathering


async def gather_entries(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """The consumer's batch hook before its first event: rows are gathered as plain values."""
    _gathering(session).rows = BatchRows()


async def write_entries(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """The consumer's batch hook after its last event: the batch's entries in one statement, in
    chain order (the chain's guard sees them as it saw them one by one), then their Merkle nodes
    and person index rows, one statement each (Core executemany: no ORM object a row)."""
    gathering = _gathering(session)
    batch, gathering.rows = gathering.rows, None
    if batch is None or not batch.entries:
        return
    connection = await session.connection()
    for table, rows in ((_ENTRIES, batch.entries), (_NODES, batch.nodes),
                        (_PEOPLE, batch.people)):
        if rows:
            await connection.execute(insert_of(table), rows)


async def append_entry(session: AsyncSession, envelope: Envelope) -> dict[str, Any]:
    """Append ``envelope`` after the last entry, linked by its hash; returns the entry's columns.

    An event enters only once: the consumer's inbox row commits with the entry, and the unique
    ``event_id`` refuses a second one whatever happens. The entry, its Merkle nodes (R-AU-2) and
    its person index rows (R-AU-3) are written in this transaction: by :func:`write_entries`
    after the consumer's batch, else at commit (entities).
    """
    previous = await chain_head(session)
    await tree.load_frontier(session, previous)
    stored = envelope.model_dump(mode="json")  # once: for the payload and the person index
    record = chain.seal(entry_fields(envelope, recorded_at=utcnow(), stored=stored),
                        previous=previous)
    seq, entry_hash = record["seq"], record["hash"]
    CHAIN.moved(session, (seq, entry_hash))
    nodes = tree.extend(session, seq, entry_hash)
    people = index_people(session, stored, seq=seq)
    batch = _gathering(session).rows
    if batch is not None:
        batch.entries.append(record)
        batch.nodes += nodes
        batch.people += people
    else:
        session.add(AuditEntry(**record))
        session.add_all([MerkleNode(**node) for node in nodes])
        session.add_all([PersonIndex(**row) for row in people])
    return record


def visible_to(user: User) -> ColumnElement[bool]:
    """Entries inside the user's divisions; auditors and city officers also see undivided ones."""
    within = user.jurisdiction(AuditEntry.division)
    if user.role in SEES_UNDIVIDED:
        return or_(within, AuditEntry.division.is_(None))
    return within


def _in_period(query: Select[Any], since: datetime | None, until: datetime | None) -> Select[Any]:
    if since is not None:
        query = query.where(AuditEntry.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEntry.occurred_at < until)
    return query


async def record_log(session: AsyncSession, *, user: User, record_id: str) -> Sequence[AuditEntry]:
    """The log of one record (case, application, payment...) in seq order."""
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_id == record_id, visible_to(user))
            .order_by(AuditEntry.seq)
        )
    ).all()
    if not entries:
        raise NotFound(f"no log entries you may read for record {record_id}")
    return entries


async def search_entries(
    session: AsyncSession, *, user: User, record_id: str | None = None,
    actor_user: str | None = None, event_type: str | None = None, service: str | None = None,
    correlation_id: str | None = None, since: datetime | None = None,
    until: datetime | None = None, window: Window | None = None,
) -> Sequence[AuditEntry]:
    """Entries by case, user, type, chain of work and time, in seq order (R-AU-3,
    :data:`ENTRIES`)."""
    query = select(AuditEntry).where(visible_to(user))
    for column, value in ((AuditEntry.record_id, record_id), (AuditEntry.actor_user, actor_user),
                          (AuditEntry.event_type, event_type), (AuditEntry.service, service),
                          (AuditEntry.correlation_id, correlation_id)):
        if value is not None:
            query = query.where(column == value)
    query = (window or Window(ENTRIES, limit=100)).apply(_in_period(query, since, until))
    return (await session.scalars(query)).all()


async def _head_seq(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.max(AuditEntry.seq))) or 0)


async def _batches(
    sessions: async_sessionmaker[AsyncSession], query: Select[Any], *, through: int,
    batch_size: int,
) -> AsyncIterator[Sequence[AuditEntry]]:
    """Entries of ``query`` up to seq ``through``, one short transaction per batch."""
    after = 0
    while after < through:
        async with sessions() as session:
            batch = (
                await session.scalars(
                    query.where(AuditEntry.seq > after, AuditEntry.seq <= through)
                    .order_by(AuditEntry.seq).limit(batch_size)
                )
            ).all()
        if not batch:
            return
        yield batch
        after = batch[-1].seq


async def verify_log(
    sessions: async_sessionmaker[AsyncSession], *, batch_size: int = BATCH_SIZE,
    completeness: CompletenessReport | None = None, outside: OutsideReport | None = None,
) -> VerificationReport:
    """Recompute the whole chain, batch by batch, and name the first bad entry (R-AU-2)."""
    verifier = chain.ChainVerifier()
    head: ChainHead | None = None
    async for batch in _batches(sessions, select(AuditEntry), through=await _head_seq(sessions),
                                batch_size=batch_size):
        for entry in batch:
            verifier.check(entry.stored())
        head = ChainHead(seq=batch[-1].seq, hash=batch[-1].hash)
    first = verifier.first_break
    access = await verify_access(sessions, batch_size=batch_size)
    return VerificationReport(
        ok=first is None and access.ok and (completeness is None or completeness.ok)
        and (outside is None or outside.ok),
        entries=verifier.entries, breaks=verifier.breaks,
        first_bad=ChainBreakOut(**first.as_dict()) if first else None, head=head,
        checkpoints=outside, completeness=completeness, access=access, verified_at=utcnow(),
    )


def export_line(entry: AuditEntry, sealer: Sealer | None = None) -> bytes:
    """One JSON line: every stored column as hashed, so the chain can be checked offline, and
    ``data``, the event data to read, personal fields masked (R-SE-2). The stored payload keeps
    personal fields sealed (ciphertext, useless without the installation's keys); an entry from
    before sealing that holds one in clear has its payload masked too and says so
    (``payload_masked``: its own hash can then not be recomputed, its link and proof still hold).
    """
    record = chain.hashed_record(entry.stored()) | {"hash": entry.hash}
    envelope = json.loads(entry.payload)
    if personal.holds_clear_personal_data(envelope):
        record["payload"] = chain.canonical_json(
            {**envelope, "data": personal.masked(envelope, None)})
        record["payload_masked"] = True
    record["data"] = personal.masked(envelope, sealer)
    return (chain.canonical_json(record) + "\n").encode("utf-8")


async def export_log(
    sessions: async_sessionmaker[AsyncSession], *, user: User, since: datetime | None = None,
    until: datetime | None = None, batch_size: int = BATCH_SIZE, sealer: Sealer | None = None,
    through: int | None = None,
) -> AsyncIterator[bytes]:
    """The entries the user may read, up to ``through`` (default: the head at the start), as
    JSON lines (R-AU-3), personal data masked (R-SE-2)."""
    query = _in_period(select(AuditEntry).where(visible_to(user)), since, until)
    if through is None:
        through = await _head_seq(sessions)
    async for batch in _batches(sessions, query, through=through, batch_size=batch_size):
        for entry in batch:
            yield export_line(entry, sealer)
