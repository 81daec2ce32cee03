"""Every service's migrations build exactly its models' tables, on SQLite and PostgreSQL, and
run down and up again."""

from __future__ import annotations

import asyncio
import importlib
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

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


async def test_disbursement_0009_holds_payments_failed_twice_R_DI_6(make_settings):
    """R-DI-6: a payment stored before as failed after its second attempt (with its hold
    reason) is held after the upgrade; one failed once stays failed; downgrade restores."""
    settings = make_settings("disbursement")
    engine = create_engine(settings, pooled=False)
    await ensure_schema(engine, settings.pg_schema)
    cfg = migrations.alembic_config(settings)
    await asyncio.to_thread(command.upgrade, cfg, "0008")
    row = ("INSERT INTO payment (id, month, kind, payee_id, beneficiary_id, program, division, "
           "unit, name_masked, amount_fen, arrears_fen, status, hold_reason, failure_reason, "
           "attempts, source, created_at, updated_at) VALUES (:id, '2027-01', 'monthly', 'p', "
           ":id, 'dibao', '230722100', 'household', '张*', 100, 0, 'failed', :hold, "
           "'账户已销户', :attempts, 'roster', :at, :at)")
    at = datetime(2026, 12, 6, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(row), {"id": "twice", "hold": "failed twice at the bank",
                                           "attempts": 2, "at": at})
            await conn.execute(text(row), {"id": "once", "hold": None, "attempts": 1, "at": at})
        await asyncio.to_thread(command.upgrade, cfg, "0009")

        async def statuses() -> dict[str, str]:
            async with engine.connect() as conn:
                return dict((await conn.execute(text("SELECT id, status FROM payment"))).all())

        assert await statuses() == {"twice": "held", "once": "failed"}
        await asyncio.to_thread(command.downgrade, cfg, "0008")
        assert await statuses() == {"twice": "failed", "once": "failed"}
    finally:
        await engine.dispose()
