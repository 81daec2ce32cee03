"""Intake's staff register through the REST API (R-DI-5, R-OV-4): the county officer registers
assistance staff and village cadres, ends their posts; ID numbers kept as digests, shown masked,
sealed on the stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.intake.app import create_app
from services.intake.staff.models import StaffMember
from shared.auth import Role
from shared.events import Envelope
from shared.settings import Settings
from shared.workdays import today_in_shanghai
from tests.intake_cases import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE, id_number
from tests.support import bearer, load_division_register, running

CADRE = id_number("19750505", "041")
SPECIALIST = id_number("19880312", "052")


@dataclass
class Intake:
    client: httpx.AsyncClient
    settings: Settings
    app: FastAPI

    @property
    def officer(self) -> dict[str, str]:
        return bearer(self.settings, Role.county_officer, [COUNTY], user_id="officer-sun")

    async def register(self, **body: Any) -> httpx.Response:
        return await self.client.post("/api/v1/staff", json=body, headers=self.officer)

    async def events(self, event_type: str) -> list[tuple[str, Envelope]]:
        kit = self.app.state.kit
        async with kit.sessions() as session:
            rows = (await session.scalars(select(kit.outbox.c.payload)
                                          .where(kit.outbox.c.event_type == event_type)
                                          .order_by(kit.outbox.c.id))).all()
        return [(p, Envelope.model_validate(json.loads(p))) for p in rows]


@pytest.fixture
async def intake(make_settings) -> AsyncIterator[Intake]:
    settings = make_settings("intake")
    app = create_app(settings)
    async with running(app) as client:
        await load_division_register(client, settings)
        yield Intake(client, settings, app)


def cadre(**overrides: Any) -> dict[str, Any]:
    return {"name": "赵建国", "id_number": CADRE, "kind": "village_cadre", "division": VILLAGE,
            "title": "村委会主任", **overrides}


async def test_r_di_5_the_county_registers_a_village_cadre_kept_as_a_digest_sealed_on_the_stream(
        intake):
    """R-DI-5: a village cadre registered by the county officer: shown masked, kept as a keyed
    digest only, and the event carries the ID number sealed (never in clear)."""
    r = await intake.register(**cadre())
    assert r.status_code == 201, r.text
    got = r.json()
    assert r.headers["location"] == f"/api/v1/staff/{got['id']}"
    assert got["id_number"] == CADRE[:3] + "*" * 11 + CADRE[-4:]
    assert (got["kind"], got["assistance_staff"], got["dedicated"], got["active"]) == (
        "village_cadre", False, False, True)
    assert got["valid_from"] == str(today_in_shanghai())
    async with intake.app.state.kit.sessions() as session:
        row = await session.get(StaffMember, got["id"])
        assert row is not None and CADRE not in (row.id_digest, row.id_masked)
        assert len(row.id_digest) == 64
    [(payload, envelope)] = await intake.events("assist.intake.staff_registered")
    assert CADRE not in payload
    assert envelope.data["id_number"].startswith("sealed:v1:")
    assert envelope.data["name_masked"] == "赵**"
    assert (envelope.subject, envelope.data["kind"]) == (got["id"], "village_cadre")


async def test_r_ov_4_dedicated_staff_of_a_township_counted_and_their_departure(intake):
    """R-OV-4: a township's dedicated staff are `dedicated`; a departure ends the post from its
    day, once, and is an event; lists filter by the day in the post."""
    r = await intake.register(name="孙丽", id_number=SPECIALIST, kind="township_dedicated",
                              division=TOWNSHIP, valid_from="2026-01-01")
    assert r.status_code == 201, r.text
    staff = r.json()
    assert (staff["assistance_staff"], staff["dedicated"]) == (True, True)
    today = today_in_shanghai()
    left = await intake.client.post(f"/api/v1/staff/{staff['id']}/departure",
                                    json={"left_on": str(today), "reason": "调任"},
                                    headers=intake.officer)
    assert left.status_code == 200, left.text
    assert (left.json()["valid_until"], left.json()["active"]) == (str(today), False)
    again = await intake.client.post(f"/api/v1/staff/{staff['id']}/departure", json={},
                                     headers=intake.officer)
    assert again.status_code == 409
    [(payload, envelope)] = await intake.events("assist.intake.staff_left")
    assert envelope.data["valid_until"] == str(today) and envelope.data["dedicated"] is True
    yesterday = str(today - timedelta(days=1))
    reader = bearer(intake.settings, Role.township_leader, [TOWNSHIP])
    listed = await intake.client.get("/api/v1/staff", params={"active_on": yesterday},
                                     headers=reader)
    assert [s["id"] for s in listed.json()] == [staff["id"]]
    listed = await intake.client.get("/api/v1/staff", params={"active_on": str(today)},
                                     headers=reader)
    assert listed.json() == []
    other = bearer(intake.settings, Role.township_leader, [OTHER_TOWNSHIP])
    hidden = await intake.client.get(f"/api/v1/staff/{staff['id']}", headers=other)
    assert hidden.status_code == 404


async def test_the_register_refuses_bad_input_and_changes_nothing(intake):
    """A wrong level, a bad ID number, a second registration of the same post, a caseworker
    registering: each refused with a problem, nothing written."""
    assert (await intake.register(**cadre(division=TOWNSHIP))).status_code == 422
    bad = await intake.register(**cadre(id_number=CADRE[:-1] + ("0" if CADRE[-1] != "0" else "1")))
    assert bad.status_code == 422
    assert (await intake.register(**cadre())).status_code == 201
    twice = await intake.register(**cadre(name="赵建"))
    assert twice.status_code == 409 and twice.json()["type"].startswith("urn:assist:problem:")
    caseworker = bearer(intake.settings, Role.caseworker, [TOWNSHIP])
    r = await intake.client.post("/api/v1/staff", json=cadre(id_number=SPECIALIST),
                                 headers=caseworker)
    assert r.status_code == 403
    assert len(await intake.events("assist.intake.staff_registered")) == 1


async def test_two_registrations_of_one_post_at_once_make_one(intake):
    """The same person in the same post registered twice at the same moment: one 201, one 409."""
    answers = await asyncio.gather(intake.register(**cadre()), intake.register(**cadre()))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
