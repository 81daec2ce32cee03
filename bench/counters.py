"""A counter's waiters on PostgreSQL: the row lock alone against the kit's queue.

``clients`` transactions at once take the numbers of one key (``shared.counters.Counter``), each
holding it for ``hold_ms`` of CPU before its COMMIT, as a submission's coroutine waits for its
turn in a busy event loop between its numbering statement and its COMMIT. Two ways, on the
services' own engine (``shared.db.create_engine``), alternated:

- ``row lock`` (the baseline): the upsert alone, waiters queued on the key's row;
- ``queued``: the kit's statement, the key's advisory lock first.

Printed per way: numbers a second, p50 and p99 of a transaction (BEGIN to COMMIT). SQLite has
one writer at a time and never waits there: PostgreSQL only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared import direct
from shared.counters import Counter
from shared.db import create_engine, create_sessionmaker, ensure_schema, unit_of_work
from shared.settings import Settings

metadata = MetaData()
numbers = Counter(Table("bench_counter", metadata,
                        Column("year", Integer, primary_key=True, autoincrement=False),
                        Column("last_value", Integer, nullable=False)))
ROW_LOCK_ALONE = direct.Statement(
    pg_insert(numbers.table).values(year=2026, last_value=1)
    .on_conflict_do_update(index_elements=["year"],
                           set_={"last_value": numbers.table.c.last_value + 1})
    .returning(numbers.table.c.last_value))


@dataclass
class Result:
    way: str
    rate: float
    p50: float
    p99: float


async def measure(settings: Settings, *, clients: int = 20, seconds: float = 4.0,
                  hold_ms: float = 0.3, rounds: int = 2) -> list[Result]:
    """Each way ``rounds`` times, alternated; the best round of each."""
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine, info={})
    try:
        await ensure_schema(engine, settings.pg_schema)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        best: dict[str, Result] = {}
        for _ in range(rounds):
            for way in ("row lock", "queued"):
                result = await _one(sessions, way, clients, seconds, hold_ms)
                if way not in best or result.rate > best[way].rate:
                    best[way] = result
        return list(best.values())
    finally:
        await engine.dispose()


async def _one(sessions: object, way: str, clients: int, seconds: float, hold_ms: float
               ) -> Result:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            async with unit_of_work(sessions) as session:  # type: ignore[arg-type]
                if way == "queued":
                    await numbers.next(session, year=2026)
                else:
                    await direct.scalar(session, ROW_LOCK_ALONE)
                busy = time.perf_counter() + hold_ms / 1000
                while time.perf_counter() < busy:  # the loop busy with another request
                    pass
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    took = time.perf_counter() - started
    latencies.sort()
    return Result(way, len(latencies) / took, latencies[len(latencies) // 2],
                  latencies[int(len(latencies) * 0.99) - 1])
