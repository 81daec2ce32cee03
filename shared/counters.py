"""Gapless counters: the next number of a key (a day, a county's year), in commit order.

A counter is a table whose primary key is the key's columns, with a ``last_value`` column. The
next value is taken by one statement that adds one to the key's row, or writes the row with 1
for the key's first number. The row stays locked until the commit: concurrent transactions
take their numbers one after another, and a transaction rolled back gives its number back, so
the numbers of committed rows have no gaps.

On PostgreSQL the statement first takes a transaction advisory lock named after the table and
the key, then bumps the row. Waiters on a row lock are all woken by its holder's commit and
race for the row's new version, most of them to wait again: the order they get it in is
chance, and some wait through many turns. Waiters on an advisory lock queue in PostgreSQL's
lock manager and are served in turn, one woken at each commit. Twenty transactions taking one
key's numbers on the kit's engine: p99 138–158 ms on the row lock alone, 84–99 ms queued;
intake's submissions at 32 clients: p99 503–635 → 273–368 ms (docs/performance.md, *A
counter's queue*; ``python -m bench.pipeline --only counters``). SQLite has one writer at a
time: it never waits there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Insert, Table, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared import direct
from shared.db import lock_key


class Counter:
    """The counter kept in ``table``: its key is the table's primary key, given by name to
    :meth:`next`; its count is ``last_value``."""

    __slots__ = ("table", "_key", "_statements")

    def __init__(self, table: Any) -> None:
        self.table: Table = getattr(table, "__table__", table)
        self._key = [c.name for c in self.table.primary_key.columns]
        self._statements = {"postgresql": direct.Statement(self.bumped_postgresql()),
                            "sqlite": direct.Statement(self._bumped(sqlite_insert, None))}

    def bumped_postgresql(self) -> Insert:
        """PostgreSQL's statement, returning the next value (``last_value``): the key's
        advisory lock, then the upsert. It can be made one part (``.cte()``) of a larger
        statement, sent with :meth:`values_postgresql`."""
        queue = select(func.pg_advisory_xact_lock(bindparam("lock", type_=BigInteger))
                       .label("taken")).cte("queue")
        return self._bumped(pg_insert, queue)

    def _bumped(self, insert: Any, queue: Any) -> Any:
        key_values = [bindparam(name, type_=self.table.c[name].type) for name in self._key]
        row = select(*key_values, literal(1))
        last = self.table.c.last_value
        return (insert(self.table)
                .from_select([*self._key, "last_value"],
                             row if queue is None else row.select_from(queue))
                .on_conflict_do_update(index_elements=self._key, set_={"last_value": last + 1})
                .returning(last))

    def lock_of(self, key: dict[str, Any]) -> int:
        """The advisory lock of a key's numbers (PostgreSQL)."""
        return lock_key(f"{self.table.name}:" + ":".join(str(key[name]) for name in self._key))

    def values_postgresql(self, **key: Any) -> dict[str, Any]:
        """What :meth:`bumped_postgresql` is sent with for ``key``: its values by column name,
        and its advisory lock."""
        return {**key, "lock": self.lock_of(key)}

    async def next(self, session: AsyncSession, **key: Any) -> int:
        """The key's next value, taken in the session's transaction (its row locked until the
        commit)."""
        dialect = session.get_bind().dialect.name
        params = self.values_postgresql(**key) if dialect == "postgresql" else key
        value = await direct.scalar(session, self._statements[dialect], params)
        assert value is not None, f"{self.table.name}: no value returned"
        return int(value)
