"""The transactional outbox: events saved with the change, relayed to JetStream after commit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from nats.js.api import PubAck
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import context, direct
from shared.bus import Bus
from shared.contracts.base import ANY_SERVICE, EventContract, personal_paths
from shared.db import UTCDateTime, probe, utcnow
from shared.events import Envelope, new_envelope
from shared.sealing import Sealer
from shared.settings import Settings
from shared.tasks import stop_task

log = structlog.get_logger(__name__)

BIGINT = BigInteger().with_variant(Integer(), "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    """The outbox of one service: one row per event, in commit order."""
    return Table(
        "outbox",
        metadata,
        Column("id", BIGINT, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("nats_subject", String(300), nullable=False),
        Column("record_id", String(100), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("sent_at", UTCDateTime(), nullable=True, index=True),
        Column("stream_seq", BIGINT, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )


@dataclass(frozen=True)
class EventSource:
    """Where this service's events come from; kept in each session's ``info``."""

    service: str
    county: str
    outbox: Table
    sealer: Sealer | None = None


_RECORDED = ("event_id", "event_type", "nats_subject", "record_id", "payload", "created_at",
             "attempts")
_recordings: dict[Table, direct.Statement] = {}


def _recording(outbox: Table) -> direct.Statement:
    """The outbox's insert of one event (its id the database's), built once per table."""
    statement = _recordings.get(outbox)
    if statement is None:
        statement = _recordings[outbox] = direct.Statement(
            insert(outbox).inline().values({name: bindparam(name) for name in _RECORDED}))
    return statement


def session_info(settings: Settings, outbox: Table, sealer: Sealer | None = None
                 ) -> dict[str, Any]:
    return {"events": EventSource(settings.service, settings.county, outbox, sealer)}


async def emit(
    session: AsyncSession, contract: EventContract, *, subject: str, division: str | None = None,
    to_county: str | None = None,
) -> Envelope:
    """Record a domain event in this transaction's outbox; it leaves only if the commit does.

    ``contract`` is the event's data as its contract (``shared.contracts``); personal data in it
    is sealed here, so the outbox, the stream and the log never hold it in clear.

    ``to_county`` addresses the event to another county on a shared NATS cluster: it travels on
    that county's subjects (``assist.<to_county>.<service>.<event>``, the envelope's
    ``destination``), where that county's consumers take it; the producer stays ``source``. Such
    an event must not carry sealed data: the other installation has other keys.

    Inside :func:`gathered`, the row is written with the block's others when the block ends.
    """
    source: EventSource = session.info["events"]
    kind = type(contract)
    if kind.service not in (ANY_SERVICE, source.service):
        raise TypeError(f"{source.service} cannot emit {kind.name()}: {kind.service} produces it")
    event_id = context.new_id()
    data = contract.model_dump(mode="json")
    destination = to_county if to_county not in (None, source.county) else None
    if destination is not None and personal_paths(kind):
        raise TypeError(f"{kind.name()} holds sealed personal data: it cannot be addressed to "
                        f"county {destination}, whose installation has other keys")
    if source.sealer is not None:
        data = source.sealer.seal(kind, data, event_id=event_id)
    envelope = new_envelope(service=source.service, county=source.county, event=kind.event,
                            subject=subject, data=data, division=division,
                            schemaversion=kind.version, event_id=event_id,
                            destination=destination)
    row = {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "nats_subject": envelope.nats_subject,
        "record_id": subject,
        "payload": envelope.to_json().decode(),
        "created_at": envelope.time,
        "attempts": 0,
    }
    gathering: _Gathering | None = session.info.get(_GATHERING)
    if gathering is not None and gathering.scope is _scope(session):
        if session.sync_session.get_transaction() is None:
            await session.connection()  # the transaction the event belongs to, begun
        gathering.keep(session, row)
    else:
        # On the driver (shared.direct), without the session's autoflush: the change's own
        # rows are written once, at commit, as they end up; the outbox row needs nothing of
        # them. (Inside a savepoint opened within a gathered block, the row is written now:
        # a rolled-back savepoint takes it back with the rest of its work.)
        await direct.run(session, _recording(source.outbox), row)
    session.info["outbox_dirty"] = True
    context.events_emitted.set(True)
    return envelope


_GATHERING = "shared.outbox.gathered"


@dataclass
class _Gathering:
    scope: Any
    """The savepoint the block began in, or None (the session's transaction, which may not
    have begun yet)."""
    rows: list[dict[str, Any]]
    transaction: Any = None
    """The session's transaction the rows belong to (that of the first)."""

    def keep(self, session: AsyncSession, row: dict[str, Any]) -> None:
        self.check(session)
        if not self.rows:
            self.transaction = session.sync_session.get_transaction()
        self.rows.append(row)

    def check(self, session: AsyncSession) -> None:
        """A block's events belong to one transaction: one that ended inside the block (a
        commit or a rollback in it) would leave them to the next, a programming error."""
        if self.rows and session.sync_session.get_transaction() is not self.transaction:
            raise RuntimeError("the transaction of events gathered by shared.outbox.gathered "
                               "ended inside the block: commit after the block, not in it")


def _scope(session: AsyncSession) -> Any:
    return session.sync_session.get_nested_transaction()


@contextlib.asynccontextmanager
async def gathered(session: AsyncSession) -> AsyncIterator[None]:
    """The events emitted in the block are written to the outbox together when it ends: one
    statement (an executemany, one round trip on PostgreSQL) where each emit took one. For a
    unit of work that emits several events, a consumer's batch or a submission. The rows keep
    the order of the emits; if the block raises, they are not written (the transaction, or
    the savepoint the block began in, is rolled back with them). A block inside another
    joins it."""
    if session.info.get(_GATHERING) is not None:
        yield
        return
    gathering = session.info[_GATHERING] = _Gathering(_scope(session), [])
    try:
        yield
        if gathering.rows:
            gathering.check(session)
            source: EventSource = session.info["events"]
            await direct.run(session, _recording(source.outbox), gathering.rows)
    finally:
        del session.info[_GATHERING]


class OutboxRelay:
    """Publishes unsent outbox rows in order; marks each sent only after JetStream acks it.

    A batch is published with every publish in flight together (nats-py ``publish_async``: one
    write to the socket, acks matched as they come) and the acknowledged rows are marked sent in
    one statement. A row whose ack did not come stays unsent and is published again by the next
    batch, which starts again from the oldest unsent row: JetStream's duplicate window
    (``Nats-Msg-Id`` = event id) and the consumers' inboxes absorb what had in fact arrived.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, bus: Bus,
                 settings: Settings) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.bus = bus
        self.settings = settings
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._mark = direct.Statement(
            update(outbox).where(outbox.c.id == bindparam("row_id"))
            .values(sent_at=bindparam("sent_at"), stream_seq=bindparam("seq"),
                    attempts=outbox.c.attempts + 1, last_error=None)
        )
        self._unsent = direct.Statement(
            select(outbox.c.id, outbox.c.event_id, outbox.c.nats_subject, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(bindparam("batch"))
        )

    def wake(self) -> None:
        """Called after a commit that wrote events, so they leave at once."""
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        await stop_task(self._task)

    async def run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self.bus.wait_ready()
                await self.relay_pending()  # until nothing is left unsent
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or the database away: retry
                log.warning("outbox_relay_retry", error=repr(exc), retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.relay_max_backoff_s)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.settings.relay_poll_interval_s)
            self._wakeup.clear()

    async def relay_pending(self) -> int:
        """Publish the unsent events, a batch at a time, until none is left; returns how many
        were acknowledged.

        Each batch's acknowledged rows are marked sent in the transaction that reads the next
        batch: one transaction a batch, where a read and a mark took two. Raises the first
        publish error after marking the acknowledged rows, so that ``run`` backs off while
        NATS is away.
        """
        sent = 0
        self._wakeup.clear()  # what commits from here on wakes the next round
        rows = await self._mark_sent([], read_next=True)
        while rows:
            acks = await self._publish(rows)
            now = utcnow()
            acked = [{"row_id": row.id, "seq": ack.seq, "sent_at": now}
                     for row, ack in zip(rows, acks, strict=True) if isinstance(ack, PubAck)]
            duplicates = sum(1 for ack in acks if isinstance(ack, PubAck) and ack.duplicate)
            if duplicates:
                log.info("outbox_duplicate_acks", count=duplicates)
            failed = next(((row, ack) for row, ack in zip(rows, acks, strict=True)
                           if not isinstance(ack, PubAck)), None)
            if failed is not None:
                await self._mark_sent(acked)
                row, error = failed
                await self._record_failure(row.id, repr(error))
                raise error
            self._wakeup.clear()  # the read below sees every commit before it
            rows = await self._mark_sent(acked, read_next=True)
            sent += len(acked)
        return sent

    async def _publish(self, rows: Sequence[Any]) -> list[PubAck | BaseException]:
        """Publish every row with all of them in flight; each row's ack, or why it failed.

        Gives up on the acks still missing once none has come for the NATS timeout.
        """
        js = self.bus.js
        timeout = self.settings.nats_connect_timeout_s
        futures: list[asyncio.Future[PubAck]] = []
        not_sent: Exception | None = None
        try:
            for row in rows:
                futures.append(await js.publish_async(
                    row.nats_subject, row.payload.encode(), wait_stall=timeout,
                    headers={"Nats-Msg-Id": row.event_id}))
        except Exception as exc:  # noqa: BLE001 - the connection is gone: the rest stay unsent
            not_sent = exc
        try:
            waiting: set[asyncio.Future[PubAck]] = set(futures)
            while waiting:
                done, waiting = await asyncio.wait(waiting, timeout=timeout)
                if not done:
                    break  # no ack for `timeout` seconds: NATS is away
        finally:
            for future in futures:
                future.cancel()  # no-op when done; frees nats-py's slot otherwise
        results: list[PubAck | BaseException] = []
        for future in futures:
            if future.cancelled():
                results.append(TimeoutError(f"no ack from JetStream within {timeout} s"))
            elif (error := future.exception()) is not None:
                results.append(error)
            else:
                results.append(future.result())
        if not_sent is not None:
            results.extend(not_sent for _ in range(len(rows) - len(futures)))
        return results

    async def _mark_sent(self, acked: list[dict[str, Any]], *, read_next: bool = False
                         ) -> list[Any]:
        """One transaction: the acknowledged rows marked sent, each with its stream sequence
        (one statement), and with ``read_next`` the next batch of unsent rows read."""
        if not acked and not read_next:
            return []
        async with self.sessions() as session, session.begin():
            if acked:
                await direct.run(session, self._mark, acked)
            if not read_next:
                return []
            return await direct.fetch(session, self._unsent,
                                      {"batch": self.settings.relay_batch_size})

    async def _record_failure(self, row_id: int, error: str) -> None:
        with contextlib.suppress(Exception):
            async with self.sessions() as session, session.begin():
                await session.execute(
                    update(self.outbox).where(self.outbox.c.id == row_id)
                    .values(attempts=self.outbox.c.attempts + 1, last_error=error[:2000])
                )

    async def pending_count(self) -> int:
        """Rows not yet acknowledged; read beside the queue of units of work on SQLite, so a
        health check never waits behind them (``shared.db.probe``)."""
        row = await probe(self.sessions.kw["bind"], select(func.count()).select_from(
            self.outbox).where(self.outbox.c.sent_at.is_(None)))
        return int(row[0]) if row else 0
