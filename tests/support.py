"""Helpers for tests that run services in-process through their real lifespan."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Role, issue_token
from shared.db import create_engine, create_sessionmaker, ensure_schema
from shared.operations import OPERATION_RECORDED
from shared.settings import Settings

T = TypeVar("T")


@asynccontextmanager
async def tables_of(settings: Settings, metadata: MetaData, *, inline: bool = True
                    ) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the kit's engine for ``settings`` (the test run's engine: SQLite, or
    PostgreSQL in the settings' own schema), with ``metadata``'s tables created, and the SQL of
    every statement sent in their ``statements``; the engine is disposed after.
    ``inline=False``: SQLite on stock aiosqlite, as other engines run."""
    engine = create_engine(settings, inline=inline)
    try:
        await ensure_schema(engine, settings.pg_schema)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: statements.append(statement))
        sessions = create_sessionmaker(engine, info={})
        sessions.statements = statements  # type: ignore[attr-defined]
        yield sessions
    finally:
        await engine.dispose()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an HTTP client that talks to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@asynccontextmanager
async def running_all(apps: Iterable[FastAPI]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(running(app)) for app in apps]


def bearer(settings: Settings, role: Role | str, divisions: Iterable[str],
           user_id: str | None = None) -> dict[str, str]:
    """Authorization header for a user of ``role`` over ``divisions``."""
    token = issue_token(settings, user_id=user_id or f"{role}-1", role=role,
                        divisions=list(divisions))
    return {"Authorization": f"Bearer {token}"}


async def load_division_register(client: httpx.AsyncClient, settings: Settings,
                                 entries: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Load the county's division register into intake (``client``) through its API, as its
    county officer: the demo tree unless ``entries`` are given. Every test that submits
    applications needs it: their divisions must be in force in the register."""
    from tools.demo import load_register_into

    return await load_register_into(client, settings, entries)


REGISTER_CHANGED = "assist.intake.division_register_changed"
"""The event of a register load: tests that count what a request wrote leave it out."""


async def eventually(check: Callable[[], Awaitable[T]], *, timeout: float = 10.0,
                     interval: float = 0.1) -> T:
    """Retry ``check`` until it returns a truthy value or the time is up; then fail."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last  # type: ignore[no-any-return]
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


async def ready(client: httpx.AsyncClient) -> bool:
    """The service answers /readyz with 200 (database and NATS reachable)."""
    return (await client.get("/readyz")).status_code == 200


async def relayed_all(kit: Any) -> bool:
    """The service's outbox relay has nothing left to publish."""
    return await kit.relay.pending_count() == 0


async def outbox_types(kit: Any) -> list[str]:
    """Types of the events in the service's outbox, in commit order."""
    from sqlalchemy import select

    async with kit.sessions() as session:
        return list((await session.scalars(
            select(kit.outbox.c.event_type).order_by(kit.outbox.c.id))).all())


async def domain_event_count(kit: Any) -> int:
    """Events in the outbox that record a change (not the log of a read or a refusal)."""
    return sum(not t.endswith(OPERATION_RECORDED) for t in await outbox_types(kit))


def domain_entries(entries: list[dict]) -> list[dict]:
    """Audit entries of changes, without the operations that changed nothing."""
    return [e for e in entries if not e["type"].endswith(OPERATION_RECORDED)]
