"""The county's division register at intake, through its REST API: loaded, changed, never
deleted; applications name divisions in force in it (issue 6)."""

from __future__ import annotations

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
from shared.auth import Role
from shared.events import Envelope
from shared.settings import Settings
from shared.workdays import today_in_shanghai
from tests.integration.test_intake_api import TOWNSHIP, VILLAGE, application
from tests.support import REGISTER_CHANGED, bearer, load_division_register, running
from tools.demo import DEMO_REGISTER_SINCE, demo_register

UNKNOWN_VILLAGE = "230722100999"


@dataclass
class Intake:
    client: httpx.AsyncClient
    settings: Settings
    app: FastAPI

    @property
    def officer(self) -> dict[str, str]:
        return bearer(self.settings, Role.county_officer, ["230722"], user_id="officer-1")

    @property
    def caseworker(self) -> dict[str, str]:
        return bearer(self.settings, Role.caseworker, [TOWNSHIP])

    async def submit(self, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post("/api/v1/applications", json=body,
                                      headers=self.caseworker)

    async def put(self, code: str, **body: Any) -> httpx.Response:
        return await self.client.put(f"/api/v1/divisions/{code}", json=body,
                                     headers=self.officer)

    async def end(self, code: str, valid_until: str) -> httpx.Response:
        return await self.client.post(f"/api/v1/divisions/{code}/end",
                                      json={"valid_until": valid_until}, headers=self.officer)

    async def versions(self, code: str) -> dict[str, Any]:
        r = await self.client.get(f"/api/v1/divisions/{code}", headers=self.caseworker)
        assert r.status_code == 200, r.text
        return r.json()

    async def register_events(self) -> list[Envelope]:
        kit = self.app.state.kit
        async with kit.sessions() as session:
            rows = (await session.scalars(select(kit.outbox.c.payload)
                                          .where(kit.outbox.c.event_type == REGISTER_CHANGED)
                                          .order_by(kit.outbox.c.id))).all()
        return [Envelope.model_validate(json.loads(p)) for p in rows]


@pytest.fixture
async def intake(make_settings) -> AsyncIterator[Intake]:
    settings = make_settings("intake")
    app = create_app(settings)
    async with running(app) as client:
        yield Intake(client, settings, app)


def day(offset: int) -> str:
    return (today_in_shanghai() + timedelta(days=offset)).isoformat()


async def test_an_empty_register_refuses_applications_saying_it_must_be_loaded(intake):
    r = await intake.submit(application())
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"] == "urn:assist:problem:division-register-empty"
    assert "tools.divisions load" in problem["detail"] and "make run" in problem["detail"]
    tree = await intake.client.get("/api/v1/divisions/tree", headers=intake.caseworker)
    assert tree.status_code == 409


async def test_the_demo_tree_loads_once_and_again_changes_nothing(intake):
    entries = demo_register("230722")
    first = await load_division_register(intake.client, intake.settings)
    assert (first["change"], first["added"], first["changed"]) == ("load", len(entries), 0)
    again = await load_division_register(intake.client, intake.settings)
    assert (again["added"], again["changed"], again["entries"]) == (0, 0, [])
    [event] = await intake.register_events()  # an unchanged load emits nothing
    assert event.subject == "230722" and event.division == "230722"
    assert event.data["change"] == "load" and len(event.data["entries"]) == len(entries)
    assert event.data["previous"] == []
    assert event.data["entries"][0] == {
        "code": "230722", "name": "嘉荫县", "level": "county", "parent": "230700",
        "valid_from": DEMO_REGISTER_SINCE.isoformat(), "valid_until": None}

    tree = (await intake.client.get("/api/v1/divisions/tree", headers=intake.caseworker)).json()
    assert (tree["code"], tree["name"], tree["level"]) == ("230722", "嘉荫县", "county")
    townships = {t["code"]: t for t in tree["children"]}
    assert set(townships) == {"230722100", "230722101", "230722200"}
    assert [v["code"] for v in townships[TOWNSHIP]["children"]] == [VILLAGE[:9] + "201",
                                                                    VILLAGE[:9] + "202"]
    listed = await intake.client.get("/api/v1/divisions", params={"level": "village",
                                                                  "parent": TOWNSHIP},
                                     headers=intake.caseworker)
    assert [d["name"] for d in listed.json()] == ["东风村", "永胜村"]
    page = await intake.client.get("/api/v1/divisions", params={"limit": 2},
                                   headers=intake.caseworker)
    assert [d["code"] for d in page.json()] == ["230722", "230722100"]
    page = await intake.client.get("/api/v1/divisions", headers=intake.caseworker,
                                   params={"limit": 2, "cursor": page.headers["X-Next-Cursor"]})
    assert [d["code"] for d in page.json()] == ["230722100201", "230722100202"]


async def test_an_application_naming_a_village_not_in_the_register_is_422(intake):
    await load_division_register(intake.client, intake.settings)
    r = await intake.submit(application(division=UNKNOWN_VILLAGE))
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"field": "division", "message": f"{UNKNOWN_VILLAGE} is not a "
                                   "division of the county's register"}]
    listed = await intake.client.get("/api/v1/applications", headers=intake.caseworker)
    assert listed.json() == []
    assert (await intake.submit(application())).status_code == 201


async def test_an_ended_village_is_refused_and_stays_explainable(intake):
    await load_division_register(intake.client, intake.settings)
    ended = await intake.end(VILLAGE, day(0))
    assert ended.status_code == 200, ended.text
    assert (ended.json()["added"], ended.json()["changed"]) == (0, 1)
    r = await intake.submit(application())
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "division"
    assert error["message"] == (f"{VILLAGE} (东风村) ended on {day(0)}: it is not in force on "
                                f"{day(0)}")
    code = await intake.versions(VILLAGE)
    assert code["in_force"] is None
    assert code["versions"] == [{"code": VILLAGE, "name": "东风村", "level": "village",
                                 "parent": TOWNSHIP, "valid_from": "2020-01-01",
                                 "valid_until": day(0)}]
    again = await intake.end(VILLAGE, day(0))  # ending again changes nothing
    assert (again.json()["changed"], len(await intake.register_events())) == (0, 2)


async def test_a_rename_from_a_day_on_keeps_the_old_name_until_then(intake):
    await load_division_register(intake.client, intake.settings)
    r = await intake.put(VILLAGE, name="东风新村", valid_from=day(30))
    assert r.status_code == 200, r.text
    assert (r.json()["added"], r.json()["changed"]) == (1, 1)
    assert r.json()["previous"] == [{"code": VILLAGE, "name": "东风村", "level": "village",
                                     "parent": TOWNSHIP, "valid_from": "2020-01-01",
                                     "valid_until": None}]
    code = await intake.versions(VILLAGE)
    assert [(v["name"], v["valid_from"], v["valid_until"]) for v in code["versions"]] == [
        ("东风村", "2020-01-01", day(30)), ("东风新村", day(30), None)]
    assert code["in_force"]["name"] == "东风村"
    assert (await intake.submit(application())).status_code == 201  # today: still in force
    later = await intake.client.get("/api/v1/divisions", params={"on": day(31),
                                                                 "parent": TOWNSHIP},
                                    headers=intake.caseworker)
    assert [d["name"] for d in later.json()] == ["东风新村", "永胜村"]
    [_, event] = await intake.register_events()
    assert event.subject == VILLAGE and event.data["change"] == "put"
    assert [e["name"] for e in event.data["entries"]] == ["东风村", "东风新村"]
    same = await intake.put(VILLAGE, name="东风新村", valid_from=day(40))
    assert (same.json()["added"], same.json()["changed"]) == (0, 0)  # already so


async def test_a_village_in_force_only_later_is_refused_today(intake):
    await load_division_register(intake.client, intake.settings)
    new = "230722100203"
    r = await intake.put(new, name="新建村", valid_from=day(10))
    assert r.status_code == 200, r.text
    refused = await intake.submit(application(division=new))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == (
        f"{new} (新建村) is in force only from {day(10)}, not on {day(0)}")


async def test_ending_a_township_ends_its_villages_and_nothing_is_deleted(intake):
    await load_division_register(intake.client, intake.settings)
    r = await intake.end(TOWNSHIP, day(5))
    assert r.status_code == 200, r.text
    assert sorted(e["code"] for e in r.json()["entries"]) == [TOWNSHIP, TOWNSHIP + "201",
                                                             TOWNSHIP + "202"]
    assert all(e["valid_until"] == day(5) for e in r.json()["entries"])
    tree = (await intake.client.get("/api/v1/divisions/tree", params={"on": day(5)},
                                    headers=intake.caseworker)).json()
    assert TOWNSHIP not in {t["code"] for t in tree["children"]}
    assert (await intake.versions(TOWNSHIP + "202"))["versions"][0]["valid_until"] == day(5)


@pytest.mark.parametrize(("code", "body", "status", "field"), [
    ("230722100301", {"name": "无主村"}, 200, None),
    ("230722300301", {"name": "无乡村"}, 422, "valid_from"),
    ("230723100201", {"name": "外县村"}, 422, "code"),
    ("230723", {"name": "汤旺县"}, 422, "code"),
    (VILLAGE, {"name": "东风村", "valid_from": "2019-06-01"}, 422, "valid_from"),
    (VILLAGE, {"name": "东风村", "valid_from": "2021-01-01", "valid_until": "2020-06-01"}, 422,
     "valid_until"),
    (VILLAGE, {"name": " "}, 422, "name"),
    (VILLAGE, {"name": "东风村", "extra": 1}, 422, "extra"),
])
async def test_a_code_needs_its_parent_in_force_and_to_lie_in_the_county(intake, code, body,
                                                                         status, field):
    await load_division_register(intake.client, intake.settings)
    r = await intake.put(code, **body)
    assert r.status_code == status, r.text
    if field:
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
        assert len(await intake.register_events()) == 1  # nothing written


async def test_a_load_names_the_entry_at_fault_and_is_taken_whole_or_not_at_all(intake):
    entries = [*demo_register("230722"), {"code": "230722400201", "name": "孤村"}]
    r = await intake.client.post("/api/v1/divisions/load", json={"entries": entries},
                                 headers=intake.officer)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == f"entries.{len(entries) - 1}.valid_from"
    assert "its parent 230722400 is not in the register" in error["message"]
    assert await intake.register_events() == []


async def test_only_county_officers_of_the_county_keep_the_register(intake):
    await load_division_register(intake.client, intake.settings)
    body = {"name": "某村"}
    for headers in (intake.caseworker,
                    bearer(intake.settings, Role.county_officer, ["230723"]),
                    bearer(intake.settings, Role.system, ["230722"])):
        r = await intake.client.put("/api/v1/divisions/230722100301", json=body,
                                    headers=headers)
        assert r.status_code == 403, r.text
    assert (await intake.client.get("/api/v1/divisions/230722100999",
                                    headers=intake.caseworker)).status_code == 404
