"""What one unit of work costs in each database access style, on the services' own engines.

The unit is shaped like a submission: read a counter row and bump it, look a record up by a
unique key, insert the record, six child rows and an outbox row, commit (11 statements). It runs
sequentially (one client), after a warm-up, in these styles:

- ``orm``: AsyncSession with mapped classes (``session.get``, ``add``, flush at commit), as the
  services write today;
- ``core``: AsyncSession executing Core statements one by one;
- ``core_bulk``: the same, with the six child rows as one executemany;
- ``sync_core_hop`` (SQLite): a synchronous pysqlite engine, the whole unit in one thread hop;
- ``driver``: the bare driver (sqlite3 in one thread hop; asyncpg statement by statement, the
  child rows as one executemany).

``create_engine`` gives the ``orm``/``core`` styles their engine (SQLite: the one queued
connection). Printed per style: wall and CPU milliseconds per unit of work.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import (
    create_engine as create_sync_engine,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, create_engine, create_sessionmaker, ensure_schema
from shared.settings import Settings

CHILDREN = 6
PAYLOAD = '{"type": "application_submitted", "data": {"' + "x" * 900 + '": 1}}'


class Base(DeclarativeBase):
    pass


class Counter(Base):
    __tablename__ = "access_counter"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class Head(Base):
    __tablename__ = "access_head"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    program: Mapped[str] = mapped_column(String(20))
    division: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Child(Base):
    __tablename__ = "access_child"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    head_id: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column(Boolean)


class Outbox(Base):
    __tablename__ = "access_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(Text)


HEADS, CHILDREN_T, COUNTERS, OUTBOX = (Head.__table__, Child.__table__, Counter.__table__,
                                       Outbox.__table__)


def _values(i: int) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    head_id = uuid.uuid4().hex
    head = {"id": head_id, "number": f"SQ-{head_id}", "program": "dibao",
            "division": "230722100201", "status": "accepted", "created_at": datetime.now(UTC)}
    children = [{"head_id": head_id, "code": f"material-{k}", "ok": True}
                for k in range(CHILDREN)]
    return head, children, {"event_id": uuid.uuid4().hex, "payload": PAYLOAD}


DAY = date(2026, 11, 28).isoformat()


async def orm(session: AsyncSession, i: int) -> None:
    head, children, out = _values(i)
    counter = await session.get(Counter, DAY)
    assert counter is not None
    counter.n += 1
    await session.scalar(select(Head.id).where(Head.number == head["number"]))
    session.add(Head(**head))
    session.add_all(Child(**c) for c in children)
    session.add(Outbox(**out))


async def core(session: AsyncSession, i: int) -> None:
    head, children, out = _values(i)
    await session.execute(select(COUNTERS.c.n).where(COUNTERS.c.day == DAY))
    await session.execute(update(COUNTERS).where(COUNTERS.c.day == DAY)
                          .values(n=COUNTERS.c.n + 1))
    await session.execute(select(HEADS.c.id).where(HEADS.c.number == head["number"]))
    await session.execute(insert(HEADS).values(**head))
    for child in children:
        await session.execute(insert(CHILDREN_T).values(**child))
    await session.execute(insert(OUTBOX).values(**out))


async def core_bulk(session: AsyncSession, i: int) -> None:
    head, children, out = _values(i)
    await session.execute(update(COUNTERS).where(COUNTERS.c.day == DAY)
                          .values(n=COUNTERS.c.n + 1).returning(COUNTERS.c.n))
    await session.execute(select(HEADS.c.id).where(HEADS.c.number == head["number"]))
    await session.execute(insert(HEADS).values(**head))
    await session.execute(insert(CHILDREN_T), children)
    await session.execute(insert(OUTBOX).values(**out))


@dataclass
class Result:
    style: str
    wall_ms: float
    cpu_ms: float


async def _timed(style: str, n: int, unit: Callable[[int], Awaitable[None]]) -> Result:
    for i in range(min(20, n)):  # warm-up: statement caches, connections
        await unit(-1 - i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        await unit(i)
    return Result(style, (time.perf_counter() - wall) / n * 1000,
                  (time.process_time() - cpu) / n * 1000)


async def measure(settings: Settings, n: int) -> list[Result]:
    """Every style against a fresh set of tables under ``settings``' database."""
    engine = create_engine(settings)
    await ensure_schema(engine, settings.pg_schema)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        await conn.execute(insert(COUNTERS).values(day=DAY, n=0))
    sessions = create_sessionmaker(engine, info={})
    results = []
    try:
        for name, body in (("orm", orm), ("core", core), ("core_bulk", core_bulk)):
            async def unit(i: int, body: Any = body) -> None:
                async with sessions() as session, session.begin():
                    await body(session, i)
            results.append(await _timed(name, n, unit))
        if settings.is_postgres:
            results.append(await _asyncpg_driver(settings, n))
        else:
            results += await _sqlite_sync(settings, n)
    finally:
        await engine.dispose()
    return results


async def _sqlite_sync(settings: Settings, n: int) -> list[Result]:
    path = settings.sqlalchemy_url.split("///", 1)[1]
    sync_engine = create_sync_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    def sync_unit(i: int) -> None:
        head, children, out = _values(i)
        with sync_engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
            conn.execute(update(COUNTERS).where(COUNTERS.c.day == DAY)
                         .values(n=COUNTERS.c.n + 1).returning(COUNTERS.c.n))
            conn.execute(select(HEADS.c.id).where(HEADS.c.number == head["number"]))
            conn.execute(insert(HEADS).values(**head))
            conn.execute(insert(CHILDREN_T), children)
            conn.execute(insert(OUTBOX).values(**out))

    raw = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA synchronous=FULL")

    def driver_unit(i: int) -> None:
        head, children, out = _values(i)
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("UPDATE access_counter SET n = n + 1 WHERE day = ? RETURNING n",
                    (DAY,)).fetchall()
        raw.execute("SELECT id FROM access_head WHERE number = ?", (head["number"],)).fetchall()
        raw.execute("INSERT INTO access_head VALUES (?, ?, ?, ?, ?, ?)",
                    (head["id"], head["number"], head["program"], head["division"],
                     head["status"], head["created_at"].isoformat()))
        raw.executemany("INSERT INTO access_child (head_id, code, ok) VALUES (?, ?, ?)",
                        [(c["head_id"], c["code"], c["ok"]) for c in children])
        raw.execute("INSERT INTO access_outbox (event_id, payload) VALUES (?, ?)",
                    (out["event_id"], out["payload"]))
        raw.execute("COMMIT")

    try:
        return [await _timed("sync_core_hop", n, lambda i: asyncio.to_thread(sync_unit, i)),
                await _timed("driver", n, lambda i: asyncio.to_thread(driver_unit, i))]
    finally:
        raw.close()
        sync_engine.dispose()


async def _asyncpg_driver(settings: Settings, n: int) -> Result:
    import asyncpg

    url = settings.sqlalchemy_url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(url, server_settings={"search_path": settings.pg_schema or ""})

    async def unit(i: int) -> None:
        head, children, out = _values(i)
        async with conn.transaction():
            await conn.fetch("UPDATE access_counter SET n = n + 1 WHERE day = $1 RETURNING n",
                             DAY)
            await conn.fetch("SELECT id FROM access_head WHERE number = $1", head["number"])
            await conn.execute("INSERT INTO access_head VALUES ($1, $2, $3, $4, $5, $6)",
                               *head.values())
            await conn.executemany(
                "INSERT INTO access_child (head_id, code, ok) VALUES ($1, $2, $3)",
                [(c["head_id"], c["code"], c["ok"]) for c in children])
            await conn.execute("INSERT INTO access_outbox (event_id, payload) VALUES ($1, $2)",
                               out["event_id"], out["payload"])

    try:
        return await _timed("driver", n, unit)
    finally:
        await conn.close()


async def drop(settings: Settings) -> None:
    engine = create_engine(settings, pooled=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            if settings.pg_schema:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{settings.pg_schema}" CASCADE'))
    finally:
        await engine.dispose()
