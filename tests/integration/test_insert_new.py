"""``shared.bulk.insert_new``: a new graph of ORM objects written by one Core insert per table,
then in the session as if loaded. On SQLite and, with ASSIST_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.bulk import built, insert_new
from shared.db import UTCDateTime, utcnow
from tests.support import tables_of


class Base(DeclarativeBase):
    pass


class Case(Base):
    __tablename__ = "graph_case"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(default=3)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("graph_owner.id"))
    owner: Mapped[Owner | None] = relationship(lazy="raise")
    people: Mapped[list[Person]] = relationship(lazy="raise", cascade="all, delete-orphan",
                                                order_by="Person.position")
    remark: Mapped[Remark | None] = relationship(lazy="raise")


class Owner(Base):
    __tablename__ = "graph_owner"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Person(Base):
    __tablename__ = "graph_person"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("graph_case.id"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))


class Remark(Base):
    __tablename__ = "graph_remark"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("graph_case.id"), unique=True)
    text: Mapped[str] = mapped_column(String(100))


@pytest.fixture
async def sessions(make_settings):
    async with tables_of(make_settings("graphs", migrate_on_start=False), Base.metadata) as maker:
        yield maker


def inserted(statements: list[str]) -> list[str]:
    """The tables the statements insert into, in order (an insert in a WITH query too)."""
    return [name.split(".")[-1] for statement in statements
            for name in re.findall(r"INSERT INTO ([\w.]+)", statement.replace('"', ""))]


def postgres(session: Any) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _graph(case_id: str = "c1") -> Case:
    return Case(id=case_id, status="open", owner=Owner(id=f"o-{case_id}", name="Li"),
                people=[Person(id=f"{case_id}-p{i}", position=i, name=f"P{i}")
                        for i in range(3)])


async def test_a_graph_is_written_once_by_table_and_then_behaves_as_loaded(sessions):
    case = _graph()
    async with sessions() as session, session.begin():
        sessions.statements.clear()
        await insert_new(session, case)
        # parents first, one insert a table (the three people in one), all in one statement
        # on PostgreSQL (shared.direct.Writes), a statement a table elsewhere
        assert inserted(sessions.statements) == ["graph_owner", "graph_case", "graph_person"]
        assert len(sessions.statements) == (1 if postgres(session) else 3)
        # what the flush would have set: foreign keys, Python defaults, unset columns, empties
        assert case.owner_id == "o-c1" and {p.case_id for p in case.people} == {"c1"}
        assert case.priority == 3 and case.opened_at is not None and case.note is None
        assert case.remark is None  # set empty: reading it loads nothing (lazy="raise")
        # later changes flush as updates; nothing is inserted a second time at the commit
        case.status = "accepted"
        case.remark = Remark(id="r1", text="seen")
        sessions.statements.clear()
    assert not any("INSERT INTO graph_case" in s.replace('"', "") or
                   "INSERT INTO graph_person" in s.replace('"', "") for s in sessions.statements)
    async with sessions() as session:
        stored = await session.get(Case, "c1")
        assert stored is not None and stored.status == "accepted" and stored.priority == 3
        assert await session.scalar(select(func.count()).select_from(Person)) == 3
        assert await session.scalar(select(Remark.case_id)) == "c1"


async def test_nothing_stays_when_the_unit_of_work_rolls_back(sessions):
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await insert_new(session, _graph("c2"))
            await insert_new(session, Person(id="c2-p0", case_id="c2", position=9, name="again"))
    async with sessions() as session:
        assert await session.get(Case, "c2") is None
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_only_new_objects_are_written(sessions):
    async with sessions() as session, session.begin():
        case = _graph("c3")
        await insert_new(session, case)
        with pytest.raises(ValueError, match="not new"):
            await insert_new(session, case)


async def test_built_objects_are_written_alike_and_left_out_when_asked(sessions):
    """``built`` sets values as a load does (no attribute events); ``attach=False`` writes the
    graph and leaves it out of the session: the same rows, nothing flushed again."""
    case = built(Case, id="c4", status="open", owner=built(Owner, id="o-c4", name="Wang"),
                 people=[built(Person, id=f"c4-p{i}", position=i, name=f"P{i}")
                         for i in range(2)])
    async with sessions() as session, session.begin():
        sessions.statements.clear()
        await insert_new(session, case, attach=False)
        assert case not in session and case.owner_id == "o-c4" and case.priority == 3
        assert {p.case_id for p in case.people} == {"c4"} and case.remark is None
        assert inserted(sessions.statements) == ["graph_owner", "graph_case", "graph_person"]
        sessions.statements.clear()
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE"))
                   for s in sessions.statements)  # nothing of it flushed at the commit
    async with sessions() as session:
        stored = await session.get(Case, "c4")
        assert stored is not None and (stored.status, stored.owner_id, stored.priority) == (
            "open", "o-c4", 3)
        assert await session.scalar(select(func.count()).select_from(Person)) == 2


def test_built_refuses_what_the_class_does_not_have():
    with pytest.raises(TypeError, match="colour: not attributes of Case"):
        built(Case, id="c5", colour="red")


async def test_a_built_graph_written_and_attached_behaves_as_loaded(sessions):
    case = built(Case, id="c6", status="open",
                 people=[built(Person, id="c6-p0", position=0, name="P0")])
    async with sessions() as session, session.begin():
        await insert_new(session, case)
        case.status = "accepted"  # later changes flush as updates
        case.remark = Remark(id="r6", text="seen")
    async with sessions() as session:
        stored = await session.get(Case, "c6")
        assert stored is not None and (stored.status, stored.priority) == ("accepted", 3)
        assert await session.scalar(select(Person.case_id)) == "c6"
        assert await session.scalar(select(Remark.case_id)) == "c6"
