"""Recording and reading the reads of the log (R-AU-1, R-AU-3), chained like the log (R-AU-2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit.access.models import ACCESS_HASHED_COLUMNS, LogAccess
from services.audit.log import chain
from services.audit.log.heads import LastLink
from services.audit.log.schemas import ChainBreakOut, ChainHead, ChainReport
from shared.auth import User
from shared.inputs import Keyset, Window
from shared.operations import Operation

LOG_ACCESS = Keyset("log-access", LogAccess.id.desc())
"""The order of the reads of the log and its cursors: newest first."""

ACCESS_LOCK_KEY = int.from_bytes(b"auditacc", "big")
"""The PostgreSQL advisory lock that serialises recorded reads across replicas."""

BATCH_SIZE = 500


ACCESS_CHAIN = LastLink("log_access_head", ACCESS_LOCK_KEY, select(
    LogAccess.id, LogAccess.hash).order_by(LogAccess.id.desc()).limit(1))
"""The chain of reads' head as a transaction appending reads knows it (``heads.LastLink``)."""


async def access_head(session: AsyncSession) -> tuple[int, str] | None:
    """The last read's (id, hash), once per transaction, under the append lock."""
    return await ACCESS_CHAIN.read(session)


async def append_access(session: AsyncSession, **fields: object) -> LogAccess:
    """Append one read after the last, numbered and linked by its hash (R-AU-2)."""
    previous = await access_head(session)
    key, prev_hash = (previous[0] + 1, previous[1]) if previous else (1, chain.GENESIS_HASH)
    record = {**fields, "id": key, "prev_hash": prev_hash}
    record["hash"] = chain.entry_hash(record, ACCESS_HASHED_COLUMNS)
    row = LogAccess(**record)
    session.add(row)
    await session.flush()  # in id order: the chain guard checks each insert against the last
    ACCESS_CHAIN.moved(session, (row.id, row.hash))
    return row


async def record_log_access(session: AsyncSession, operation: Operation) -> None:
    """The audit service's recorder: a chained row in log_access."""
    at: datetime = operation.at
    await append_access(
        session, at=at, user_id=operation.actor.user_id, role=operation.actor.role,
        division=operation.division, method=operation.method, path=operation.path,
        route=operation.route, query=operation.query, status=operation.status,
        subject=operation.subject, request_id=operation.request_id,
        source_address=operation.source_address,
    )


async def verify_access(sessions: async_sessionmaker[AsyncSession], *,
                        batch_size: int = BATCH_SIZE) -> ChainReport:
    """Recompute the chain of the reads of the log and name the first bad row (R-AU-2)."""
    verifier = chain.ChainVerifier(ACCESS_HASHED_COLUMNS, key="id", label="id")
    head: ChainHead | None = None
    after = 0
    while True:
        async with sessions() as session:
            batch = (await session.scalars(select(LogAccess).where(LogAccess.id > after)
                                           .order_by(LogAccess.id).limit(batch_size))).all()
        if not batch:
            break
        for row in batch:
            verifier.check(row.stored())
        head, after = ChainHead(seq=batch[-1].id, hash=batch[-1].hash), batch[-1].id
    first = verifier.first_break
    return ChainReport(ok=first is None, entries=verifier.entries, breaks=verifier.breaks,
                       first_bad=ChainBreakOut(**first.as_dict()) if first else None, head=head)


async def list_log_access(
    session: AsyncSession, *, user: User, user_id: str | None = None,
    window: Window | None = None,
) -> Sequence[LogAccess]:
    """Reads of the log by staff inside the caller's jurisdiction, newest first
    (:data:`LOG_ACCESS`)."""
    query = select(LogAccess).where(or_(user.jurisdiction(LogAccess.division),
                                        LogAccess.division.is_(None)))
    if user_id:
        query = query.where(LogAccess.user_id == user_id)
    query = (window or Window(LOG_ACCESS, limit=100)).apply(query)
    return (await session.scalars(query)).all()

