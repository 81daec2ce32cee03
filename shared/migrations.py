"""Alembic, per service: each service migrates only its own tables (own file or own schema)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from shared.settings import Settings

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
VERSION_TABLE = "alembic_version"


def alembic_config(settings: Settings) -> Config:
    """An Alembic config pointing at services/<name>/migrations and this service's database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / settings.service / "migrations"))
    settings = settings.for_migrations()  # the tables' owner, when it is another role
    cfg.set_main_option("sqlalchemy.url", settings.sqlalchemy_url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["settings"] = settings
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring this service's database to ``revision`` (blocking; call in a thread from async)."""
    command.upgrade(alembic_config(settings), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    from shared.db import create_engine, ensure_schema

    config = context.config
    settings: Settings = config.attributes["settings"]

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            version_table_schema=settings.pg_schema,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_engine(settings, pooled=False)
        try:
            await ensure_schema(engine, settings.pg_schema)
            async with engine.connect() as connection:
                await connection.run_sync(do_run)
                await connection.commit()
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=settings.sqlalchemy_url, target_metadata=target_metadata,
                          version_table=VERSION_TABLE, version_table_schema=settings.pg_schema,
                          literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def main() -> None:
    """python -m shared.migrations <service> [revision]: migrate one service by hand."""
    import sys

    service = sys.argv[1]
    upgrade(Settings(service=service), sys.argv[2] if len(sys.argv) > 2 else "head")


def create_messaging_tables() -> None:
    """For a service's first migration: its outbox and inbox (shapes of shared.outbox/inbox).

    A later change to those shapes needs its own migration in every service.
    """
    from alembic import op

    from shared.db import service_metadata
    from shared.inbox import inbox_table
    from shared.outbox import outbox_table

    metadata = service_metadata()
    bind = op.get_bind()
    for table in (outbox_table(metadata), inbox_table(metadata)):
        table.create(bind)


def create_dead_letter_table() -> None:
    """For each service's migration that adds its dead letters (shape of shared.dead_letters)."""
    from alembic import op

    from shared.db import service_metadata
    from shared.dead_letters import dead_letter_table

    dead_letter_table(service_metadata()).create(op.get_bind())


def create_idempotency_table() -> None:
    """For each service's migration that adds its idempotency keys (shape of
    shared.idempotency)."""
    from alembic import op

    from shared.db import service_metadata
    from shared.idempotency import idempotency_table

    idempotency_table(service_metadata()).create(op.get_bind())


def drop_messaging_tables() -> None:
    from alembic import op

    op.drop_table("inbox")
    op.drop_table("outbox")


if __name__ == "__main__":
    main()


def create_scheduled_job_table() -> None:
    """For the migration that adds a service's scheduled jobs (shape of shared.scheduler)."""
    from alembic import op

    from shared.db import service_metadata
    from shared.scheduler import scheduled_job_table

    scheduled_job_table(service_metadata()).create(op.get_bind())
