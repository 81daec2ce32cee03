"""PostgreSQL: a transaction that releases its locks before its WAL flush, and waits for the
flush before anything acts on it (``shared.db.commit_before_flush``); the outbox relay's reads
wait for the flush of what they found (``shared.db.flush_on_commit``).

The day's application number (R-IN-1) is taken this way: the next window's turn comes a flush
sooner, and no answer is given for a number a crash could lose.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, insert, text

from services.intake.app import create_app as create_intake
from shared.db import (
    commit_before_flush,
    create_engine,
    create_sessionmaker,
    dispose,
    ensure_schema,
    flush_on_commit,
    unit_of_work,
)
from shared.settings import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_outbox_relay import _insert_rows, application
from tests.integration.test_postgres_pool import sent_by
from tests.support import bearer, load_division_register, running

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL only (ASSIST_TEST_DATABASE_URL): SQLite's one writer has no queue of "
    "lock holders, and its commits always wait for their sync",
)

WAIT_FOR_FLUSH = "SELECT pg_logical_emit_message(true, 'assist.flush', '')"

metadata = MetaData()
things = Table("thing", metadata, Column("id", Integer, primary_key=True))


@pytest.fixture
async def engine(make_settings: Any) -> AsyncIterator[Any]:
    settings: Settings = make_settings("flush")
    engine = create_engine(settings)
    await ensure_schema(engine, settings.pg_schema)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await dispose(engine)


async def test_its_commit_does_not_wait_and_the_unit_of_work_waits_for_the_flush_after(engine):
    sent = sent_by(engine)
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:
        await session.execute(insert(things).values(id=1))
        await commit_before_flush(session)
        assert await session.scalar(text("SHOW synchronous_commit")) == "off"
        written = await session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
        sent.clear()
    # unit_of_work has returned: the wait came after the COMMIT, on the same connection
    await asyncio.sleep(0)  # asyncpg hands each logged query to its loggers in a loop turn
    assert sent == ["COMMIT;", WAIT_FOR_FLUSH], sent
    assert await flushed_past(sessions, written), "on disk once the unit of work returns"
    async with unit_of_work(sessions) as session:  # the setting was the transaction's alone
        assert await session.scalar(text("SHOW synchronous_commit")) == "on"


async def test_a_savepoint_committed_inside_waits_for_nothing_until_the_transaction(engine):
    sent = sent_by(engine)
    sessions = create_sessionmaker(engine, info={})
    async with unit_of_work(sessions) as session:
        await commit_before_flush(session)
        async with session.begin_nested():
            await session.execute(insert(things).values(id=2))
        await asyncio.sleep(0)
        assert WAIT_FOR_FLUSH not in sent, "a RELEASE SAVEPOINT is not the commit"
        sent.clear()
    await asyncio.sleep(0)
    assert sent == ["COMMIT;", WAIT_FOR_FLUSH], sent


async def test_a_rolled_back_transaction_waits_for_no_flush_nor_does_the_next(engine):
    sent = sent_by(engine)
    sessions = create_sessionmaker(engine, info={})
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            await session.execute(insert(things).values(id=3))
            await commit_before_flush(session)
            raise RuntimeError("refused")
    async with sessions() as session:  # the same session twice: nothing left of the first
        async with session.begin():
            await commit_before_flush(session)
        await asyncio.sleep(0)
        sent.clear()
        async with session.begin():
            await session.execute(insert(things).values(id=3))
    await asyncio.sleep(0)
    assert WAIT_FOR_FLUSH not in sent, sent


async def flushed_past(sessions: Any, written: str) -> bool:
    async with unit_of_work(sessions) as session:
        return bool(await session.scalar(
            text("SELECT pg_current_wal_flush_lsn() >= CAST(CAST(:written AS text) AS pg_lsn)"),
            {"written": written}))


async def test_a_transaction_that_flushes_on_commit_waits_for_what_came_before(engine):
    """A commit before its flush is on disk once a later transaction that flushes on commit
    has committed; a read-only one's COMMIT waits for nothing."""
    sessions = create_sessionmaker(engine, info={})
    async with sessions() as session:
        async with session.begin():
            await session.execute(insert(things).values(id=4))
            await session.execute(text("SET LOCAL synchronous_commit = off"))
            written = await session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
        async with session.begin():
            await flush_on_commit(session)
            assert await session.scalar(text("SELECT pg_current_xact_id_if_assigned()"))
    assert await flushed_past(sessions, written)


async def test_the_relay_waits_for_the_flush_of_rows_it_found_before_publishing_them(
    make_settings,
):
    """Rows a commit before its flush wrote may be read in those milliseconds: the relay's read
    that found them makes its own COMMIT wait for their flush before it publishes them; a read
    that also marked rows (a write) waits anyway, and one that found nothing waits for
    nothing."""
    app = create_intake(make_settings("intake", relay_poll_interval_s=3600))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await kit.relay.stop()
        statements: list[str] = []

        @event.listens_for(kit.sessions.kw["bind"].sync_engine, "before_cursor_execute")
        def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement.strip())

        assert await kit.relay.relay_pending() == 0
        assert WAIT_FOR_FLUSH not in statements, "nothing found, nothing to wait for"
        await _insert_rows(kit, ["assist.230722.intake.test_recorded"] * 3)
        statements.clear()
        assert await kit.relay.relay_pending() == 3
        assert statements.count(WAIT_FOR_FLUSH) == 1, statements
        first_read = next(i for i, s in enumerate(statements) if "FROM" in s and "outbox" in s)
        assert statements.index(WAIT_FOR_FLUSH) > first_read, "after the read, before its COMMIT"


async def test_a_submission_s_day_number_is_released_before_the_flush_R_IN_1(make_settings):
    """The numbering statement says the commit does not wait (no round trip of its own), and
    the submission's COMMIT is followed by the wait for the flush before it is answered."""
    settings = make_settings("intake")
    app = create_intake(settings)
    async with running(app) as intake:
        await load_division_register(intake, settings)
        engine = app.state.kit.sessions.kw["bind"]
        sent = sent_by(engine)  # BEGIN, COMMIT, the wait: asyncpg's simple protocol
        statements: list[str] = []  # the prepared ones, as SQLAlchemy's listeners hear them

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        answer = await intake.post("/api/v1/applications", json=application(1),
                                   headers=bearer(settings, "caseworker", ["230722100"]))
        assert answer.status_code == 201, answer.text
        assert answer.json()["number"].endswith("-000001")
    await asyncio.sleep(0)
    said = [s for s in statements if "set_config('synchronous_commit', 'off', true)" in s]
    assert len(said) == 1 and "WITH queue" in said[0], "by the counter's statement, the last"
    assert sent.index(WAIT_FOR_FLUSH) == sent.index("COMMIT;") + 1, sent
