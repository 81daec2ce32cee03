"""The services' engine: on SQLite one connection, units of work queued for it in arrival order,
statements inline; health reads beside the queue. (PostgreSQL keeps its pool: the health reads
are tested on both.)"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from services.verification.app import create_app as create_verification
from shared.db import create_engine, create_sessionmaker, ensure_schema, ping, probe
from tests.conftest import TEST_DATABASE_URL
from tests.support import running

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the SQLite engine")

metadata = MetaData()
rows = Table("engine_test_row", metadata,
             Column("id", Integer, primary_key=True, autoincrement=True),
             Column("name", String(50), nullable=False, unique=True))


@pytest.fixture
async def engine(make_settings) -> AsyncIterator[AsyncEngine]:
    settings = make_settings("enginetest")
    engine = create_engine(settings)
    await ensure_schema(engine, settings.pg_schema)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.scalars(select(rows.c.name).order_by(rows.c.id))).all())


@sqlite_only
async def test_units_of_work_get_the_sqlite_connection_in_arrival_order(engine):
    """Thirty concurrent writers commit in the order they asked, none sleeping in SQLite's busy
    handler (which would take them in any order, 100 ms a retry)."""
    sessions = create_sessionmaker(engine, info={})

    async def write(i: int) -> None:
        async with sessions() as session, session.begin():
            await session.execute(insert(rows).values(name=f"w{i:02d}"))
            await asyncio.sleep(0.002)  # hold the connection while the others queue

    started = time.perf_counter()
    await asyncio.gather(*(write(i) for i in range(30)))
    assert await _names(engine) == [f"w{i:02d}" for i in range(30)]
    assert time.perf_counter() - started < 3.0


@sqlite_only
async def test_a_waiter_that_gives_up_does_not_lose_the_connection(engine):
    """A queued unit of work that is cancelled, or whose wait times out, leaves the line; the
    connection goes on to the next one."""
    sessions = create_sessionmaker(engine, info={})
    release = asyncio.Event()

    async def holder() -> None:
        async with sessions() as session, session.begin():
            await session.execute(insert(rows).values(name="holder"))
            await release.wait()

    async def writer(name: str) -> None:
        async with sessions() as session, session.begin():
            await session.execute(insert(rows).values(name=name))

    held = asyncio.create_task(holder())
    await asyncio.sleep(0.05)
    cancelled = asyncio.create_task(writer("cancelled"))
    patient = asyncio.create_task(writer("patient"))
    await asyncio.sleep(0.05)
    cancelled.cancel()
    pool = engine.sync_engine.pool
    pool._timeout = 0.1  # type: ignore[attr-defined]
    with pytest.raises(PoolTimeout):
        await writer("impatient")
    pool._timeout = 60.0  # type: ignore[attr-defined]
    release.set()
    await asyncio.wait_for(asyncio.gather(held, patient), 5)
    assert cancelled.cancelled()
    assert await _names(engine) == ["holder", "patient"]


@sqlite_only
async def test_inline_statements_keep_sqlalchemy_semantics(engine):
    """Errors, rollbacks and savepoints behave as over aiosqlite."""
    sessions = create_sessionmaker(engine, info={})
    async with sessions() as session, session.begin():
        await session.execute(insert(rows).values(name="a"))
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await session.execute(insert(rows).values(name="b"))
            await session.execute(insert(rows).values(name="a"))
    async with sessions() as session, session.begin():
        await session.execute(insert(rows).values(name="c"))
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await session.execute(insert(rows).values(name="c"))
        await session.execute(insert(rows), [{"name": "d"}, {"name": "e"}])
    assert await _names(engine) == ["a", "c", "d", "e"]


@sqlite_only
async def test_waiting_for_another_process_s_write_lock_does_not_block_the_event_loop(
    engine
):
    """BEGIN IMMEDIATE runs in a worker thread: while another writer holds the file, the
    service's loop keeps running."""
    path = engine.url.database
    locked, unlock = threading.Event(), threading.Event()

    def other_process() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        unlock.wait(5)
        conn.execute("COMMIT")
        conn.close()

    other = threading.Thread(target=other_process)
    other.start()
    await asyncio.to_thread(locked.wait, 5)
    sessions = create_sessionmaker(engine, info={})

    async def write() -> None:
        async with sessions() as session, session.begin():
            await session.execute(insert(rows).values(name="after the other"))

    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.5)
    assert not writing.done() and ticks >= 20
    unlock.set()
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    other.join()
    assert await _names(engine) == ["after the other"]


async def test_health_reads_do_not_queue_behind_a_long_unit_of_work(make_settings):
    """/readyz's database ping and the outbox backlog answer at once while a unit of work holds
    the connection (on SQLite every other unit of work waits for it)."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        release = asyncio.Event()

        async def long_unit_of_work() -> None:
            async with kit.unit_of_work() as session:
                await session.execute(select(func.count()).select_from(kit.outbox))
                await release.wait()

        held = asyncio.create_task(long_unit_of_work())
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await ping(kit.engine, timeout=1.0)
        assert await asyncio.wait_for(kit.relay.pending_count(), 1.0) == 0
        row: Any = await probe(kit.engine, select(func.count()).select_from(kit.inbox))
        assert row[0] == 0
        assert time.perf_counter() - started < 1.0
        release.set()
        await held


@sqlite_only
async def test_a_transaction_that_changed_nothing_commits_inline(engine, monkeypatch):
    """A read's COMMIT writes nothing: it ends in the event loop's thread. A COMMIT after a
    change (its fsync) goes to a worker thread, as before; both end the transaction."""
    from shared import db

    handed: list[str] = []
    in_thread = db._InlineConnection.in_thread

    async def spied(self: Any, function: Any, *args: Any) -> Any:
        handed.append(function.__name__)
        return await in_thread(self, function, *args)

    monkeypatch.setattr(db._InlineConnection, "in_thread", spied)
    sessions = create_sessionmaker(engine, info={})
    async with sessions() as session, session.begin():
        assert await session.scalar(select(func.count()).select_from(rows)) == 0
    assert handed == []
    async with sessions() as session, session.begin():
        await session.execute(insert(rows).values(name="a"))
    assert handed == ["commit"]
    async with sessions() as session, session.begin():  # the next one begins: nothing held
        assert await session.scalar(select(func.count()).select_from(rows)) == 1


async def test_what_a_transaction_keeps_is_made_anew_in_the_next(engine):
    """``per_transaction``: one value a transaction (a consumer's batch), a fresh one after a
    rollback or a commit, so a batch applied again event by event never sees the failed one's."""
    from shared.db import per_transaction

    sessions = create_sessionmaker(engine, info={})
    async with sessions() as session:
        async with session.begin():
            first = per_transaction(session, "kept", list)
            first.append("seen")
            assert per_transaction(session, "kept", list) is first
            await session.rollback()
        async with session.begin():
            assert per_transaction(session, "kept", list) == []


@sqlite_only
async def test_what_may_wait_runs_in_the_connection_s_own_thread_to_its_end(tmp_path):
    """A COMMIT (its fsync) and a BEGIN behind another process run in the connection's own
    thread, one at a time. A caller cancelled meanwhile leaves its call running to its end, and
    the connection's next use waits for it; an error reaches the caller; closing the connection
    ends the thread."""
    from shared import db

    conn = await db._inline_creator(str(tmp_path / "own-thread.db"))()
    threads: list[threading.Thread] = []
    ended = threading.Event()

    def slow() -> str:
        threads.append(threading.current_thread())
        time.sleep(0.2)
        ended.set()
        return "done"

    assert await conn.in_thread(slow) == "done"
    ended.clear()
    caller = asyncio.create_task(conn.in_thread(slow))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert not ended.is_set()  # still running after its caller was cancelled
    await conn.settle()  # what the connection's next statement does first
    assert ended.is_set()

    def failing() -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await conn.in_thread(failing)
    assert len(threads) == 2 and threads[0] is threads[1]
    assert threads[0] is not threading.current_thread()
    await conn.close()
    threads[0].join(timeout=5)
    assert not threads[0].is_alive()
