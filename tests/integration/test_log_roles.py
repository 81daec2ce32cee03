"""PostgreSQL: the audit service connects as a role that can only INSERT and SELECT the log; a
separate role owns the tables and runs the migrations (R-AU-2; deploy/postgres/roles.sql)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from services.audit.app import create_app as create_audit
from services.audit.guards import CHAIN_REFUSAL
from services.audit.log.models import AuditEntry
from shared.auth import Role
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_audit_log import event, log_events
from tests.support import bearer, running

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "roles.sql"

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL roles")


def rendered(owner: str, service: str, database: str) -> str:
    """deploy/postgres/roles.sql with psql's variables filled in, as psql -v would."""
    script = "\n".join(line for line in ROLES_SQL.read_text().splitlines()
                       if not line.lstrip().startswith("--"))
    values = {"owner": owner, "service": service, "database": database}
    script = re.sub(r":'(\w+)_password'", "'not-used-with-trust-auth'", script)
    return re.sub(r':"(\w+)"', lambda m: f'"{values[m.group(1)]}"', script)


async def as_superuser(statements: list[str]) -> None:
    engine = create_async_engine(str(TEST_DATABASE_URL))
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def test_the_service_role_may_only_insert_and_read_the_log_R_AU_2(make_settings):
    """R-AU-2: as the service's role, UPDATE, DELETE, TRUNCATE, DROP TRIGGER and ALTER TABLE on
    the log are refused; the owner migrated the tables; the service still appends and reads."""
    run = uuid.uuid4().hex[:8]
    owner, service = f"t{run}_owner", f"t{run}_service"
    url = make_url(str(TEST_DATABASE_URL))
    database = url.database or "test"
    schema = f"t{run}_audit"
    await as_superuser([s for s in rendered(owner, service, database).split(";") if s.strip()])
    try:
        settings = make_settings(
            "audit", db_schema=schema,
            database_url=url.set(username=service).render_as_string(hide_password=False),
            migration_database_url=url.set(username=owner).render_as_string(
                hide_password=False))
        app = create_audit(settings)
        async with running(app) as client:
            await log_events(app, event(1), event(2))
            auditor = bearer(settings, Role.auditor, ["230722"])
            report = (await client.get("/api/v1/audit/verify", headers=auditor)).json()
            assert (report["ok"], report["entries"]) == (True, 2)
            kit = app.state.kit
            async with kit.engine.connect() as conn:
                assert await conn.scalar(text("SELECT current_user")) == service
                assert await conn.scalar(text(
                    "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entry' "
                    "AND schemaname = :schema"), {"schema": schema}) == owner
            attempts = {
                "UPDATE audit_entry SET actor_user = 'x'": "permission denied",
                "DELETE FROM audit_entry": "permission denied",
                "TRUNCATE audit_entry": "permission denied",
                "UPDATE log_access SET user_id = 'x'": "permission denied",
                "DELETE FROM log_access": "permission denied",
                "TRUNCATE log_access": "permission denied",
                "DROP TRIGGER audit_entry_no_delete ON audit_entry": "must be owner",
                "DROP TRIGGER audit_entry_extends_chain ON audit_entry": "must be owner",
                "ALTER TABLE audit_entry DISABLE TRIGGER USER": "must be owner",
                "ALTER TABLE audit_entry ADD COLUMN note text": "must be owner",
                "ALTER TABLE log_access DISABLE TRIGGER log_access_no_update": "must be owner",
                "DROP TABLE audit_entry": "must be owner",
                "DROP FUNCTION audit_entry_refuse_change()": "must be owner",
                "CREATE TABLE audit_shadow (n int)": "permission denied",
                "INSERT INTO audit_entry SELECT seq + 10, 'x' || event_id, event_type, service, "
                "record_id, division, actor_user, actor_role, correlation_id, request_id, "
                "source_address, occurred_at, recorded_at, payload, prev_hash, hash "
                "FROM audit_entry WHERE seq = 1": CHAIN_REFUSAL,
            }
            for statement, refusal in attempts.items():
                with pytest.raises(DBAPIError, match=refusal):
                    async with kit.engine.begin() as conn:
                        await conn.execute(text(statement))
            await log_events(app, event(3))  # and the service goes on appending
            async with kit.sessions() as session:
                assert list(await session.scalars(select(AuditEntry.seq))) == [1, 2, 3]
    finally:
        await as_superuser([f'DROP SCHEMA IF EXISTS "{schema}" CASCADE',
                            f'DROP OWNED BY "{owner}"', f'DROP OWNED BY "{service}"',
                            f'DROP ROLE "{owner}"', f'DROP ROLE "{service}"'])
