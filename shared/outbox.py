"""The transactional outbox: events saved with the change, relayed to JetStream after commit."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

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
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

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
    _keep_for_relay(session, row)
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


MARK_AFTER_S = 0.05
"""How long the relay waits for more commits before marking what it published sent."""

_FOR_RELAY = "shared.outbox.for_relay"
"""``session.info`` key: the outbox rows the session's transaction wrote, as written, for the
relay to publish once it has committed (:func:`written_for_relay`); None when only the outbox
can tell which of them stay (a rollback in the session, an event emitted in a savepoint)."""


def _keep_for_relay(session: AsyncSession, row: dict[str, Any]) -> None:
    if _scope(session) is not None:  # a savepoint may still be rolled back alone
        session.info[_FOR_RELAY] = None
        return
    kept = session.info.setdefault(_FOR_RELAY, [])
    if kept is not None:
        kept.append(row)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    """Any rollback in a session (of its transaction or a savepoint) leaves the relay to read
    the outbox: which of the rows kept are still written, only the outbox knows."""
    if session.info.get(_FOR_RELAY) is not None:
        session.info[_FOR_RELAY] = None


def written_for_relay(session: AsyncSession) -> list[dict[str, Any]] | None:
    """After a commit: the outbox rows it wrote, for :meth:`OutboxRelay.committed` (taken:
    the next transaction keeps its own); None if only the outbox can tell."""
    return session.info.pop(_FOR_RELAY, None)


def amend_for_relay(session: AsyncSession, event_ids: Sequence[str], old: str, new: str) -> None:
    """A statement of the transaction replaced ``old`` by ``new`` in the payloads of its own
    outbox rows ``event_ids``, before the commit: the relay's copies of the rows now say the
    same (intake's application number, taken by the statement before the COMMIT)."""
    kept = session.info.get(_FOR_RELAY)
    for row in kept or ():
        if row["event_id"] in event_ids:
            row["payload"] = row["payload"].replace(old, new)


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
async def gathered(session: AsyncSession, *, into: direct.Writes | None = None
                   ) -> AsyncIterator[None]:
    """The events emitted in the block are written to the outbox together when it ends: one
    statement (one round trip on PostgreSQL) where each emit took one. For a unit of work that
    emits several events, a consumer's batch or a submission. The rows keep the order of the
    emits; if the block raises, they are not written (the transaction, or the savepoint the
    block began in, is rolled back with them). A block inside another joins it.

    ``into``: the outbox's insert is added to these writes when the block ends, and sent with
    the rest of them by their ``send``, which must come before the commit."""
    if session.info.get(_GATHERING) is not None:
        yield
        return
    gathering = session.info[_GATHERING] = _Gathering(_scope(session), [])
    try:
        yield
        if gathering.rows:
            gathering.check(session)
            source: EventSource = session.info["events"]
            async with direct.writing(session, into) as writes:
                writes.add(_recording(source.outbox), gathering.rows)
    finally:
        del session.info[_GATHERING]


class OutboxRelay:
    """Publishes unsent outbox rows; marks each sent only after JetStream acks it.

    After a commit that wrote events, the relay is handed the rows as they were written
    (:meth:`committed`) and publishes them at once, without reading them back. Otherwise it
    reads the outbox, oldest unsent row first: when it starts, every ``relay_poll_interval_s``
    while idle, after a commit whose rows only the outbox knows for sure (a rollback or a
    savepoint in its session), and after a failed publish. What a crash or a lost ack leaves
    unsent is therefore published by the next read.

    A batch is published with every publish in flight together (nats-py ``publish_async``: one
    write to the socket, acks matched as they come) and the acknowledged rows are marked sent in
    one statement. A row whose ack did not come stays unsent and is published again by the
    next read of the outbox: JetStream's duplicate window (``Nats-Msg-Id`` = event id) and the
    consumers' inboxes absorb what had in fact arrived, as they absorb a row handed over and
    read back by a read that came first.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, bus: Bus,
                 settings: Settings) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.bus = bus
        self.settings = settings
        self._wakeup = asyncio.Event()
        self._handed: deque[dict[str, Any]] = deque()
        self._unmarked: list[dict[str, Any]] = []
        """Marks of rows published from ``_handed``, not yet written (:meth:`_mark_when_quiet`)."""
        self._most_handed = 10 * settings.relay_batch_size
        """Past this many rows handed and not yet published (NATS away a while), they are
        dropped for a read of the outbox: memory stays bounded however long NATS is away."""
        self._read_asked = True  # what an earlier run left unsent
        self._task: asyncio.Task[None] | None = None
        self._mark = direct.Statement(
            update(outbox).where(outbox.c.event_id == bindparam("sent_event_id"))
            .values(sent_at=bindparam("sent_at"), stream_seq=bindparam("seq"),
                    attempts=outbox.c.attempts + 1, last_error=None)
        )
        self._unsent = direct.Statement(
            select(outbox.c.event_id, outbox.c.nats_subject, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(bindparam("batch"))
        )

    def committed(self, rows: list[dict[str, Any]] | None) -> None:
        """After a commit that wrote events: ``rows`` as written
        (:func:`written_for_relay`), published at once; None: read the outbox for them."""
        if rows is None or len(self._handed) + len(rows) > self._most_handed:
            self._handed.clear()  # all in the outbox, unsent: one read publishes them
            self._read_asked = True
        else:
            self._handed.extend(rows)
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        await stop_task(self._task)
        with contextlib.suppress(Exception):  # else the next start's read publishes them again
            await self._mark_unmarked()

    async def run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self.bus.wait_ready()
                if self._read_asked:
                    self._read_asked = False
                    await self.relay_pending()  # until nothing is left unsent
                else:
                    await self.relay_handed()
                if not self._handed and not self._read_asked and self._unmarked:
                    await self._mark_when_quiet()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or the database away: retry
                log.warning("outbox_relay_retry", error=repr(exc), retry_in_s=backoff)
                self._read_asked = True  # the outbox knows what is left
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.relay_max_backoff_s)
                continue
            if self._handed or self._read_asked:
                continue
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), self.settings.relay_poll_interval_s)
            except TimeoutError:
                self._read_asked = True

    async def _mark_when_quiet(self) -> None:
        """The published rows marked sent once no commit has handed over more for
        ``MARK_AFTER_S`` (or at once, past a batch of them): commits coming one at a time
        share one mark, where each took a transaction of its own."""
        if len(self._unmarked) < self.settings.relay_batch_size:
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), MARK_AFTER_S)
                return  # more to publish first: their marks join these
        await self._mark_unmarked()

    async def _mark_unmarked(self) -> None:
        if self._unmarked:
            await self._mark_sent(self._unmarked)
            self._unmarked = []

    async def relay_handed(self) -> int:
        """Publish the rows handed over by commits, a batch at a time, until none is left;
        returns how many were acknowledged. Their marks wait in ``_unmarked`` (see
        :meth:`_mark_when_quiet`). On a failed publish the rest are dropped (they are in the
        outbox, unsent, for the read that follows), the acknowledged marked, and the error
        raised."""
        sent = 0
        while self._handed:
            rows = [_Unsent(**{key: row[key] for key in _Unsent._fields})
                    for row in _take(self._handed, self.settings.relay_batch_size)]
            acks = await self._publish(rows)
            acked = self._acknowledged(rows, acks)
            self._unmarked.extend(acked)
            sent += len(acked)
            failed = _failure(rows, acks)
            if failed is not None:
                self._handed.clear()
                await self._mark_unmarked()
                await self._record_failure(*failed)
        return sent

    async def relay_pending(self) -> int:
        """Publish the unsent events read from the outbox, a batch at a time, until none is
        left; returns how many were acknowledged. Rows published and not yet marked are marked
        in the first read's transaction (never read back as unsent); rows handed over
        meanwhile that these reads published are not published again.

        Each batch's acknowledged rows are marked sent in the transaction that reads the next
        batch: one transaction a batch, where a read and a mark took two. Raises the first
        publish error after marking the acknowledged rows, so that ``run`` backs off while
        NATS is away.
        """
        sent = 0
        published: set[str] = set()
        rows = await self._mark_sent(self._unmarked, read_next=True)
        self._unmarked = []
        while rows:
            acks = await self._publish(rows)
            acked = self._acknowledged(rows, acks)
            published.update(row.event_id for row in rows)
            failed = _failure(rows, acks)
            if failed is not None:
                await self._mark_sent(acked)
                await self._record_failure(*failed)
            rows = await self._mark_sent(acked, read_next=True)
            sent += len(acked)
        if published and self._handed:
            self._handed = deque(row for row in self._handed
                                 if row["event_id"] not in published)
        return sent

    @staticmethod
    def _acknowledged(rows: Sequence[_Unsent], acks: Sequence[PubAck | BaseException]
                      ) -> list[dict[str, Any]]:
        """The mark of each row JetStream acknowledged."""
        now = utcnow()
        acked = [{"sent_event_id": row.event_id, "seq": ack.seq, "sent_at": now}
                 for row, ack in zip(rows, acks, strict=True) if isinstance(ack, PubAck)]
        duplicates = sum(1 for ack in acks if isinstance(ack, PubAck) and ack.duplicate)
        if duplicates:
            log.info("outbox_duplicate_acks", count=duplicates)
        return acked

    async def _publish(self, rows: Sequence[_Unsent]) -> list[PubAck | BaseException]:
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
                         ) -> list[_Unsent]:
        """One transaction: the acknowledged rows marked sent, each with its stream sequence
        (one statement), and with ``read_next`` the next batch of unsent rows read."""
        if not acked and not read_next:
            return []
        async with self.sessions() as session, session.begin():
            if acked:
                await direct.run(session, self._mark, acked)
            if not read_next:
                return []
            found = await direct.fetch(session, self._unsent,
                                       {"batch": self.settings.relay_batch_size})
            return [_Unsent(*row) for row in found]

    async def _record_failure(self, row: _Unsent, error: BaseException) -> NoReturn:
        """The failure on its row (as far as the database answers), then raised."""
        with contextlib.suppress(Exception):
            async with self.sessions() as session, session.begin():
                await session.execute(
                    update(self.outbox).where(self.outbox.c.event_id == row.event_id)
                    .values(attempts=self.outbox.c.attempts + 1, last_error=repr(error)[:2000])
                )
        raise error

    async def pending_count(self) -> int:
        """Rows not yet acknowledged; read beside the queue of units of work on SQLite, so a
        health check never waits behind them (``shared.db.probe``)."""
        row = await probe(self.sessions.kw["bind"], select(func.count()).select_from(
            self.outbox).where(self.outbox.c.sent_at.is_(None)))
        return int(row[0]) if row else 0


def _failure(rows: Sequence[_Unsent], acks: Sequence[PubAck | BaseException]
             ) -> tuple[_Unsent, BaseException] | None:
    """The first row whose publish failed, with why."""
    return next(((row, ack) for row, ack in zip(rows, acks, strict=True)
                 if not isinstance(ack, PubAck)), None)


class _Unsent(NamedTuple):
    """An outbox row to publish: read from the outbox, or handed over by its commit."""

    event_id: str
    nats_subject: str
    payload: str


def _take(rows: deque[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return [rows.popleft() for _ in range(min(n, len(rows)))]
