"""PostgreSQL's pooled connections: the BEGIN a unit of work sends anyway proves the connection
alive (``shared.db._begin_on_checkout``), where a pre-ping cost three round trips more.

Every statement the driver sends is seen with asyncpg's query logger.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from shared.db import (
    _reader,
    create_engine,
    create_sessionmaker,
    dispose,
    ensure_schema,
    lock_key,
    lock_until_commit,
    probe,
    unit_of_work,
)
from shared.settings import Settings
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL only (ASSIST_TEST_DATABASE_URL): SQLite keeps one connection of its own",
)


POOL_SIZE = 5


@pytest.fixture
async def engine(make_settings: Any) -> AsyncIterator[Any]:
    settings: Settings = make_settings("pool", db_pool_size=POOL_SIZE)
    engine = create_engine(settings)
    await ensure_schema(engine, settings.pg_schema)
    yield engine
    await dispose(engine)


def sent_by(engine: Any) -> list[str]:
    """The queries the engine's connections send by asyncpg's simple protocol or its
    ``execute``/``fetch*`` from now on (BEGIN, COMMIT, ROLLBACK, a pre-ping's empty query), in
    order. SQLAlchemy's own statements go through prepared statements, which asyncpg's query
    loggers do not see."""
    sent: list[str] = []

    def log(logged: Any) -> None:
        sent.append(logged.query.strip())

    # first among the checkout listeners, so that it sees what the kit's listener sends
    @event.listens_for(engine.sync_engine.pool, "checkout", insert=True)
    def log_queries(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    return sent


def kind(query: str) -> str:
    words = query.rstrip(";").split()
    return words[0].upper() if words else "(an empty query: a ping)"


async def backend_pid(engine: Any) -> int:
    async with unit_of_work(create_sessionmaker(engine, info={})) as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")))


async def test_a_unit_of_work_on_a_pooled_connection_sends_no_ping(engine):
    sent = sent_by(engine)
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:  # the connection made, then back in the pool
        await session.execute(text("SELECT 1"))
    await asyncio.sleep(0)
    sent.clear()

    async with unit_of_work(sessions) as session:
        assert await session.scalar(text("SELECT 42")) == 42
    await asyncio.sleep(0)  # asyncpg hands each logged query to its loggers in a loop turn

    assert [kind(q) for q in sent] == ["BEGIN", "COMMIT"], sent


async def test_a_read_only_unit_of_work_still_reads_one_snapshot(engine):
    """Said by its first statement: no ROLLBACK of the checkout's BEGIN and a second BEGIN, as
    setting the connection's isolation level sends."""
    sent = sent_by(engine)
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions, read_only=True) as session:
        level = await session.scalar(text("SHOW transaction_isolation"))
        read_only = await session.scalar(text("SHOW transaction_read_only"))
    assert (level, read_only) == ("repeatable read", "on")
    await asyncio.sleep(0)
    assert [kind(q) for q in sent] == ["BEGIN", "COMMIT"], sent
    async with unit_of_work(sessions) as session:  # the next transaction has the default
        level = await session.scalar(text("SHOW transaction_isolation"))
        read_only = await session.scalar(text("SHOW transaction_read_only"))
    assert (level, read_only) == ("read committed", "off")


async def terminate(pid: int) -> None:
    async with create_engine(Settings(service="pool-killer", database_url=TEST_DATABASE_URL),
                             pooled=False).connect() as killer:
        assert await killer.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def connected(pid: int) -> bool:
    async with create_engine(Settings(service="pool-watcher", database_url=TEST_DATABASE_URL),
                             pooled=False).connect() as watcher:
        return bool(await watcher.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}))


async def test_a_connection_killed_in_the_pool_is_replaced_before_a_unit_of_work_uses_it(engine):
    first = await backend_pid(engine)  # now idle in the pool
    await terminate(first)

    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:  # no error: the pool found it dead
        assert await session.scalar(text("SELECT 42")) == 42
    assert await backend_pid(engine) != first


async def probed_pid(engine: Any) -> int:
    row = await probe(engine, select(func.pg_backend_pid()))
    assert row is not None
    return int(row[0])


async def test_a_probe_reads_on_a_kept_connection_of_its_own(engine):
    """A readiness probe under load once took longer than its 2 s: it opened a connection per
    read (about seven round trips, each waiting its turn in a busy event loop). Its reader now
    keeps its connections, beside the engine's pool, and a read costs its BEGIN and ROLLBACK."""
    first = await probed_pid(engine)
    sent = sent_by(_reader(engine))
    assert await probed_pid(engine) == first  # kept, not opened again
    await asyncio.sleep(0)
    assert [kind(q) for q in sent] == ["BEGIN", "ROLLBACK"], sent
    assert first != await backend_pid(engine)  # not one of the engine's own connections


async def test_a_probe_connection_killed_idle_is_replaced_and_disposed_with_the_engine(engine):
    first = await probed_pid(engine)
    await terminate(first)
    second = await probed_pid(engine)  # no error: the checkout BEGIN found it dead
    assert second != first

    await dispose(engine)
    for _ in range(50):  # the backend exits just after the connection closes
        if not await connected(second):
            break
        await asyncio.sleep(0.02)
    assert not await connected(second)


async def advisory_locks_held(session: Any) -> dict[str, int]:
    rows = (await session.execute(text(
        "SELECT mode, count(*) FROM pg_locks WHERE locktype = 'advisory' "
        "AND pid = pg_backend_pid() GROUP BY mode"))).all()
    return {mode: int(count) for mode, count in rows}


async def test_several_advisory_locks_are_taken_in_one_round_trip_and_once(engine):
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    keys = [lock_key(f"test-lock:{i}") for i in range(3)]
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:
        await lock_until_commit(session, *keys, keys[0])  # a key given twice is taken once
        assert len(statements) == 1
        await lock_until_commit(session, keys[1], shared=True)  # held, more strongly
        await lock_until_commit(session, *keys)
        assert len(statements) == 1  # nothing asked again
        await lock_until_commit(session, lock_key("test-lock:shared"), shared=True)
        await lock_until_commit(session, lock_key("test-lock:shared"))  # stronger: asked
        assert len(statements) == 3
        assert await advisory_locks_held(session) == {"ExclusiveLock": 4, "ShareLock": 1}
    async with unit_of_work(sessions) as session:  # released at the commit
        assert await advisory_locks_held(session) == {}


async def test_a_transaction_locking_a_key_held_by_another_waits_for_its_commit(engine):
    sessions = create_sessionmaker(engine, info={})
    first, second = lock_key("test-lock:a"), lock_key("test-lock:b")
    async with unit_of_work(sessions) as holder:
        await lock_until_commit(holder, first)

        async def other() -> None:
            async with unit_of_work(sessions) as session:
                await lock_until_commit(session, second, first)

        waiting = asyncio.create_task(other())
        await asyncio.sleep(0.3)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 5)


async def test_a_lock_taken_in_a_rolled_back_savepoint_is_asked_again(engine):
    """PostgreSQL releases an advisory lock taken in a savepoint that is rolled back: the
    transaction must not count it as held."""
    key = lock_key("test-lock:savepoint")
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:
        savepoint = await session.begin_nested()
        await lock_until_commit(session, key)
        assert await advisory_locks_held(session) == {"ExclusiveLock": 1}
        await savepoint.rollback()
        assert await advisory_locks_held(session) == {}
        await lock_until_commit(session, key)
        assert await advisory_locks_held(session) == {"ExclusiveLock": 1}


async def test_a_connection_given_back_goes_to_the_oldest_waiter(engine):
    """Every connection in use: one given back goes to the unit of work that has waited
    longest, not to one that asks just as it comes back (which would send the waiter to the
    end of the line again, however long it had waited: the tail of 32 clients' submissions)."""
    held = [await engine.connect() for _ in range(POOL_SIZE)]
    served: list[str] = []

    async def unit_of_work(name: str) -> None:
        async with engine.connect():
            served.append(name)
            await asyncio.sleep(0.05)

    waiting = asyncio.create_task(unit_of_work("waiting"))
    await asyncio.sleep(0.2)  # it waits for a connection
    assert not waiting.done()
    await held.pop().close()
    await unit_of_work("asks as one comes back")  # no loop turn between: first in line?
    await waiting
    assert served == ["waiting", "asks as one comes back"]
    for connection in held:
        await connection.close()


async def test_connections_opened_for_a_burst_are_kept_for_the_next(engine):
    """A burst that used every connection, and the next: the same backends serve both (no
    connection set up, no statement prepared again)."""
    async def burst() -> set[int]:
        held = [await engine.connect() for _ in range(POOL_SIZE)]
        pids = {await c.scalar(select(func.pg_backend_pid())) for c in held}
        for connection in held:
            await connection.close()
        return pids

    first = await burst()
    assert len(first) == POOL_SIZE
    assert await burst() == first


async def test_a_service_holds_no_more_connections_than_its_pool_size(engine):
    held = [await engine.connect() for _ in range(POOL_SIZE)]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(engine.connect(), 0.3)
    for connection in held:
        await connection.close()
