"""``shared.db.per_transaction``: what a transaction keeps for itself (a chain's head, the locks
it holds, a batch hook's answers) lives as long as the transaction, and a savepoint rolled back
takes it back with the rest of its work. On SQLite and, with ASSIST_TEST_DATABASE_URL,
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from services.audit.log.heads import LastLink
from shared.db import (
    lock_key,
    per_transaction,
    unit_of_work,
)
from tests.support import tables_of

metadata = MetaData()
links = Table("pt_link", metadata, Column("seq", Integer, primary_key=True),
              Column("hash", String(64), nullable=False))
CHAIN = LastLink("pt_chain_head", lock_key("test-per-transaction-chain"),
                 select(links.c.seq, links.c.hash).order_by(links.c.seq.desc()).limit(1))


@pytest.fixture
async def sessions(make_settings):
    settings = make_settings("per_transaction", migrate_on_start=False)
    async with tables_of(settings, metadata) as maker:
        yield maker


async def test_kept_for_the_transaction_and_through_a_released_savepoint(sessions):
    async with unit_of_work(sessions) as session:
        await session.execute(select(1))
        kept = per_transaction(session, "pt", list)
        kept.append("seen")
        async with session.begin_nested():
            assert per_transaction(session, "pt", list) == ["seen"]
            per_transaction(session, "pt", list).append("in the savepoint")
        assert per_transaction(session, "pt", list) == ["seen", "in the savepoint"]
    async with unit_of_work(sessions) as session:  # the next transaction starts afresh
        await session.execute(select(1))
        assert per_transaction(session, "pt", list) == []


async def test_made_anew_after_a_savepoint_is_rolled_back(sessions):
    async with unit_of_work(sessions) as session:
        await session.execute(select(1))
        per_transaction(session, "pt", list).append("before")
        savepoint = await session.begin_nested()
        per_transaction(session, "pt", list).append("in the savepoint")
        await savepoint.rollback()
        assert per_transaction(session, "pt", list) == []


async def test_a_chain_head_moved_in_a_rolled_back_savepoint_is_read_again(sessions):
    """A redrive that failed after appending to a chain (in its savepoint) must not leave the
    transaction linking its next entry to the entry that was taken back."""
    async with unit_of_work(sessions) as session:
        await session.execute(insert(links).values(seq=1, hash="h1"))
        assert await CHAIN.read(session) == (1, "h1")
        savepoint = await session.begin_nested()
        await session.execute(insert(links).values(seq=2, hash="h2"))
        CHAIN.moved(session, (2, "h2"))
        assert await CHAIN.read(session) == (2, "h2")
        await savepoint.rollback()
        assert await CHAIN.read(session) == (1, "h1")
