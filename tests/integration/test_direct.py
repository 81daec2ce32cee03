"""``shared.direct``: statements compiled once per dialect and run on the session's driver
connection give what ``session.execute`` gives, in the session's transaction. On SQLite (the
kit's inline connection, and stock aiosqlite through the fallback) and, with
ASSIST_TEST_DATABASE_URL, PostgreSQL (asyncpg)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError

from shared import direct
from shared.db import UTCDateTime
from tests.conftest import TEST_DATABASE_URL
from tests.support import tables_of

metadata = MetaData()
visits = Table(
    "direct_visit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("on_day", Date, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("done", Boolean, nullable=False),
    Column("note", String(100), nullable=True),
    Column("tags", JSON, nullable=True),
)
remarks = Table(
    "direct_remark", metadata,
    Column("id", Integer, primary_key=True),
    Column("visit_code", String(20), ForeignKey("direct_visit.code"), nullable=False),
    Column("text", String(100), nullable=False),
)
_v = visits.c
WRITE = direct.Statement(insert(visits).inline().values(
    {name: bindparam(name) for name in ("code", "kind", "on_day", "at", "done", "note", "tags")}))
WRITE_RETURNING = direct.Statement(insert(visits).values(
    {name: bindparam(name) for name in ("code", "kind", "on_day", "at", "done", "note", "tags")})
    .returning(_v.id, _v.code, _v.on_day))
READ = direct.Statement(
    select(_v.code, _v.on_day, _v.at, _v.done, _v.note)
    .where(_v.code.in_(bindparam("codes", expanding=True)),
           _v.kind.in_(["home", "office"]),  # a literal list: expanded too
           _v.on_day >= bindparam("since"))
    .order_by(_v.code).limit(10))
REMARK = direct.Statement(insert(remarks).inline().values(
    {name: bindparam(name) for name in ("id", "visit_code", "text")}))
COPY = direct.Statement(insert(visits).from_select(
    ["code", "kind", "on_day", "at", "done", "note", "tags"],
    select(bindparam("new_code", type_=String), _v.kind, _v.on_day, _v.at, _v.done, _v.note,
           _v.tags).where(_v.code == bindparam("code"))))
"""An insert whose values are not in a VALUES row: its rows cannot be one multi-row VALUES."""
COUNT = direct.Statement(select(func.count()).select_from(visits))
MARK = direct.Statement(update(visits).where(_v.code == bindparam("visit"))
                        .values(done=bindparam("mark")))

AT = datetime(2026, 12, 6, 8, 30, tzinfo=UTC)


def _visit(i: int, **changes: object) -> dict[str, object]:
    return {"code": f"v{i}", "kind": "home" if i % 3 else "phone",
            "on_day": date(2026, 12, 1) + timedelta(days=i),
            "at": AT + timedelta(minutes=i), "done": bool(i % 2),
            "note": None if i % 4 == 0 else f"visit {i}",
            "tags": ["a", {"n": i}] if i % 2 else None, **changes}


# SQLite's kit connection and stock aiosqlite (through session.execute); PostgreSQL's asyncpg.
@pytest.fixture(params=["driver"] if TEST_DATABASE_URL else ["driver", "stock aiosqlite"])
async def sessions(request, make_settings):
    settings = make_settings("direct", migrate_on_start=False)
    async with tables_of(settings, metadata, inline=request.param == "driver") as maker:
        yield maker


async def test_rows_written_and_read_on_the_driver_are_those_of_session_execute(sessions):
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(1))
        await direct.run(session, WRITE, [_visit(i) for i in range(2, 9)])  # executemany
        returned = await direct.fetch(session, WRITE_RETURNING, _visit(9))
    assert [(r.code, r.on_day) for r in returned] == [("v9", date(2026, 12, 10))]
    assert isinstance(returned[0].id, int)

    async with sessions() as session, session.begin():
        stored = (await session.execute(select(visits).order_by(_v.code))).all()
        assert [r.code for r in stored] == [f"v{i}" for i in range(1, 10)]
        for row in stored:  # written as SQLAlchemy writes them: read back as given
            given = _visit(int(row.code[1:]))
            assert (row.kind, row.on_day, row.at, row.done, row.note, row.tags) == (
                given["kind"], given["on_day"], given["at"], given["done"], given["note"],
                given["tags"])
        for codes in (["v1", "v2", "v4"], ["v5"], [f"v{i}" for i in range(1, 10)], []):
            params = {"codes": codes, "since": date(2026, 12, 3)}
            mine = await direct.fetch(session, READ, params)
            theirs = (await session.execute(READ.statement, params)).all()
            assert mine == [tuple(r) for r in theirs]
            for row in mine:  # typed as SQLAlchemy types them, by name
                assert isinstance(row.on_day, date) and row.at.tzinfo is not None
                assert isinstance(row.done, bool)
        assert [r.code for r in await direct.fetch(
            session, READ, {"codes": ["v1", "v2", "v3", "v4"], "since": date(2026, 12, 1)})] \
            == ["v1", "v2", "v4"]  # v3 is a phone visit: the literal list holds
        assert await direct.scalar(session, COUNT) == 9


async def test_the_stored_values_are_those_session_execute_stores(sessions):
    """Byte for byte: dates, times, booleans and JSON compare and sort in SQL as before."""
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(1, code="mine"))
        await session.execute(insert(visits), _visit(1, code="theirs"))
        as_text = [type_coerce(c, String) for c in (_v.on_day, _v.at, _v.done, _v.tags)]
        mine, theirs = [(await session.execute(select(*as_text).where(_v.code == code))).one()
                        for code in ("mine", "theirs")]
    assert mine == theirs


async def test_none_is_sql_null_in_a_json_column_too(sessions):
    """As the ORM writes a JSON attribute never set (``insert_new`` sets every column)."""
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(2))  # tags None
        assert await session.scalar(select(func.count()).select_from(visits)
                                    .where(_v.tags.is_(None))) == 1


async def test_a_time_in_another_zone_is_stored_in_utc(sessions):
    cst = timezone(timedelta(hours=8))
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(1, at=datetime(2026, 12, 6, 16, 30, tzinfo=cst)))
    async with sessions() as session:
        (at,) = (await session.execute(select(_v.at))).one()
        assert at == AT and at.utcoffset() == timedelta(0)


async def test_they_belong_to_the_session_transaction(sessions):
    async with sessions() as session:
        async with session.begin():
            await direct.run(session, WRITE, _visit(1))
        await session.begin()
        await direct.run(session, MARK, {"visit": "v1", "mark": False})
        await direct.run(session, WRITE, _visit(2))
        assert await direct.scalar(session, COUNT) == 2  # seen inside the transaction
        await session.rollback()
    async with sessions() as session:
        assert (await session.execute(select(_v.code, _v.done))).all() == [("v1", True)]


async def test_a_savepoint_rolled_back_takes_back_its_statements_on_the_driver(sessions):
    """SQLAlchemy sends a savepoint's SAVEPOINT when the savepoint first uses its connection:
    a savepoint whose first statement runs on the driver is begun all the same, and its
    rollback takes that statement back; its release keeps the next savepoint's."""
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(1))
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                await direct.run(session, WRITE, _visit(2))
                raise RuntimeError("the savepoint's work fails")
        async with session.begin_nested():
            await direct.run(session, WRITE, _visit(3))
        await direct.run(session, WRITE, _visit(4))
    async with sessions() as session:
        assert (await session.execute(select(_v.code).order_by(_v.code))
                ).scalars().all() == ["v1", "v3", "v4"]


async def test_a_driver_error_is_sqlalchemys_and_the_session_goes_on(sessions):
    async with sessions() as session:
        await session.begin()
        await direct.run(session, WRITE, _visit(1))
        with pytest.raises(IntegrityError):
            await direct.run(session, WRITE, _visit(1, kind="office"))  # the same code
        await session.rollback()
        async with session.begin():  # a new transaction on the same session works
            await direct.run(session, WRITE, _visit(2))
    async with sessions() as session:
        assert (await session.execute(select(_v.code))).scalars().all() == ["v2"]


async def test_listeners_hear_of_every_statement(sessions):
    async with sessions() as session, session.begin():
        sessions.statements.clear()
        await direct.run(session, WRITE, _visit(1))
        await direct.run(session, WRITE, [_visit(2), _visit(3)])
        await direct.fetch(session, READ, {"codes": ["v1"], "since": date(2026, 1, 1)})
    inserts = [s for s in sessions.statements if s.startswith("INSERT INTO direct_visit")]
    selects = [s for s in sessions.statements if s.startswith("SELECT")]
    assert len(inserts) == 2 and len(selects) == 1


def _stored_as_given(rows: list[Any]) -> None:
    for row in rows:
        given = _visit(int(row.code[1:]))
        assert (row.kind, row.on_day, row.at, row.done, row.note, row.tags) == (
            given["kind"], given["on_day"], given["at"], given["done"], given["note"],
            given["tags"])


def _postgres(session: Any) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def test_writes_go_together_one_statement_on_postgresql(sessions):
    """Several inserts, several rows each: one round trip on PostgreSQL (each a WITH query,
    the rows of one a multi-row VALUES), one statement each elsewhere; stored alike."""
    async with sessions() as session, session.begin():
        writes = direct.Writes()
        writes.add(WRITE, _visit(1))
        writes.add(WRITE, [_visit(i) for i in range(2, 6)])
        writes.add(REMARK, [{"id": i, "visit_code": f"v{i}", "text": f"r{i}"} for i in (1, 3)])
        writes.add(REMARK, [])  # nothing to write: no part
        assert await direct.scalar(session, COUNT) == 0  # nothing sent before send
        sessions.statements.clear()
        await writes.send(session)
        assert len(sessions.statements) == (1 if _postgres(session) else 3)
        assert writes.parts == []
    async with sessions() as session:
        stored = (await session.execute(select(visits).order_by(_v.code))).all()
        assert [r.code for r in stored] == ["v1", "v2", "v3", "v4", "v5"]
        _stored_as_given(stored)
        assert (await session.execute(select(remarks.c.visit_code).order_by(remarks.c.id))
                ).scalars().all() == ["v1", "v3"]


async def test_the_same_shape_again_is_the_same_statement(sessions):
    async with sessions() as session, session.begin():
        for first in (1, 10):
            writes = direct.Writes()
            writes.add(WRITE, [_visit(first), _visit(first + 1)])
            writes.add(REMARK, {"id": first, "visit_code": f"v{first}", "text": "seen"})
            await writes.send(session)
    inserts = [s for s in sessions.statements if "INSERT" in s]
    assert len(set(inserts)) == (1 if TEST_DATABASE_URL else 2)
    async with sessions() as session:
        assert await direct.scalar(session, COUNT) == 4


async def test_a_failing_write_fails_them_all(sessions):
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            writes = direct.Writes()
            writes.add(WRITE, [_visit(1), _visit(2)])
            writes.add(REMARK, {"id": 1, "visit_code": "v9", "text": "no such visit"})
            await writes.send(session)
    async with sessions() as session:
        assert await direct.scalar(session, COUNT) == 0


async def test_rows_not_in_a_values_row_are_written_one_statement_after_another(sessions):
    async with sessions() as session, session.begin():
        await direct.run(session, WRITE, _visit(1))
        writes = direct.Writes()
        writes.add(WRITE, _visit(2))
        writes.add(COPY, [{"new_code": "v5", "code": "v1"}, {"new_code": "v6", "code": "v1"}])
        sessions.statements.clear()
        await writes.send(session)
        assert len(sessions.statements) == 2
    async with sessions() as session:
        assert (await session.execute(select(_v.code, _v.kind).order_by(_v.code))).all() == [
            ("v1", "home"), ("v2", "home"), ("v5", "home"), ("v6", "home")]


def test_writes_are_inserts():
    with pytest.raises(TypeError, match="not Update"):
        direct.Writes().add(MARK, {"visit": "v1", "mark": True})


async def test_writes_past_what_one_statement_takes_go_one_statement_after_another(sessions):
    """PostgreSQL takes at most 32,767 values a statement: more rows go as the driver's
    executemany, each insert in turn."""
    rows = [_visit(i) for i in range(1, 5001)]  # 7 values a row: 35,000
    async with sessions() as session, session.begin():
        writes = direct.Writes()
        writes.add(WRITE, _visit(9000))
        writes.add(REMARK, [])
        writes.add(WRITE, rows)
        sessions.statements.clear()
        await writes.send(session)
        assert len(sessions.statements) == 2
    async with sessions() as session:
        assert await direct.scalar(session, COUNT) == 5001
