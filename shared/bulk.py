"""Many rows into one table inside the session's transaction, as fast as the engine takes them:
``COPY … FROM STDIN`` on PostgreSQL (asyncpg), one prepared ``INSERT`` executed for many rows
elsewhere, the columns' own conversions applied (times in UTC, dates). For staging files of a
million lines (disbursement's reconciliation, R-DI-7), never one ORM object per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(session: AsyncSession, table: Table, columns: Sequence[str],
                      rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` in the session's
    transaction. On PostgreSQL the rows travel by COPY on the session's own connection (the
    schema is the connection's search_path); elsewhere by the driver's executemany, each
    value converted as its column's type converts it."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.driver == "asyncpg":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=rows, columns=list(columns))
        return
    if dialect.paramstyle != "qmark":
        await connection.execute(insert(table), [dict(zip(columns, row, strict=True))
                                                  for row in rows])
        return
    processors = [(i, p) for i, name in enumerate(columns)
                  if (p := table.c[name].type._cached_bind_processor(dialect)) is not None]
    if processors:
        converted = []
        for row in rows:
            values = list(row)
            for i, process in processors:
                values[i] = process(values[i])
            converted.append(tuple(values))
        rows = converted
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    await connection.exec_driver_sql(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "
        f"VALUES ({marks})", list(rows))


async def analyze(session: AsyncSession, table: Table) -> None:
    """Refresh the planner's statistics of ``table`` after a bulk load (PostgreSQL; SQLite's
    planner needs none here): without them a freshly staged million rows look like none, and
    joins over them are planned as nested loops."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text(f'ANALYZE "{table.name}"'))
