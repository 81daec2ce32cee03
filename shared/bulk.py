"""Rows in bulk inside the session's transaction, as fast as the engine takes them.

Many rows into one table (:func:`insert_rows`):
``COPY … FROM STDIN`` on PostgreSQL (asyncpg), one prepared ``INSERT`` executed for many rows
elsewhere, the columns' own conversions applied (times in UTC, dates). For staging files of a
million lines (disbursement's reconciliation, R-DI-7), never one ORM object per row. A new
graph of ORM objects (:func:`insert_new`): one Core insert per table, not the ORM's flush."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, inspect, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import RelationshipDirection, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.schema import sort_tables


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


async def insert_new(session: AsyncSession, *roots: object) -> None:
    """Write new ORM objects and everything they cascade to with one Core ``INSERT`` per table
    (executemany for several rows), then put them in the session as if loaded: later changes
    to them flush as usual, and nothing is inserted twice.

    For a unit of work that creates a graph of new rows, as a submission does (an application,
    its household, members and materials): the ORM's flush of the same objects costs several
    times the CPU (its unit of work sorts, diffs and post-processes every object and
    attribute). A column not set takes its Python default (or NULL); one whose default the
    database computes must be set. Relationships not set are set empty, so reading one never
    loads from the database. The objects must be new (transient), with their primary keys
    set."""
    objects = _cascaded(roots)
    for obj in objects:  # first every key, as the flush would set them from relationships
        _complete(obj)
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for obj in objects:
        mapper, values = inspect(obj).mapper, inspect(obj).dict
        table = mapper.local_table
        assert isinstance(table, Table)
        by_table.setdefault(table, []).append(
            {prop.columns[0].key: values[prop.key] for prop in mapper.column_attrs})
    connection = await session.connection()  # Core statements: not the ORM's execute
    for table in sort_tables(by_table):
        await connection.execute(insert(table), by_table[table])
    for obj in objects:
        make_transient_to_detached(obj)
    session.add_all(objects)


def _complete(obj: object) -> None:
    """Unset columns as their Python default or None, unset relationships empty, and foreign
    keys from the related objects (both directions)."""
    state = inspect(obj)
    if not state.transient:
        raise ValueError(f"{obj!r} is not new: insert_new writes new objects only")
    mapper, values = state.mapper, state.dict
    for prop in mapper.column_attrs:
        if prop.key not in values:
            set_committed_value(obj, prop.key, _default_of(mapper.class_.__name__, prop))
    for rel in mapper.relationships:
        if rel.key not in values:
            set_committed_value(obj, rel.key, [] if rel.uselist else None)
            continue
        related = values[rel.key]
        for other in (related if rel.uselist else [related]):
            if other is None:
                continue
            for local, remote in rel.local_remote_pairs:
                if rel.direction is RelationshipDirection.ONETOMANY:
                    setattr(other, _key_of(other, remote), getattr(obj, _key_of(obj, local)))
                elif rel.direction is RelationshipDirection.MANYTOONE:
                    setattr(obj, _key_of(obj, local), getattr(other, _key_of(other, remote)))
                else:
                    raise ValueError(f"{mapper.class_.__name__}.{rel.key}: insert_new does not "
                                     "write many-to-many relationships")


def _default_of(owner: str, prop: Any) -> Any:
    """What the insert would give an unset column: its Python default, or NULL. A default the
    database computes cannot be known without reading it back: the caller must set it."""
    column = prop.columns[0]
    default = column.default
    if column.server_default is not None or (
            default is not None and not (default.is_scalar or default.is_callable)):
        raise ValueError(f"{owner}.{prop.key} is not set and its default is the database's: "
                         "give it a value before insert_new")
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _cascaded(roots: Sequence[object]) -> list[object]:
    """The roots and the objects their relationships cascade saves to, each once, in order."""
    seen: dict[int, object] = {}
    for root in roots:
        seen.setdefault(id(root), root)
        state = inspect(root)
        for child, _mapper, _state, _dict in state.mapper.cascade_iterator("save-update", state):
            seen.setdefault(id(child), child)
    return list(seen.values())


def _key_of(obj: object, column: Any) -> str:
    return str(inspect(obj).mapper.get_property_by_column(column).key)
