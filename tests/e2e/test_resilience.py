"""Nothing is lost when a service, the database connection or NATS goes away mid-work."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import text

from services.audit.app import create_app as create_audit
from services.intake.app import create_app as create_intake
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.conftest import TOWNSHIP
from tests.e2e.test_application_case import application, resident_id
from tests.support import (
    bearer,
    domain_entries,
    eventually,
    load_division_register,
    relayed_all,
    running,
)


async def logged_types(audit, settings, record_id: str) -> Counter:
    headers = bearer(settings, "auditor", ["230700"])
    r = await audit.get(f"/api/v1/audit/records/{record_id}", headers=headers)
    return Counter(e["type"] for e in domain_entries(r.json())) if r.status_code == 200 \
        else Counter()


async def test_events_of_a_service_stopped_before_relaying_leave_after_restart(
    make_settings, nats_server
):
    """R-AU-1, R-AU-2: intake stops with unsent events (NATS away); restarted, sends each once."""
    intake_settings = make_settings("intake")
    nats_server.stop()
    async with running(create_intake(intake_settings)) as intake:
        await load_division_register(intake, intake_settings)
        r = await intake.post("/api/v1/applications", json=application(),
                              headers=bearer(intake_settings, "caseworker", [TOWNSHIP]))
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]
    # intake is gone; its events wait in its outbox
    nats_server.start()
    audit_settings = make_settings("audit")
    async with running(create_audit(audit_settings)) as audit:
        assert await logged_types(audit, audit_settings, app_id) == Counter()
        intake_app = create_intake(intake_settings)
        async with running(intake_app):
            await eventually(lambda: relayed_all(intake_app.state.kit), timeout=20)

            async def logged():
                types = await logged_types(audit, audit_settings, app_id)
                return types if types["assist.intake.application_accepted"] else None

            await eventually(logged, timeout=20)
            await asyncio.sleep(1.0)
            types = await logged_types(audit, audit_settings, app_id)
            assert types == Counter({"assist.intake.application_submitted": 1,
                                     "assist.intake.application_accepted": 1})


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (ASSIST_TEST_DATABASE_URL)")
async def test_database_connections_cut_mid_work_are_replaced(make_settings, nats_server):
    """PostgreSQL kills every connection of intake and audit: requests, relay and consumer go on."""
    intake_settings, audit_settings = make_settings("intake"), make_settings("audit")
    intake_app, audit_app = create_intake(intake_settings), create_audit(audit_settings)
    headers = bearer(intake_settings, "caseworker", [TOWNSHIP])
    async with running(intake_app) as intake, running(audit_app) as audit:
        await intake_app.state.kit.bus.wait_ready(10)
        await audit_app.state.kit.bus.wait_ready(10)
        await load_division_register(intake, intake_settings)
        first = await intake.post("/api/v1/applications", json=application(), headers=headers)
        assert first.status_code == 201, first.text
        await eventually(lambda: logged_types(audit, audit_settings, first.json()["id"]))

        async with audit_app.state.kit.engine.connect() as conn:
            killed = await conn.scalar(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name IN ('assist-intake', 'assist-audit') "
                "AND pid <> pg_backend_pid()"))
        assert killed >= 1

        other_household = application(members=[
            {"name": "赵铁柱", "id_number": resident_id(birth="19700515", seq="351"),
             "relationship": "head", "living_status": "at_home", "is_student": False}])
        second = await intake.post("/api/v1/applications", json=other_household,
                                   headers=headers)
        assert second.status_code == 201, second.text

        async def logged():
            types = await logged_types(audit, audit_settings, second.json()["id"])
            return types if types["assist.intake.application_accepted"] else None

        assert (await eventually(logged, timeout=20))[
            "assist.intake.application_accepted"] == 1
