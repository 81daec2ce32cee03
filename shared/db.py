"""Async SQLAlchemy: engines for SQLite (embedded) and PostgreSQL, and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Select, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from shared.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A fresh MetaData for one service's tables, with stable constraint names."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock up front: two deferred transactions that both upgrade deadlock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """The engine for this service; SQLite files get WAL and immediate transactions."""
    url = settings.sqlalchemy_url
    pooling: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **pooling)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    server_settings = {"application_name": f"assist-{settings.service}"}
    if settings.pg_schema:
        server_settings["search_path"] = settings.pg_schema
    connect_args: dict[str, Any] = {"server_settings": server_settings}
    if pooled:
        pooling = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    return create_async_engine(url, connect_args=connect_args, **pooling)


async def ensure_schema(engine: AsyncEngine, schema: str | None) -> None:
    """Create the service's PostgreSQL schema if it is missing."""
    if not schema or engine.dialect.name != "postgresql":
        return
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def create_sessionmaker(
    engine: AsyncEngine, info: dict[str, Any]
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit; ``info`` names the service."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    after_commit: Callable[[AsyncSession], None] | None = None,
    *,
    read_only: bool = False,
) -> AsyncIterator[AsyncSession]:
    """One transaction: commit if the block succeeds, roll back if it raises.

    ``read_only``: on PostgreSQL the transaction is REPEATABLE READ, READ ONLY, so every
    statement in it sees one snapshot. (The default READ COMMITTED takes a snapshot per
    statement: a read in two statements could pair a row from before a concurrent commit with
    its children from after it.) SQLAlchemy resets both settings when the connection goes back
    to the pool. SQLite needs nothing: BEGIN IMMEDIATE already serialises transactions.
    """
    async with sessions() as session:
        try:
            if read_only and session.get_bind().dialect.name == "postgresql":
                await session.connection(execution_options={
                    "isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        if after_commit is not None:
            after_commit(session)


def where_given(query: Select[Any], *filters: tuple[Any, Any]) -> Select[Any]:
    """Add ``column == value`` for each (column, value) whose value was given (not None/empty)."""
    for column, value in filters:
        if value is not None and value != "":
            query = query.where(column == value)
    return query


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
