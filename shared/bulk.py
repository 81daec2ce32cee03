"""Rows in bulk inside the session's transaction, as fast as the engine takes them.

Many rows into one table (:func:`insert_rows`):
``COPY … FROM STDIN`` on PostgreSQL (asyncpg), one prepared ``INSERT`` executed for many rows
elsewhere, the columns' own conversions applied (times in UTC, dates). For staging files of a
million lines (disbursement's reconciliation, R-DI-7), never one ORM object per row. A new
graph of ORM objects (:func:`insert_new`): one Core insert per table, not the ORM's flush."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Insert, Table, insert, inspect, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, RelationshipDirection, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.schema import sort_tables

from shared import direct

T = TypeVar("T")


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


def built(cls: type[T], **values: Any) -> T:
    """A new object of a mapped class with ``values`` set as a load sets them: straight into
    its state, without the ORM's attribute events (its constructor fires one an attribute,
    a fifth of a submission's CPU for its graph). Only for a graph :func:`insert_new` writes:
    it sets the foreign keys from the relationships, which the ORM's flush would not do for
    values set this way. An unknown name is refused as the constructor refuses it."""
    known, collections = _attributes_of(cls)
    unknown = values.keys() - known
    if unknown:
        raise TypeError(f"{', '.join(sorted(unknown))}: not attributes of {cls.__name__}")
    obj: T = manager_of_class(cls).new_instance()
    instance_dict(obj).update(values)
    for key in collections & values.keys():  # a list becomes the ORM's own collection
        set_committed_value(obj, key, values[key])
    return obj


_attributes: dict[type, tuple[frozenset[str], frozenset[str]]] = {}


def _attributes_of(cls: type) -> tuple[frozenset[str], frozenset[str]]:
    """A mapped class's attributes, and those of them that are collections."""
    found = _attributes.get(cls)
    if found is None:
        mapper: Mapper[Any] = inspect(cls)
        found = _attributes[cls] = (
            frozenset(mapper.attrs.keys()),
            frozenset(rel.key for rel in mapper.relationships if rel.uselist))
    return found


async def insert_new(session: AsyncSession, *roots: object, attach: bool = True,
                     into: direct.Writes | None = None) -> None:
    """Write new ORM objects and everything they cascade to with one Core ``INSERT`` per table
    (several rows a table as one), sent together (:class:`shared.direct.Writes`: one round
    trip on PostgreSQL), then put them in the session as if loaded: later changes to them
    flush as usual, and nothing is inserted twice.

    ``into``: the inserts are added to these writes instead, and sent with the rest of them by
    their ``send`` (with ``attach=False`` only: nothing may flush the objects before).

    ``attach=False`` leaves them out of the session, as values only (reading them never
    loads: every attribute is set): for a unit of work that changes nothing of them after
    this, where attaching each object costs more than writing it. The objects may come from
    :func:`built` or from their constructors.

    For a unit of work that creates a graph of new rows, as a submission does (an application,
    its household, members and materials): the ORM's flush of the same objects costs several
    times the CPU (its unit of work sorts, diffs and post-processes every object and
    attribute). A column not set takes its Python default (or NULL); one whose default the
    database computes must be set. Relationships not set are set empty, so reading one never
    loads from the database. The objects must be new (transient), with their primary keys
    set."""
    if into is not None and attach:
        raise ValueError("insert_new(into=…) leaves the objects out of the session "
                         "(attach=False): their rows are not written yet")
    objects = _cascaded(roots)
    for obj in objects:  # first every key, as the flush would set them from relationships
        _complete(obj)
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for obj in objects:
        plan = _plan_of(type(obj))
        values = instance_dict(obj)
        by_table.setdefault(plan.table, []).append(
            {column: values[key] for key, column, _default in plan.columns})
    async with direct.writing(session, into) as writes:  # on the driver, not the ORM's flush
        for table in _in_order(by_table):
            writes.add(_writing(table), by_table[table])
    if not attach:
        return
    for obj in objects:
        make_transient_to_detached(obj)
    session.add_all(roots)  # the rest follows them by the same cascade


@dataclass(frozen=True)
class _Plan:
    """What :func:`insert_new` needs of a mapped class, worked out once."""

    table: Table
    columns: tuple[tuple[str, str, Callable[[], Any] | None], ...]
    """(attribute, column, what an unset attribute takes) for every column attribute."""
    relationships: tuple[tuple[str, bool, bool, tuple[tuple[str, str], ...], bool], ...]
    """(attribute, uselist, one-to-many, ((this side's attribute, the other's), ...), whether
    saves cascade along it)."""


_plans: dict[type, _Plan] = {}
_inserts: dict[Table, Insert] = {}


_orders: dict[frozenset[Table], list[Table]] = {}


def _in_order(tables: Iterable[Table]) -> list[Table]:
    """Parents before children (``sort_tables``), worked out once for a set of tables."""
    key = frozenset(tables)
    order = _orders.get(key)
    if order is None:
        order = _orders[key] = sort_tables(key)
    return order


_writings: dict[Table, direct.Statement] = {}


def _writing(table: Table) -> direct.Statement:
    """:func:`insert_new`'s insert of every column of ``table``, built once."""
    statement = _writings.get(table)
    if statement is None:
        statement = _writings[table] = direct.Statement(insert(table).inline())
    return statement


def insert_of(table: Table) -> Insert:
    """The table's plain insert, one statement object for good: SQLAlchemy computes its cache
    key once, where a new ``insert(table)`` costs it again at every execution."""
    statement = _inserts.get(table)
    if statement is None:
        statement = _inserts[table] = insert(table)
    return statement


def _plan_of(cls: type) -> _Plan:
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = _plan(cls)
    return plan


def _plan(cls: type) -> _Plan:
    mapper: Mapper[Any] = inspect(cls)
    table = mapper.local_table
    assert isinstance(table, Table)
    columns = tuple((prop.key, prop.columns[0].key, _default_of(cls.__name__, prop))
                    for prop in mapper.column_attrs)
    relationships = []
    for rel in mapper.relationships:
        if rel.direction not in (RelationshipDirection.ONETOMANY,
                                 RelationshipDirection.MANYTOONE):
            raise ValueError(f"{cls.__name__}.{rel.key}: insert_new does not write "
                             "many-to-many relationships")
        other = rel.mapper
        pairs = tuple((mapper.get_property_by_column(local).key,
                       other.get_property_by_column(remote).key)
                      for local, remote in rel.local_remote_pairs)
        relationships.append((rel.key, bool(rel.uselist),
                              rel.direction is RelationshipDirection.ONETOMANY, pairs,
                              rel.cascade.save_update))
    return _Plan(table, columns, tuple(relationships))


def _default_of(owner: str, prop: Any) -> Callable[[], Any] | None:
    """What the insert would give an unset column: its Python default, or NULL (None). A
    default the database computes cannot be known without reading it back: such a column must
    be set."""
    column = prop.columns[0]
    default = column.default
    if column.server_default is not None or (
            default is not None and not (default.is_scalar or default.is_callable)):
        def refuse() -> Any:
            raise ValueError(f"{owner}.{prop.key} is not set and its default is the "
                             "database's: give it a value before insert_new")
        return refuse
    if default is None:
        return None
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


def _complete(obj: object) -> None:
    """Unset columns as their Python default or None, unset relationships empty, and foreign
    keys from the related objects (both directions)."""
    state = inspect(obj)
    if not state.transient:
        raise ValueError(f"{obj!r} is not new: insert_new writes new objects only")
    plan, values = _plan_of(type(obj)), state.dict
    for key, _column, default in plan.columns:  # as loaded: no history, no events
        if key not in values:
            values[key] = default() if default is not None else None
    for key, uselist, one_to_many, pairs, _cascades in plan.relationships:
        if key not in values:
            set_committed_value(obj, key, [] if uselist else None)
            continue
        related = values[key]
        for other in (related if uselist else [related]):
            if other is None:
                continue
            for mine, theirs in pairs:  # the keys as the flush would set them
                if one_to_many:
                    instance_dict(other)[theirs] = values[mine]
                else:
                    values[mine] = instance_dict(other).get(theirs)


def _cascaded(roots: Sequence[object]) -> list[object]:
    """The roots and the objects their relationships cascade saves to, each once, parents
    before their children."""
    seen: dict[int, object] = {}
    todo = list(roots)
    while todo:
        obj = todo.pop(0)
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        values = instance_dict(obj)
        for key, uselist, _one_to_many, _pairs, cascades in _plan_of(type(obj)).relationships:
            related = values.get(key) if cascades else None
            if related is not None:
                todo.extend(related if uselist else [related])
    return list(seen.values())
