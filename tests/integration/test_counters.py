"""``shared.counters``: a key's numbers are unique and gapless in commit order, taken in turn
by concurrent transactions, a rolled-back number given again; application numbers (R-IN-1),
complaint tracking numbers (R-CO-1) and certificate numbers (R-AP-4) are counted so. On SQLite
and, with ASSIST_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text

from shared.counters import Counter
from shared.db import lock_until_commit, unit_of_work
from tests.conftest import TEST_DATABASE_URL
from tests.support import eventually, tables_of

metadata = MetaData()
yearly = Counter(Table("ct_yearly", metadata,
                       Column("county", String(6), primary_key=True),
                       Column("year", Integer, primary_key=True, autoincrement=False),
                       Column("last_value", Integer, nullable=False)))


class GivenBack(Exception):
    """Raised to roll a transaction back after it took a number."""


@pytest.fixture
async def sessions(make_settings):
    async with tables_of(make_settings("counters", migrate_on_start=False), metadata) as maker:
        yield maker


async def take(sessions, *, county: str = "230722", year: int = 2026,
               roll_back: bool = False) -> int:
    try:
        async with unit_of_work(sessions) as session:
            value = await yearly.next(session, county=county, year=year)
            if roll_back:
                raise GivenBack(value)
    except GivenBack:
        return -value
    return value


async def test_each_key_counts_from_one_R_IN_1(sessions):
    assert [await take(sessions) for _ in range(3)] == [1, 2, 3]
    assert await take(sessions, year=2027) == 1
    assert await take(sessions, county="230723") == 1
    assert await take(sessions) == 4
    async with sessions() as session:
        rows = (await session.execute(select(yearly.table).order_by("county", "year"))).all()
    assert [tuple(r) for r in rows] == [("230722", 2026, 4), ("230722", 2027, 1),
                                        ("230723", 2026, 1)]


async def test_a_rolled_back_number_is_given_again_R_CO_1(sessions):
    assert await take(sessions) == 1
    assert await take(sessions, roll_back=True) == -2
    assert await take(sessions) == 2


async def test_concurrent_transactions_take_numbers_in_turn_without_gaps_R_AP_4(sessions):
    """Twenty transactions at once, from a key with no row yet (its first number is written
    while others wait for it); every fifth rolls back. The committed numbers are 1..16."""
    taken = await asyncio.gather(*(take(sessions, roll_back=i % 5 == 4) for i in range(20)))
    committed = sorted(v for v in taken if v > 0)
    assert committed == list(range(1, 17))


async def test_the_next_transaction_waits_for_the_holder_to_commit(sessions):
    async with unit_of_work(sessions) as session:
        assert await yearly.next(session, county="230722", year=2026) == 1
    async with unit_of_work(sessions) as session:
        assert await yearly.next(session, county="230722", year=2026) == 2
        waiter = asyncio.create_task(take(sessions))
        await asyncio.sleep(0.3)
        assert not waiter.done()  # the row (SQLite: the database) is the holder's
    assert await asyncio.wait_for(waiter, 10) == 3


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's lock queue")
async def test_waiters_are_served_in_the_order_they_came(sessions):
    """PostgreSQL: the numbers go to the waiters in the order they began waiting (the key's
    advisory lock queues them), not to whichever wins a race for the row at each commit."""
    async with unit_of_work(sessions) as session:
        assert await yearly.next(session, county="230722", year=2026) == 1
        waiters = []
        for i in range(1, 6):
            waiters.append(asyncio.create_task(take(sessions)))
            await eventually(lambda i=i: _waiting(sessions, i))
    assert await asyncio.wait_for(asyncio.gather(*waiters), 10) == [2, 3, 4, 5, 6]


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's advisory lock")
async def test_a_key_is_queued_on_its_own_lock(sessions):
    """PostgreSQL: a transaction holding the key's advisory lock, without touching its row,
    makes the next taker wait; another key's taker does not."""
    async with unit_of_work(sessions) as session:
        await lock_until_commit(session, yearly.lock_of({"county": "230722", "year": 2026}))
        waiter = asyncio.create_task(take(sessions))
        assert await asyncio.wait_for(take(sessions, year=2027), 10) == 1
        await eventually(lambda: _waiting(sessions, 1))
    assert await asyncio.wait_for(waiter, 10) == 1


async def _waiting(sessions, count: int) -> bool:
    """Whether ``count`` transactions wait for the key's advisory lock (2026's of 230722)."""
    key = yearly.lock_of({"county": "230722", "year": 2026}) & (2**64 - 1)
    async with sessions() as session:
        waiting = await session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"),
            {"high": key >> 32, "low": key & (2**32 - 1)})
    return waiting == count
