"""Async SQLAlchemy: engines for SQLite (embedded) and PostgreSQL, and the unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import queue
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, Row, Select, event, literal, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon

from shared import direct
from shared.settings import Settings

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A fresh MetaData for one service's tables, with stable constraint names."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SQLITE_BUSY_TIMEOUT_MS = 30000
SQLITE_CACHE_KIB = 65536
"""Page cache per connection (SQLite's default is 2 MiB): a month's roster or reconciliation
inserts a million rows into several indexes at once, and with 2 MiB every index page is read
from the file again. 64 MiB made a 1,000,000-row INSERT … SELECT into the payment table 1.7×
faster (docs/performance.md); each engine keeps one connection, so it is paid once a service."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    inline = isinstance(getattr(dbapi_connection, "_connection", None), _InlineConnection)
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    if inline:  # waits for the lock in a worker thread, never in the event loop
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA busy_timeout={0 if inline else SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock up front: two deferred transactions that both upgrade deadlock. On
    # the DBAPI cursor: SQLAlchemy's execution layer cost more than the statement, and every
    # unit of work begins so (the inline cursor still waits for another process's lock in a
    # worker thread).
    cursor = conn.connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
    finally:
        cursor.close()


SQLITE_QUEUE_TIMEOUT_S = 60.0
"""How long a unit of work waits for the SQLite connection before it fails."""


class _FifoQueue(QueueCommon[Any]):
    """A pool's queue of idle connections: waiters get one strictly in arrival order.

    SQLAlchemy's asyncio queue lets a newcomer take a connection that was just returned before
    the waiter woken for it runs; that waiter then queues again at the end, and again, however
    long it has waited already. Here a returned connection is handed straight to the oldest
    waiter. With 32 clients on PostgreSQL's 20 connections, the stock queue gave intake's
    submissions a wait for a connection of p50 46 ms and p99 199 ms (docs/performance.md,
    *Connections handed out in arrival order*).
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo  # read by the pool's recreate(); one connection has no order
        self._items: deque[Any] = deque()
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._items)

    def qsize(self) -> int:
        return len(self._items)

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # the pool never returns more connections than it made

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._items.append(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise Empty()
        return self._items.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self._items or not block:
            return self.get_nowait()
        return await_(self._wait(timeout))

    async def _wait(self, timeout: float | None) -> Any:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        except BaseException:  # cancelled while waiting
            self._leave(waiter)
            raise
        if not waiter.done():
            self._leave(waiter)
            raise Empty()
        return waiter.result()

    def _leave(self, waiter: asyncio.Future[Any]) -> None:
        if waiter.done() and not waiter.cancelled():
            self.put_nowait(waiter.result())  # handed over just as we gave up: pass it on
        else:
            waiter.cancel()  # put_nowait skips it


class _FifoPool(AsyncAdaptedQueuePool):
    """A pool whose units of work waiting for a connection get one in arrival order: SQLite's
    one connection, PostgreSQL's pool."""

    _queue_class = _FifoQueue


class _InlineCursor:
    """aiosqlite's cursor interface over a sqlite3 cursor, run in the calling thread.

    A statement inside a transaction that holds SQLite's write lock never waits for a lock, and
    on a local file it takes microseconds: running it inline saves the four thread hand-offs
    (cursor, execute, fetch, close: about 0.15 ms of CPU) aiosqlite spends on every statement.
    The connection's busy timeout is 0, so nothing inline ever sleeps in SQLite's busy handler:
    a ``BEGIN`` that finds another process writing waits for it in a worker thread instead.
    """

    __slots__ = ("_owner", "_cursor")

    def __init__(self, owner: _InlineConnection) -> None:
        self._owner = owner
        self._cursor = owner._conn.cursor()

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> _InlineCursor:
        await self._owner.settle()
        try:
            self._cursor.execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if sql[:5].upper() != "BEGIN" or "locked" not in str(exc):
                raise
            # Another process writes: wait for its lock in a worker thread, not in the loop.
            await self._owner.in_thread(self._owner.begin_waiting, self._cursor, sql)
        if sql[:5].upper() == "BEGIN":
            self._owner.changes_at_begin = self._owner._conn.total_changes
        return self

    async def executemany(self, sql: str, parameters: Any) -> _InlineCursor:
        await self._owner.settle()
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        await self._owner.settle()
        self._cursor.close()


class _InlineQueue:
    """Stands in for aiosqlite's queue to its thread: SQLAlchemy puts its isolation level
    setter there."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting caller
            future.set_exception(exc)


class _InlineConnection:
    """The parts of ``aiosqlite.Connection`` SQLAlchemy's aiosqlite dialect uses, over one
    sqlite3 connection: statements inline, ``COMMIT`` (fsync) and a ``BEGIN`` that must wait
    for another process in a worker thread.

    A call handed to a worker thread always runs to its end, even if the task that awaited it
    is cancelled; every later use of the connection waits for it first, and closing it is put
    off until it has ended (closing a sqlite3 connection under a running call would crash).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._tx = _InlineQueue()
        self._busy: asyncio.Future[Any] | None = None
        self._worker: _Worker | None = None
        self.changes_at_begin = -1
        """The connection's count of rows changed when the transaction began."""

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        if self._worker is None:
            self._worker = _Worker()
        self._busy = self._worker.call(function, *args)
        return await asyncio.shield(self._busy)  # a cancelled caller leaves it running

    async def settle(self) -> None:
        """Wait (without blocking the loop) until no call runs in a worker thread."""
        while self._busy is not None and not self._busy.done():
            await asyncio.wait({self._busy})

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self)

    def begin_waiting(self, cursor: sqlite3.Cursor, sql: str) -> None:
        """In a worker thread: BEGIN, waiting up to the busy timeout for another writer."""
        self._conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        try:
            cursor.execute(sql)
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    async def commit(self) -> None:
        """In a worker thread (the fsync), unless the transaction changed no row: a read's
        COMMIT writes nothing and ends at once, inline (every GET, the relay's empty reads)."""
        await self.settle()
        if self._conn.total_changes == self.changes_at_begin:
            self._conn.commit()
            return
        await self.in_thread(self._conn.commit)

    async def rollback(self) -> None:
        await self.settle()
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        await self.settle()
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        await self.settle()
        self.stop()

    def stop(self) -> None:
        if self._connection is None:
            return
        self._connection = None
        busy = self._busy
        if busy is not None and not busy.done():
            busy.add_done_callback(lambda _: self._close())
        else:
            self._close()

    def _close(self) -> None:
        self._conn.close()
        if self._worker is not None:
            self._worker.stop()


class _Worker:
    """A connection's own thread for what may wait: a COMMIT (its fsync) and a BEGIN IMMEDIATE
    behind another process's lock. Started at the first such call; one call at a time, in
    order.

    Each call's result goes straight to the awaiting future in the event loop's thread
    (``call_soon_threadsafe``). That costs about a third of the CPU of a hand-off to a
    ``ThreadPoolExecutor`` (33 against 96 µs a call, measured on uvloop on the bench machine;
    55 against 120 on asyncio's own loop), whose futures are chained through a second future
    and a pool's bookkeeping. That matters once per unit of work that writes."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="sqlite-connection", daemon=True).start()

    def call(self, function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        self._calls.put(_Call(future, function, args))
        return future

    def stop(self) -> None:
        """The thread ends after the calls already given."""
        self._calls.put(None)

    def _run(self) -> None:
        while (call := self._calls.get()) is not None:
            try:
                result = call.function(*call.args)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting caller
                call.hand_over(None, exc)
            else:
                call.hand_over(result, None)


@dataclass(frozen=True, slots=True)
class _Call:
    future: asyncio.Future[Any]
    function: Callable[..., Any]
    args: tuple[Any, ...]

    def hand_over(self, result: Any, error: BaseException | None) -> None:
        """From the worker thread: settle the future in its loop's thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody awaits it
            self.future.get_loop().call_soon_threadsafe(self._settle, result, error)

    def _settle(self, result: Any, error: BaseException | None) -> None:
        if self.future.done():  # cancelled: asyncio.shield keeps the caller's cancel out
            return
        if error is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


def _inline_creator(path: str) -> Callable[[], Awaitable[_InlineConnection]]:
    async def connect() -> _InlineConnection:
        conn = await asyncio.to_thread(sqlite3.connect, path, timeout=0,
                                       isolation_level=None, check_same_thread=False)
        return _InlineConnection(conn)
    return connect


_readers: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()
READER_POOL_SIZE = 4
"""PostgreSQL: connections beside a service's pool for ``probe``, never more (a readiness probe
reads four things at once)."""


def create_engine(settings: Settings, *, pooled: bool = True, inline: bool = True
                  ) -> AsyncEngine:
    """The engine for this service; SQLite files get WAL and immediate transactions.

    SQLite has one writer at a time. Rather than several connections whose writers sleep in
    SQLite's busy handler (up to 100 ms a retry: seconds of p99 under load), each engine keeps
    one connection and the units of work queue for it in arrival order
    (``_FifoPool``). A unit of work must therefore never open a second session
    while it holds one: it would wait for itself. Its statements run inline in the event loop's
    thread (``_InlineConnection``; ``inline=False``: stock aiosqlite, a thread hand-off per
    call, kept for comparison). ``pooled=False`` (migrations): a connection per use, stock
    aiosqlite. PostgreSQL keeps a pool, its waiters served in arrival order too.
    """
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"poolclass": NullPool, "connect_args": {"timeout": 30}}
        if pooled:
            options = {"poolclass": _FifoPool, "pool_size": 1, "max_overflow": 0,
                       "pool_timeout": SQLITE_QUEUE_TIMEOUT_S, "connect_args": {"timeout": 30}}
            if inline:
                del options["connect_args"]
                options["async_creator"] = _inline_creator(make_url(url).database or "")
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    server_settings = {"application_name": f"assist-{settings.service}"}
    if settings.pg_schema:
        server_settings["search_path"] = settings.pg_schema
    connect_args: dict[str, Any] = {"server_settings": server_settings}
    if not pooled:
        return create_async_engine(url, connect_args=connect_args, poolclass=NullPool)
    # Opened beyond a kept few and closed as they came back (SQLAlchemy's overflow), each burst
    # paid their setup and every statement's preparation again (docs/performance.md,
    # *Connections kept*): a service keeps every connection it opened, up to its pool size.
    engine = _pooled(url, connect_args, size=settings.db_pool_size)
    # reads beside the units of work (``probe``) never wait for the engine's pool
    _readers[engine] = _pooled(url, connect_args, size=READER_POOL_SIZE)
    return engine


def _pooled(url: str, connect_args: dict[str, Any], *, size: int) -> AsyncEngine:
    """A PostgreSQL engine with up to ``size`` connections, each opened when first needed and
    kept, handed out in arrival order (``_FifoPool``); each proved alive as it leaves the pool
    (asyncpg: ``_begin_on_checkout``; another driver: SQLAlchemy's pre-ping)."""
    asyncpg = make_url(url).get_driver_name() == "asyncpg"
    engine = create_async_engine(url, connect_args=connect_args, poolclass=_FifoPool,
                                 pool_size=size, max_overflow=0,
                                 pool_pre_ping=not asyncpg)
    if asyncpg:
        event.listen(engine.sync_engine.pool, "checkout", _begin_on_checkout)
    return engine


def _begin_on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """PostgreSQL (asyncpg): a pooled connection begins its transaction as it leaves the pool,
    and that BEGIN is the proof that it is still alive.

    A connection can die in the pool (PostgreSQL restarted, a backend terminated, the network
    cut): it must be found out before a unit of work uses it, or the unit fails on its first
    statement. SQLAlchemy's ``pool_pre_ping`` finds it out with a transaction of its own
    (BEGIN, an empty query, ROLLBACK: three round trips at every checkout, for pgbouncer's
    sake), after which the unit of work sends its own BEGIN. Here the unit's own BEGIN, which
    it sends anyway, is sent at once instead, through the asyncpg adapter's own method (so the
    adapter knows its transaction is open: the unit's first statement does not begin another).
    If it fails, the pool is told the connection is gone (``DisconnectionError``): it drops it
    and checks out another, up to three times, as a failed pre-ping does. An AUTOCOMMIT
    connection begins nothing (the adapter's method does nothing then). A read-only unit of
    work makes this transaction REPEATABLE READ, READ ONLY by its first statement
    (``unit_of_work(read_only=True)``); one that sets the connection's isolation level instead
    rolls this BEGIN back and begins its own, as it did after the ping.
    """
    if dbapi_connection._transaction is not None:
        return
    try:
        await_(dbapi_connection._start_transaction())
    except Exception as exc:  # noqa: BLE001 - whatever broke the BEGIN, the connection is gone
        raise DisconnectionError(f"BEGIN failed on a pooled connection: {exc!r}") from exc


def _reader(engine: AsyncEngine) -> AsyncEngine:
    """Beside an engine: connections of their own for reads outside the queue. On SQLite
    (NullPool: opened per read) WAL readers never wait for the writer. On PostgreSQL a probe
    does not queue for the engine's pool while every pooled connection serves a request (under
    load it would time out and call the database unreachable); it takes a connection from a
    small pool of its own, made with the engine and disposed with it (``dispose``), whose
    checkout BEGIN proves the connection alive as the engine's does (a connection opened per
    probe cost about seven round trips). Other engines (SQLite in memory, an engine made
    elsewhere) are read as they are."""
    reader = _readers.get(engine)
    if reader is None:
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return engine
        reader = create_async_engine(engine.url, poolclass=NullPool,
                                     connect_args={"timeout": 5})
        _readers[engine] = reader
    return reader


async def probe(engine: AsyncEngine, statement: Select[Any], *, timeout: float = 2.0
                ) -> Row[Any] | None:
    """The first row of a read that must not wait behind the units of work (health checks,
    backlog counts), or fail after ``timeout`` seconds. On SQLite it reads on a connection of
    its own, in autocommit: it never queues for the engine's one connection; on PostgreSQL on
    a connection opened for it, never queueing for the pool."""
    engine = _reader(engine)

    async def read() -> Row[Any] | None:
        async with engine.connect() as conn:
            return (await conn.execute(statement)).first()

    return await asyncio.wait_for(read(), timeout)


async def probe_all(engine: AsyncEngine, statement: Select[Any], *, timeout: float = 2.0
                    ) -> list[Row[Any]]:
    """Every row of a small read beside the units of work, like ``probe``."""
    engine = _reader(engine)

    async def read() -> list[Row[Any]]:
        async with engine.connect() as conn:
            return list((await conn.execute(statement)).all())

    return await asyncio.wait_for(read(), timeout)


async def dispose(engine: AsyncEngine) -> None:
    """Close an engine's connections, and those of its reader (``_reader``)."""
    reader = _readers.pop(engine, None)
    if reader is not None:
        await reader.dispose()
    await engine.dispose()


async def ensure_schema(engine: AsyncEngine, schema: str | None) -> None:
    """Create the service's PostgreSQL schema if it is missing."""
    if not schema or engine.dialect.name != "postgresql":
        return
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def create_sessionmaker(
    engine: AsyncEngine, info: dict[str, Any]
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit; ``info`` names the service."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    after_commit: Callable[[AsyncSession], None] | None = None,
    *,
    read_only: bool = False,
) -> AsyncIterator[AsyncSession]:
    """One transaction: commit if the block succeeds, roll back if it raises.

    ``read_only``: on PostgreSQL the transaction is REPEATABLE READ, READ ONLY, so every
    statement in it sees one snapshot. (The default READ COMMITTED takes a snapshot per
    statement: a read in two statements could pair a row from before a concurrent commit with
    its children from after it.) Its first statement says so (``SET TRANSACTION``, valid
    before any query of the transaction): one round trip, where setting the connection's
    isolation level rolled back the BEGIN sent at checkout and began again, and had the pool
    reset it after. SQLite needs nothing: BEGIN IMMEDIATE already serialises transactions.
    """
    async with sessions() as session:
        try:
            if read_only and session.get_bind().dialect.name == "postgresql":
                await session.execute(_ONE_SNAPSHOT)
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        if after_commit is not None:
            after_commit(session)


_ONE_SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def per_transaction(session: AsyncSession, key: str, make: Callable[[], T]) -> T:
    """What ``session.info[key]`` keeps for the session's current transaction: made by
    ``make`` the first time the transaction asks, made anew in the next one, and after a
    savepoint of it is rolled back. For what a transaction has read or gathered (a batch hook's
    answers, rows written after its last event, a chain's head, the locks it holds): a batch
    rolled back and applied again event by event starts afresh, and a savepoint's rollback
    (a dead letter's redrive that failed) leaves nothing of what it knew."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(key)
    if kept is None or kept[0] is not transaction:
        kept = session.info[key] = (transaction, make())
        session.info.setdefault(_PER_TRANSACTION, set()).add(key)
    value: T = kept[1]
    return value


_PER_TRANSACTION = "shared.db.per_transaction"
"""``session.info`` key: the keys :func:`per_transaction` keeps values under."""


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_savepoint_rollback(session: Session, previous_transaction: Any) -> None:
    """A savepoint rolled back took back what was done in it: what the transaction kept
    (:func:`per_transaction`) may describe it, so it is made anew when next asked."""
    if previous_transaction.nested:
        for key in session.info.pop(_PER_TRANSACTION, ()):
            session.info.pop(key, None)


_LOCKS_HELD = "shared.db.locks_held"
"""``session.info`` key (:func:`per_transaction`): the advisory locks the transaction holds,
each with whether it is only shared."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


_LOCKS = {shared: direct.Statement(text(
    f"SELECT {'pg_advisory_xact_lock_shared' if shared else 'pg_advisory_xact_lock'}(k) "
    "FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS ordered"))
    for shared in (False, True)}
"""Advisory locks taken in key order, in one statement (two transactions locking some of the
same keys never deadlock on them)."""


async def lock_until_commit(session: AsyncSession, *keys: int, shared: bool = False) -> None:
    """Hold the advisory locks ``keys`` until this transaction ends (PostgreSQL; SQLite needs
    nothing: every writing transaction holds the database's one write lock, BEGIN IMMEDIATE).

    For two kinds of transaction that must each see what the other wrote, where READ COMMITTED
    lets each read before the other commits (write skew): both lock the same key before they
    read. ``shared``: transactions of the same kind do not wait for each other, only for an
    exclusive holder. Several keys are taken in one round trip, in key order; a lock the
    transaction holds already (as strongly) is not asked again (after a savepoint's rollback,
    which releases what was taken in it, every lock is asked again)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    held: dict[int, bool] = per_transaction(session, _LOCKS_HELD, dict)
    wanted = sorted({key for key in keys if key not in held or (held[key] and not shared)})
    if not wanted:
        return  # held already, as strongly: asking again would cost a round trip, nothing more
    await direct.run(session, _LOCKS[shared], {"keys": wanted})
    # Asked after the statement: the transaction's own, begun by it if it had not been.
    now_held: dict[int, bool] = per_transaction(session, _LOCKS_HELD, dict)
    for key in wanted:
        now_held[key] = shared


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """``INSERT`` of the session's engine (PostgreSQL or SQLite) into ``table`` (a model or a
    Table), with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on both engines."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def where_given(query: Select[Any], *filters: tuple[Any, Any]) -> Select[Any]:
    """Add ``column == value`` for each (column, value) whose value was given (not None/empty)."""
    for column, value in filters:
        if value is not None and value != "":
            query = query.where(column == value)
    return query


async def ping(engine: AsyncEngine, *, timeout: float = 2.0) -> None:
    """Raise unless the database answers within ``timeout`` seconds (without queueing behind
    the units of work on SQLite: see ``probe``)."""
    await probe(engine, select(literal(1)), timeout=timeout)
