"""The one-time notice (一次性告知, R-IN-3) through the REST API: every missing item at once,
accepted when they are in, nothing else demanded; checklists per program and county."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.auth import Role
from shared.workdays import today_in_shanghai
from tests.bus import stream_events
from tests.intake_cases import (
    COUNTY,
    DIBAO_CHECKLIST,
    County,
    application,
    days_ago,
    member,
    running_county,
)
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings):
        yield c


def household(county: County) -> list[dict]:
    return [member(county.person("19600101"), "head"),
            member(county.person("19620202"), "spouse", "李四")]


async def test_r_in_3_the_notice_lists_all_missing_at_once_and_acceptance_waits_for_them(
        county, nats_server):
    """R-IN-3: a paper application with two items handed in: ONE notice lists the other four of
    the county's checklist; supplying them accepts it on the day they are all in (its
    deadlines count from then), not on the receipt day; asking for anything else is refused."""
    kit = county.apps["intake"].state.kit
    received = days_ago(kit.calendar, today_in_shanghai(), 3)
    app = await county.submitted(application(*household(county), received_on=str(received),
                                             materials=DIBAO_CHECKLIST[:2]))
    assert app["status"] == "awaiting_materials" and app["accepted_on"] is None
    assert [m["code"] for m in app["notice"]["missing"]] == DIBAO_CHECKLIST[2:]
    demand = f"/api/v1/applications/{app['id']}/materials-demand"
    for codes, key in [(["medical_record"], "not_on_notice"),
                       (["household_register", "marriage_certificate"], "not_on_notice"),
                       (["id_card"], "not_on_notice")]:
        r = await county.intake.post(demand, json={"materials": codes},
                                     headers=county.caseworker)
        assert r.status_code == 409, codes
        assert r.json()["rule"] == "R-IN-3" and key in r.json()
    reminded = await county.intake.post(demand, json={"materials": ["income_statement"]},
                                        headers=county.assistant)
    assert reminded.status_code == 200, reminded.text

    url = f"/api/v1/applications/{app['id']}/materials"
    part = await county.intake.post(url, json={"materials": DIBAO_CHECKLIST[2:4]},
                                    headers=county.caseworker)
    assert part.json()["status"] == "awaiting_materials"
    twice = await county.intake.post(demand, json={"materials": ["household_register"]},
                                     headers=county.caseworker)
    assert twice.status_code == 409 and twice.json()["already_supplied"] == ["household_register"]
    rest = await county.intake.post(url, json={"materials": DIBAO_CHECKLIST[4:]},
                                    headers=county.caseworker)
    accepted = rest.json()
    assert accepted["status"] == "accepted"
    assert accepted["accepted_on"] == str(today_in_shanghai())
    assert accepted["received_on"] == str(received)
    case = await county.case_of(app["id"])
    assert case["accepted_on"] == str(today_in_shanghai())
    after = await county.intake.post(demand, json={"materials": ["income_statement"]},
                                     headers=county.caseworker)
    assert after.status_code == 409

    async def demanded():
        return await stream_events(nats_server.url, "assist.230722.intake.materials_demanded")

    [event] = await eventually(demanded)
    assert event.data["materials"] == ["income_statement"]
    assert event.data["notice_id"] == app["notice"]["id"]


async def test_r_in_3_nothing_can_be_demanded_of_a_complete_application(county):
    app = await county.submitted(application(*household(county)))
    assert app["notice"] is None
    r = await county.intake.post(f"/api/v1/applications/{app['id']}/materials-demand",
                                 json={"materials": ["income_statement"]},
                                 headers=county.caseworker)
    assert r.status_code == 409 and r.json()["notice_id"] is None


async def test_r_in_3_checklists_are_the_countys_and_set_by_its_officer(county):
    """R-IN-3: checklists per program and county: the county officer sets the county's own
    (the default until then); another county's officer or a caseworker cannot; applications
    are checked against the county's checklist."""
    url = "/api/v1/programs/temp_emergency/checklist"
    assert (await county.get(county.intake, url))["set_by_county"] is False
    items = {"items": [{"code": "application_form", "name": "申请书"},
                       {"code": "id_card", "name": "身份证"},
                       {"code": "police_report", "name": "报警回执"}]}
    for headers in (county.caseworker, county.as_(Role.county_officer, "230723")):
        assert (await county.intake.put(url, json=items, headers=headers)).status_code == 403
    r = await county.intake.put(url, json=items, headers=county.officer)
    assert r.status_code == 200, r.text
    assert r.json() | {"items": None} == {"program": "temp_emergency", "county": COUNTY,
                                          "set_by_county": True, "items": None}
    app = await county.submitted(application(*household(county), program="temp_emergency",
                                             materials=["application_form", "id_card"]))
    assert [m["code"] for m in app["notice"]["missing"]] == ["police_report"]
    # the other programs keep the default
    dibao = await county.get(county.intake, "/api/v1/programs/dibao/checklist")
    assert dibao["set_by_county"] is False
    assert [i["code"] for i in dibao["items"]] == DIBAO_CHECKLIST
