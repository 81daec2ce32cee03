"""Many rows into one table inside the session's transaction, as fast as the engine takes them:
``COPY … FROM STDIN`` on PostgreSQL (asyncpg), one prepared ``INSERT`` executed for many rows
elsewhere. For staging files of a million lines (disbursement's reconciliation, R-DI-7), never
one ORM object per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(session: AsyncSession, table: Table, columns: Sequence[str],
                      rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` in the session's
    transaction. On PostgreSQL the rows travel by COPY on the session's own connection (the
    schema is the connection's search_path)."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.driver == "asyncpg":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=rows, columns=list(columns))
        return
    await connection.execute(insert(table), [dict(zip(columns, row, strict=True))
                                              for row in rows])
