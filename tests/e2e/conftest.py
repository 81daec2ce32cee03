"""A county's services running together in this process, each on its own database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.audit.app import create_app as create_audit
from services.intake.app import create_app as create_intake
from services.verification.app import create_app as create_verification
from shared.settings import Settings
from tests.support import bearer, eventually, load_division_register, running_all

TOWNSHIP = "230722100"  # demo township of 嘉荫县
VILLAGE = "230722100201"  # 东风村 (demo)


@dataclass
class County:
    intake: httpx.AsyncClient
    verification: httpx.AsyncClient
    audit: httpx.AsyncClient
    settings: Settings
    apps: dict

    def caseworker(self) -> dict[str, str]:
        return bearer(self.settings, "caseworker", [TOWNSHIP], user_id="cw-wang")

    def auditor(self) -> dict[str, str]:
        return bearer(self.settings, "auditor", ["230700"], user_id="auditor-li")

    async def audit_log(self, record_id: str) -> list[dict]:
        r = await self.audit.get(f"/api/v1/audit/records/{record_id}", headers=self.auditor())
        if r.status_code == 404:  # no entry for this record (yet)
            return []
        assert r.status_code == 200, r.text
        return r.json()

    async def wait_ready(self) -> None:
        for app in self.apps.values():
            await app.state.kit.bus.wait_ready(15)


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    apps = {
        "intake": create_intake(make_settings("intake")),
        "verification": create_verification(make_settings("verification")),
        "audit": create_audit(make_settings("audit")),
    }
    async with running_all(apps.values()) as (intake, verification, audit):
        c = County(intake, verification, audit, apps["intake"].state.kit.settings, apps)
        await c.wait_ready()
        await load_division_register(intake, c.settings)
        # the register's event is in the operation log before the test begins to count there
        await eventually(lambda: handled_events(apps["audit"].state.kit), timeout=15)
        yield c


async def handled_events(kit: Any) -> int:
    """Events the service's consumer has applied (its inbox)."""
    async with kit.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(kit.inbox)) or 0)


__all__ = ["County", "eventually", "TOWNSHIP", "VILLAGE"]
