"""Hot statements run on the driver: compiled once per dialect, no execution layer per call.

SQLAlchemy's execution of a statement (its execution context, a greenlet hand-off, the result's
metadata and processing) costs 0.1–0.2 ms of CPU, 5–8× the driver's own work on this stack
(docs/performance.md, *Database access style*). A request that runs a dozen small statements,
as intake's submission does, spends more there than in its rules. A :class:`Statement` is a
Core statement compiled once per dialect into the SQL SQLAlchemy itself would send; :func:`run`
and :func:`fetch` send it on the session's own driver connection, in the session's transaction,
each value converted as its column's type converts it (times in UTC, dates on SQLite; None is
SQL NULL, in a JSON column too, as the ORM writes an attribute never set: ``JSON.NULL`` for a
JSON ``null``) and each selected value back as SQLAlchemy would give it:

- SQLite (the kit's inline connection, ``shared.db``): the sqlite3 connection, inline;
- PostgreSQL (asyncpg): SQLAlchemy's adapted connection, for its transaction, its cache of
  prepared statements and its error translation, without the execution layer above it;
- anything else (stock aiosqlite, another driver): ``session.execute``, as before.

A driver error comes out as SQLAlchemy's own (``sqlalchemy.exc.IntegrityError``, …), and a
lost connection is invalidated as the execution layer would, so callers and the unit of work
see what they saw before. What this skips: the session's autoflush (pending ORM changes are not
written before a statement: use it where the unit of work writes through it, or flush first)
and ORM events; ``before_cursor_execute`` listeners are still told (``bench.statements`` counts
these statements as others).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Insert, exc, null
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Form:
    """A statement as one dialect's driver takes it, for one shape of its expanding lists."""

    sql: str
    names: tuple[str, ...]
    """The bound parameters in the driver's order (after expansion: ``ids_1``, ``ids_2``…)."""
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position, conversion) of each value the driver takes converted (its type's)."""
    expansion: tuple[tuple[str, tuple[str, ...]], ...]
    """For each expanding parameter, the names its list's items take."""
    given: dict[str, Any]
    """The values written in the statement itself, by name."""

    getter: Callable[[Mapping[str, Any]], Any] | None = None
    """``itemgetter`` of the names (one C call a row), for two names or more."""

    def take(self, values: Mapping[str, Any]) -> list[Any]:
        """The values in the driver's order."""
        if self.getter is not None:
            return list(self.getter(values))
        return [values[name] for name in self.names]


class Statement:
    """A Core statement (``select``, ``insert``, ``update``… with ``bindparam`` values) run by
    :func:`run` and :func:`fetch`. Build it once, at import: its forms are compiled on first
    use per dialect (and per length of its expanding lists)."""

    __slots__ = ("statement", "_compiled", "_processors", "_expanding", "_given", "_forms",
                 "_results", "row")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, SQLCompiler] = {}
        self._processors: dict[str, dict[str, Callable[[Any], Any]]] = {}
        self._expanding: dict[str, tuple[str, ...]] = {}
        self._given: dict[str, dict[str, Any]] = {}
        self._forms: dict[tuple[str, tuple[int, ...]], _Form] = {}
        self._results: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}
        # A select's columns, or what an INSERT/UPDATE … RETURNING returns.
        self.row: Any = namedtuple(  # type: ignore[misc]  # noqa: PYI024 - keys known here
            "Row", [getattr(c, "key", None) or f"_{i}" for i, c in enumerate(self._columns())],
            rename=True)
        """The rows :func:`fetch` gives: tuples with the columns' keys as attributes."""

    def _columns(self) -> list[Any]:
        return list(getattr(self.statement, "exported_columns", ()))

    def _compiler(self, dialect: Dialect) -> SQLCompiler:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            assert isinstance(compiled, SQLCompiler)
            self._compiled[dialect.name] = compiled
            # Each bound value converted as its type converts it (what the execution layer
            # does with the compiled statement's processors), by the name the SQL gives it.
            self._processors[dialect.name] = {
                name: process for bind, name in compiled.bind_names.items()
                if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
                is not None}
            self._expanding[dialect.name] = tuple(
                name for bind, name in compiled.bind_names.items() if bind.expanding)
            # Values written in the statement (``limit(1)``, a literal in ``in_``): bound too.
            self._given[dialect.name] = {name: bind.effective_value
                                         for bind, name in compiled.bind_names.items()
                                         if not bind.required}
        return compiled

    def json_names(self, dialect: Dialect) -> frozenset[str]:
        """The parameters bound to JSON columns."""
        compiled = self._compiler(dialect)
        return frozenset(name for bind, name in compiled.bind_names.items()
                         if isinstance(bind.type, JSON))

    def form(self, dialect: Dialect, params: Mapping[str, Any]) -> _Form:
        compiled = self._compiler(dialect)
        expanding, given = self._expanding[dialect.name], self._given[dialect.name]
        lengths = tuple(len(params[name] if name in params else given[name])
                        for name in expanding)
        key = (dialect.name, lengths)
        form = self._forms.get(key)
        if form is None:
            state = compiled.construct_expanded_state({**given, **params})
            processors = self._processors[dialect.name]
            names = tuple(state.positiontup or ())
            converting = ((i, state.processors.get(name) or processors.get(name))
                          for i, name in enumerate(names))
            form = self._forms[key] = _Form(
                sql=state.statement, names=names, given=given,
                getter=itemgetter(*names) if len(names) > 1 else None,
                converted=tuple((i, process) for i, process in converting if process),
                expansion=tuple((name, tuple(state.parameter_expansion.get(name, ())))
                                for name in expanding))
        return form

    def results(self, dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
        """How each selected (or returned) value comes back as SQLAlchemy would give it."""
        processors = self._results.get(dialect.name)
        if processors is None:
            processors = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                               for c in self._columns())
            self._results[dialect.name] = processors
        return processors

    def positional(self, form: _Form, params: Mapping[str, Any]) -> list[Any]:
        """The values of ``params`` in the driver's order, converted."""
        values = params
        if form.given or form.expansion:
            values = {**form.given, **params}
            for name, expanded in form.expansion:
                values.update(zip(expanded, values.pop(name), strict=True))
        row = form.take(values)
        for i, process in form.converted:
            if row[i] is not None:  # None is SQL NULL, a JSON column's too (JSON.NULL: null)
                row[i] = process(row[i])
        return row


async def fetch(session: AsyncSession, statement: Statement,
                params: Mapping[str, Any] | None = None) -> list[Any]:
    """The rows ``statement`` selects (or returns): named tuples (``statement.row``) of values
    converted as SQLAlchemy converts them."""
    driver = await _driver(session)
    return await driver.fetch(statement, params or {})


async def scalar(session: AsyncSession, statement: Statement,
                 params: Mapping[str, Any] | None = None) -> Any:
    """The first value of the first row, or None."""
    rows = await fetch(session, statement, params)
    return rows[0][0] if rows else None


async def run(session: AsyncSession, statement: Statement,
              params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> None:
    """Execute ``statement`` once, or once per parameter set (executemany) for a sequence."""
    driver = await _driver(session)
    if isinstance(params, Sequence):
        if params:
            await driver.run_many(statement, params)
        return
    await driver.run(statement, params or {})


class Writes:
    """Inserts that return nothing, gathered to be sent together by
    :meth:`send`: on PostgreSQL in one round trip, one statement whose parts are data-modifying
    ``WITH`` queries (several rows of an ``INSERT … VALUES`` as one multi-row ``VALUES``);
    elsewhere each in turn, as :func:`run` sends it.

    A round trip costs about 0.1 ms of CPU on each side of the socket, as much as the work of a
    small insert (docs/performance.md, *Round trips a transaction*): a unit of work that writes
    a new graph of rows and its events pays that once instead of once a table. The parts run
    in one statement, with one snapshot: none sees the rows another writes (a foreign key is
    checked at the end of the statement, so parents and children may go together) and two
    must not write the same row. Nothing is sent before :meth:`send`: a read in between does
    not see these rows, on any engine."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[tuple[Statement, Mapping[str, Any] | Sequence[Mapping[str, Any]]]] = []

    def add(self, statement: Statement,
            params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """``statement`` (an insert) once, or once per parameter set for a sequence, at
        :meth:`send`. Inserts only: an update or a delete would not see the rows the others
        insert on PostgreSQL, and would elsewhere."""
        if not isinstance(statement.statement, Insert):
            raise TypeError(f"Writes are inserts, not {type(statement.statement).__name__}")
        if isinstance(params, Sequence) and not params:
            return
        self.parts.append((statement, params))

    async def send(self, session: AsyncSession) -> None:
        """Send what was added, in the order added, in the session's transaction."""
        parts, self.parts = self.parts, []
        if len(parts) == 1:
            await run(session, *parts[0])
        elif parts:
            driver = await _driver(session)
            await driver.run_together(parts)


@asynccontextmanager
async def writing(session: AsyncSession, into: Writes | None = None) -> AsyncIterator[Writes]:
    """The writes to add to: ``into`` (its owner sends them), or writes of the block's own,
    sent when it ends without an error."""
    if into is not None:
        yield into
        return
    writes = Writes()
    yield writes
    await writes.send(session)


_KEY = "shared.direct"


async def _driver(session: AsyncSession) -> _Driver:
    """The session's driver, made once a transaction and kept in the session's ``info`` with
    it (the next transaction may have another pooled connection). Asking the session for its
    connection costs a greenlet hand-off, as much as a statement: it is asked once, and again
    when a savepoint has begun or ended since (SQLAlchemy sends a savepoint's SAVEPOINT when
    the savepoint first asks for its connection: a statement on the driver alone would run
    outside it, and its rollback would not take that statement back)."""
    transaction = session.sync_session.get_transaction()
    found: _Driver | None = session.info.get(_KEY)
    if found is not None and transaction is not None and found.transaction is transaction:
        nested = session.sync_session.get_nested_transaction()
        if found.nested is not nested:
            await session.connection()
            found.nested = nested
        return found
    connection = await session.connection()
    sync = connection.sync_connection
    assert sync is not None
    adapted = (await connection.get_raw_connection()).dbapi_connection
    driver: _Driver
    inline = getattr(adapted, "_connection", None)
    if sync.dialect.name == "sqlite" and hasattr(inline, "settle"):
        driver = _SQLite(session, sync, adapted, inline)
    elif sync.dialect.driver == "asyncpg":
        driver = _Asyncpg(session, sync, adapted)
    else:
        driver = _Driver(session, sync, adapted)
    session.info[_KEY] = driver
    return driver


class _Driver:
    """Through ``session.execute``: any engine, the reference for the others."""

    def __init__(self, session: AsyncSession, connection: Connection, adapted: Any) -> None:
        self.session = session
        self.transaction = session.sync_session.get_transaction()
        self.nested = session.sync_session.get_nested_transaction()
        """The savepoint the driver last ran in (None: none), which SQLAlchemy has begun."""
        self.connection = connection
        self.dialect = connection.dialect
        self.adapted = adapted

    async def fetch(self, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
        result = await self.session.execute(statement.statement, self._values(statement, params))
        return [statement.row._make(row) for row in result.all()]

    async def run(self, statement: Statement, params: Mapping[str, Any]) -> None:
        await self.session.execute(statement.statement, self._values(statement, params))

    async def run_many(self, statement: Statement, params: Sequence[Mapping[str, Any]]
                       ) -> None:
        await self.session.execute(statement.statement,
                                   [self._values(statement, p) for p in params])

    async def run_together(self, parts: Sequence[tuple[Statement, Any]]) -> None:
        for statement, params in parts:
            if isinstance(params, Sequence):
                await self.run_many(statement, params)
            else:
                await self.run(statement, params)

    def _values(self, statement: Statement, params: Mapping[str, Any]) -> dict[str, Any]:
        """None as SQL NULL in a JSON column, as the drivers below bind it (SQLAlchemy's JSON
        type binds None as JSON ``null`` unless given ``null()``)."""
        json = statement.json_names(self.dialect)
        return {name: null() if value is None and name in json else value
                for name, value in params.items()}

    # -- shared by the drivers below

    def _told(self, sql: str, values: Any, many: bool) -> None:
        """``before_cursor_execute`` listeners (statement counters) hear of it as usual."""
        for listener in self.connection.dispatch.before_cursor_execute:
            listener(self.connection, None, sql, values, None, many)

    def _wrapped(self, error: Exception, sql: str, values: Any) -> Exception:
        """A driver error as SQLAlchemy's execution layer would raise it; a lost connection
        is invalidated, so the pool never hands it out again."""
        dbapi = self.dialect.loaded_dbapi
        if not isinstance(error, dbapi.Error):
            return error
        disconnect = self.dialect.is_disconnect(error, self.adapted, None)
        wrapped = exc.DBAPIError.instance(sql, values, error, dbapi.Error,
                                          connection_invalidated=disconnect,
                                          dialect=self.dialect)
        if disconnect:
            self.connection.invalidate(wrapped)
        return wrapped

    @staticmethod
    def _converted(statement: Statement, rows: Sequence[Any], dialect: Dialect) -> list[Any]:
        make, processors = statement.row._make, statement.results(dialect)
        if not any(processors):
            return [make(row) for row in rows]
        return [make(value if process is None else process(value)
                     for value, process in zip(row, processors, strict=True)) for row in rows]


class _SQLite(_Driver):
    """The kit's inline SQLite connection: its sqlite3 connection, in the event loop's
    thread (the transaction holds the write lock: nothing waits)."""

    def __init__(self, session: AsyncSession, connection: Connection, adapted: Any,
                 inline: Any) -> None:
        super().__init__(session, connection, adapted)
        self.inline = inline

    async def _execute(self, sql: str, values: Any, many: bool = False) -> Any:
        self._told(sql, values, many)
        await self.inline.settle()
        try:
            if many:
                return self.inline._conn.executemany(sql, values)  # noqa: SLF001
            return self.inline._conn.execute(sql, values)  # noqa: SLF001
        except Exception as error:  # noqa: BLE001 - rewrapped as SQLAlchemy's
            raise self._wrapped(error, sql, values) from error

    async def fetch(self, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
        form = statement.form(self.dialect, params)
        cursor = await self._execute(form.sql, statement.positional(form, params))
        return self._converted(statement, cursor.fetchall(), self.dialect)

    async def run(self, statement: Statement, params: Mapping[str, Any]) -> None:
        form = statement.form(self.dialect, params)
        await self._execute(form.sql, statement.positional(form, params))

    async def run_many(self, statement: Statement, params: Sequence[Mapping[str, Any]]
                       ) -> None:
        form = statement.form(self.dialect, params[0])
        await self._execute(form.sql, [statement.positional(form, p) for p in params],
                            many=True)


class _Asyncpg(_Driver):
    """SQLAlchemy's adapted asyncpg connection, below its execution layer: the adapter's
    cursor begins the transaction if it has not begun, prepares the statement once per
    connection (its cache) and translates asyncpg's errors into the DBAPI's."""

    async def _cursor_call(self, sql: str, values: Any, many: bool) -> Any:
        self._told(sql, values, many)
        cursor = self.adapted.cursor()
        try:
            if many:
                await cursor._executemany(sql, values)  # noqa: SLF001
            else:
                await cursor._prepare_and_execute(sql, values)  # noqa: SLF001
        except Exception as error:  # noqa: BLE001 - rewrapped as SQLAlchemy's
            raise self._wrapped(error, sql, values) from error
        return cursor

    async def fetch(self, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
        form = statement.form(self.dialect, params)
        cursor = await self._cursor_call(form.sql, statement.positional(form, params), False)
        return self._converted(statement, cursor._rows, self.dialect)  # noqa: SLF001

    async def run(self, statement: Statement, params: Mapping[str, Any]) -> None:
        form = statement.form(self.dialect, params)
        await self._cursor_call(form.sql, statement.positional(form, params), False)

    async def run_many(self, statement: Statement, params: Sequence[Mapping[str, Any]]
                       ) -> None:
        form = statement.form(self.dialect, params[0])
        await self._cursor_call(form.sql, [statement.positional(form, p) for p in params],
                                True)

    async def run_together(self, parts: Sequence[tuple[Statement, Any]]) -> None:
        """One statement: each part a data-modifying ``WITH`` query (:class:`Writes`)."""
        forms: list[tuple[_Form, int]] = []
        values: list[Any] = []
        for statement, params in parts:
            rows = params if isinstance(params, Sequence) else [params]
            form = statement.form(self.dialect, rows[0])
            if (len(rows) > 1 and _rows_of(form) is None) or \
                    len(values) + len(rows) * len(form.names) > _MOST_VALUES:
                await super().run_together(parts)  # not one statement: each in turn
                return
            forms.append((form, len(rows)))
            for row in rows:
                values.extend(statement.positional(form, row))
        key = tuple((id(form), count) for form, count in forms)
        sql = _together.get(key)
        if sql is None:
            sql = _together[key] = _together_sql(forms)
        await self._cursor_call(sql, values, False)


_MOST_VALUES = 20_000
"""Past this many values (PostgreSQL takes 32,767 a statement) the parts go one by one."""
_together: dict[tuple[tuple[int, int], ...], str] = {}
"""The statement of a shape of parts (each part's form, by identity: forms are kept with their
statement for good, and how many rows it has)."""
_PARAMETER = re.compile(r"\$(\d+)")


def _rows_of(form: _Form) -> tuple[int, int] | None:
    """Where an ``INSERT … VALUES (…)``'s one row is in its SQL (start, end), if every value
    of the statement is in it (its rows can then be repeated: a multi-row ``VALUES``)."""
    if id(form) not in _row_spans:
        _row_spans[id(form)] = _row_span(form)
    return _row_spans[id(form)]


_row_spans: dict[int, tuple[int, int] | None] = {}


def _row_span(form: _Form) -> tuple[int, int] | None:
    sql = form.sql
    at = sql.find(" VALUES (")
    if at < 0 or not sql.startswith("INSERT "):
        return None
    start = at + len(" VALUES ")
    depth = 0
    for end in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            inside = sorted(int(n) for n in _PARAMETER.findall(sql[start:end + 1]))
            if inside != list(range(1, len(form.names) + 1)) or \
                    len(_PARAMETER.findall(sql)) != len(inside):
                return None
            return start, end + 1
    return None


def _renumbered(sql: str, offset: int) -> str:
    return _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", sql)


def _together_sql(forms: Sequence[tuple[_Form, int]]) -> str:
    """``WITH w0 AS (…), w1 AS (…) SELECT 1``: every part's rows, parameters numbered on."""
    queries, offset = [], 0
    for form, count in forms:
        sql, width = form.sql, len(form.names)
        if count > 1:
            found = _rows_of(form)
            assert found is not None
            start, end = found
            rows = ", ".join(_renumbered(sql[start:end], i * width) for i in range(count))
            sql = sql[:start] + rows + sql[end:]
        queries.append(_renumbered(sql, offset))
        offset += width * count
    return "WITH " + ", ".join(f"w{i} AS ({q})" for i, q in enumerate(queries)) + " SELECT 1"
