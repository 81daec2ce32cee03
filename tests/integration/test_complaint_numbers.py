"""Tracking numbers of complaints (R-CO-1): per county and year, unique and gapless in commit
order, under concurrent registrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import datetime

from services.complaints.app import create_app as create_complaints
from shared.auth import Role
from tests.support import bearer, eventually, ready, running

VILLAGE = "230722100201"


async def test_concurrent_registrations_take_consecutive_numbers_R_CO_1(make_settings):
    """R-CO-1: twelve registrations at once, some refused: the accepted ones hold numbers 1…n of
    the year with no gap and no repeat, and the year's counter restarts the next year."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(datetime.fromisoformat("2026-12-31T10:00:00+08:00"))
        worker = bearer(settings, Role.caseworker, ["230722100"])

        async def register(i: int) -> int:
            division = VILLAGE if i % 4 else "230781100201"  # every fourth: another county
            r = await client.post("/api/v1/complaints", headers=worker, json={
                "kind": "complaint", "channel": "visit", "subject": f"反映 {i}",
                "content": "请核查。", "concerns": "household", "division": division})
            return r.status_code if r.status_code != 201 else int(
                r.json()["tracking_number"].rsplit("-", 1)[1])

        answers = await asyncio.gather(*(register(i) for i in range(12)))
        numbers = sorted(a for a in answers if a < 100)
        assert answers.count(422) == 3
        assert numbers == list(range(1, 10))

        app.state.kit.clock.set(datetime.fromisoformat("2027-01-04T10:00:00+08:00"))
        r = await client.post("/api/v1/complaints", headers=worker, json={
            "kind": "petition", "channel": "letter", "subject": "新年", "content": "c",
            "concerns": "household", "division": VILLAGE})
        assert r.json()["tracking_number"] == "TS230722-2027-000001"
