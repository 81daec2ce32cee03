"""Every service's migrations build exactly its models' tables, on SQLite and PostgreSQL, and
run down and up again."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrations
from shared.db import create_engine, ensure_schema
from shared.settings import SERVICE_NAMES


def spec_of(service: str):
    return importlib.import_module(f"services.{service}.app").SPEC


async def schema_drift(settings, metadata) -> list:
    engine = create_engine(settings, pooled=False)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), metadata))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_migrations_match_the_models_and_run_down_and_up(make_settings, service):
    settings = make_settings(service)
    engine = create_engine(settings, pooled=False)
    await ensure_schema(engine, settings.pg_schema)
    await engine.dispose()
    await asyncio.to_thread(migrations.upgrade, settings)
    assert await schema_drift(settings, spec_of(service).metadata) == []
    cfg = migrations.alembic_config(settings)
    await asyncio.to_thread(command.downgrade, cfg, "base")
    await asyncio.to_thread(command.upgrade, cfg, "head")
    assert await schema_drift(settings, spec_of(service).metadata) == []
