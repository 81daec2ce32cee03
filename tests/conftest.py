"""Fixtures: a real nats-server per test, a fresh SQLite folder or PostgreSQL schema per test.

Set ASSIST_TEST_DATABASE_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) to run the
database-backed tests on PostgreSQL; each test then gets its own schemas, dropped afterwards.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.natsd import NatsServer
from shared.settings import Settings

TEST_DATABASE_URL = os.environ.get("ASSIST_TEST_DATABASE_URL")
TEST_SECRET = "test-secret-not-for-production-0123456789"


FREEZE_EVERY = 25
"""Tests between two freezes of what the test process keeps (``_short_collections``)."""
_since_freeze = 0


@pytest.fixture(autouse=True)
def _short_collections() -> Iterator[None]:
    """Every ``FREEZE_EVERY`` tests, what survives a full collection is frozen (``gc.freeze``):
    the collector never scans it again.

    The test process keeps every app a test made (something still refers to each FastAPI
    app after its test; not found yet): 2.9 million objects half-way through the suite, and a
    full collection then took 2.0 s (measured), a pause of the event loop every test shares.
    One came during ``test_readyz_under_load`` and the probe's 2 s ran out: a false
    "database unreachable". What is frozen was kept anyway; the scans stay a few tests' size."""
    global _since_freeze
    yield
    _since_freeze += 1
    if _since_freeze >= FREEZE_EVERY:
        _since_freeze = 0
        gc.collect()
        gc.freeze()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream on a free port, its store in this test's folder."""
    with NatsServer(tmp_path / "nats", log_file=tmp_path / "nats.log") as server:
        yield server


@pytest.fixture
async def make_settings(
    tmp_path: Path, nats_server: NatsServer
) -> AsyncIterator[Callable[..., Settings]]:
    """Settings for a service in this test: its own database, this test's NATS."""
    run = uuid.uuid4().hex[:8]
    schemas: list[str] = []

    def make(service: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "service": service,
            "data_dir": tmp_path / "data",
            "nats_url": nats_server.url,
            "jwt_secret": TEST_SECRET,
            "relay_poll_interval_s": 0.2,
            "log_level": "WARNING",
        }
        if TEST_DATABASE_URL:
            values |= {"database_url": TEST_DATABASE_URL, "db_schema": f"t{run}_{service}"}
        values |= overrides
        if TEST_DATABASE_URL:
            schemas.append(values["db_schema"])
        return Settings(**values)

    yield make
    if TEST_DATABASE_URL and schemas:
        await drop_schemas(TEST_DATABASE_URL, set(schemas))


async def drop_schemas(url: str, schemas: Iterable[str]) -> None:
    """Drop test schemas (and everything in them) from the PostgreSQL test database."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for schema in schemas:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()
