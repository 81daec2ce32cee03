"""A read sees one snapshot of the database, however many statements it takes (PostgreSQL).

PostgreSQL's default READ COMMITTED gives every statement its own snapshot, so a read in two
statements (a payee, then its changes) could pair the row as it was before a concurrent commit
with the children from after it: a torn read, which made the disbursement test flaky. Reads
(GET and HEAD requests, ``unit_of_work(read_only=True)``) run REPEATABLE READ, READ ONLY.
SQLite serialises every transaction with BEGIN IMMEDIATE, so there a writer cannot commit
between a reader's statements at all (and would wait for the reader forever in these tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from shared.db import create_engine, ensure_schema, service_metadata, unit_of_work
from shared.service import (
    DbSession,
    Kit,
    ServiceKit,
    ServiceSpec,
    create_service_app,
    messaging_tables,
)
from shared.settings import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.support import running

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL only (ASSIST_TEST_DATABASE_URL): SQLite's BEGIN IMMEDIATE already "
           "serialises transactions, so no commit can fall between a reader's statements",
)

metadata = service_metadata()
outbox, inbox = messaging_tables(metadata)
record = Table("record", metadata,
               Column("id", String(32), primary_key=True),
               Column("version", Integer, nullable=False))
record_change = Table("record_change", metadata,
                      Column("id", Integer, primary_key=True, autoincrement=True),
                      Column("record_id", ForeignKey("record.id"), nullable=False))
RECORD = "r1"


async def commit_a_change(kit: ServiceKit) -> None:
    """A writer in its own transaction: the record's next version and one more change."""
    async with kit.unit_of_work() as session:
        await session.execute(record.update().where(record.c.id == RECORD)
                              .values(version=record.c.version + 1))
        await session.execute(insert(record_change).values(record_id=RECORD))


async def record_state(session: Any, kit: ServiceKit, *, interleave: bool) -> dict[str, int]:
    """The record and its changes in two statements, a writer's commit between them if asked."""
    version = await session.scalar(select(record.c.version).where(record.c.id == RECORD))
    if interleave:
        await commit_a_change(kit)
    changes = await session.scalar(select(func.count()).select_from(record_change)
                                   .where(record_change.c.record_id == RECORD))
    return {"version": version, "changes": changes}


async def transaction_state(session: Any) -> dict[str, Any]:
    return {"isolation": await session.scalar(text("SHOW transaction_isolation")),
            "read_only": await session.scalar(text("SHOW transaction_read_only")),
            "pid": await session.scalar(text("SELECT pg_backend_pid()"))}


def probe_app(settings: Settings) -> FastAPI:
    """A service on the shared skeleton whose endpoints read through ``DbSession``."""
    router = APIRouter()

    @router.get("/record")
    async def read_record(session: DbSession, kit: Kit, interleave: bool = False) -> Any:
        return await record_state(session, kit, interleave=interleave)

    @router.get("/transaction")
    async def read_transaction(session: DbSession) -> Any:
        return await transaction_state(session)

    @router.post("/transaction")
    async def write_transaction(session: DbSession) -> Any:
        return await transaction_state(session)

    spec = ServiceSpec(name="snapshot", title="snapshot probe", description="test only",
                       metadata=metadata, outbox=outbox, inbox=inbox, routers=[router])
    return create_service_app(spec, settings)


@pytest.fixture
async def settings(make_settings) -> Settings:
    """The probe's schema with its tables, and one record (version 1) with one change."""
    settings = make_settings("snapshot", migrate_on_start=False)
    engine = create_engine(settings, pooled=False)
    try:
        await ensure_schema(engine, settings.pg_schema)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.execute(insert(record).values(id=RECORD, version=1))
            await conn.execute(insert(record_change).values(record_id=RECORD))
    finally:
        await engine.dispose()
    return settings


async def test_a_read_request_sees_one_snapshot_while_a_writer_commits(settings):
    """A GET whose two statements straddle another transaction's commit sees neither half of
    it (before: version 1 with 2 changes); the next GET sees all of it."""
    async with running(probe_app(settings)) as client:
        torn_or_not = await client.get("/api/v1/record", params={"interleave": "true"})
        assert torn_or_not.status_code == 200, torn_or_not.text
        assert torn_or_not.json() == {"version": 1, "changes": 1}
        assert (await client.get("/api/v1/record")).json() == {"version": 2, "changes": 2}


async def test_reads_run_repeatable_read_read_only_and_writes_read_committed(settings):
    async with running(probe_app(settings)) as client:
        read = (await client.get("/api/v1/transaction")).json()
        assert (read["isolation"], read["read_only"]) == ("repeatable read", "on")
        write = (await client.post("/api/v1/transaction")).json()
        assert (write["isolation"], write["read_only"]) == ("read committed", "off")


async def test_a_read_only_unit_of_work_sees_one_snapshot_and_cannot_write(settings):
    app = probe_app(settings)
    async with running(app):
        kit: ServiceKit = app.state.kit
        async with unit_of_work(kit.sessions, read_only=True) as session:
            assert await record_state(session, kit, interleave=True) == {"version": 1,
                                                                          "changes": 1}
        async with unit_of_work(kit.sessions) as session:  # READ COMMITTED: torn, as before
            assert await record_state(session, kit, interleave=True) == {"version": 2,
                                                                          "changes": 3}
        with pytest.raises(DBAPIError, match="read-only transaction"):
            async with unit_of_work(kit.sessions, read_only=True) as session:
                await session.execute(insert(record_change).values(record_id=RECORD))


async def test_the_snapshot_does_not_leak_into_the_pooled_connection(settings):
    """The connection a read used goes back to the pool READ COMMITTED and read-write."""
    app = probe_app(settings)
    async with running(app):
        kit: ServiceKit = app.state.kit
        async with unit_of_work(kit.sessions, read_only=True) as session:
            reader = await transaction_state(session)
        assert (reader["isolation"], reader["read_only"]) == ("repeatable read", "on")
        seen: dict[int, tuple[str, str]] = {}
        for _ in range(100):  # the pool hands out its connections in turn
            async with unit_of_work(kit.sessions) as session:
                state = await transaction_state(session)
            seen[state["pid"]] = (state["isolation"], state["read_only"])
            if reader["pid"] in seen:
                break
        assert reader["pid"] in seen, "the pool never handed out the reader's connection again"
        assert set(seen.values()) == {("read committed", "off")}
