"""Emergency temporary aid through the REST API (R-IN-5): granted at once, materials later
(先行救助、后补材料), the missing ones tracked until they are in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.auth import Role
from shared.workdays import today_in_shanghai
from tests.bus import stream_events
from tests.intake_cases import TEMP_CHECKLIST, VILLAGE, County, application, member, running_county
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings):
        yield c


def emergency(county: County, materials: list[str], *members: dict) -> dict:
    return application(*(members or [member(county.person("19820303"), "head", "孙立华"),
                                     member(county.person("19840404"), "spouse", "周敏")]),
                       program="temp_emergency", materials=materials,
                       emergency={"happened_in": VILLAGE, "circumstances": "房屋失火, 无处居住"})


GRANT = {"amount_fen": 300000, "circumstances": "房屋失火, 一家人无处居住, 急需安置"}


async def test_r_in_5_aid_first_materials_later_tracked_until_in(county, nats_server):
    """R-IN-5: the township leader grants aid at once on an incomplete temp_emergency
    application; what is missing stays on the list until the last item comes in, and then the
    application is accepted as usual."""
    app = await county.submitted(emergency(county, ["application_form"]))
    assert app["status"] == "awaiting_materials"
    url = f"/api/v1/applications/{app['id']}/emergency-aid"
    for headers in (county.caseworker, county.assistant, county.officer):
        assert (await county.intake.post(url, json=GRANT, headers=headers)).status_code == 403
    other_leader = county.as_(Role.township_leader, "230722101")
    assert (await county.intake.post(url, json=GRANT, headers=other_leader)).status_code == 404

    r = await county.intake.post(url, json=GRANT, headers=county.leader)
    assert r.status_code == 200, r.text
    granted = r.json()
    assert granted["status"] == "awaiting_materials"  # the procedure goes on
    grant = granted["emergency_grant"]
    assert (grant["amount_fen"], grant["granted_by"], grant["granted_on"],
            grant["materials_complete_on"]) == (300000, "leader-zhao", str(today_in_shanghai()),
                                                None)
    again = await county.intake.post(url, json=GRANT, headers=county.leader)
    assert again.status_code == 409 and again.json()["rule"] == "R-IN-5"

    outstanding = await county.get(county.intake, "/api/v1/emergency-aid", outstanding="true")
    assert [(g["application_id"], [m["code"] for m in g["outstanding"]]) for g in outstanding] \
        == [(app["id"], ["id_card", "hardship_proof"])]
    materials = f"/api/v1/applications/{app['id']}/materials"
    await county.intake.post(materials, json={"materials": ["id_card"]},
                             headers=county.caseworker)
    [still] = await county.get(county.intake, "/api/v1/emergency-aid", county.caseworker,
                               outstanding="true")
    assert [m["code"] for m in still["outstanding"]] == ["hardship_proof"]
    done = await county.intake.post(materials, json={"materials": ["hardship_proof"]},
                                    headers=county.caseworker)
    assert done.json()["status"] == "accepted"
    assert done.json()["emergency_grant"]["materials_complete_on"] == str(today_in_shanghai())
    assert await county.get(county.intake, "/api/v1/emergency-aid", outstanding="true") == []
    [complete] = await county.get(county.intake, "/api/v1/emergency-aid", outstanding="false")
    assert complete["outstanding"] == [] and complete["application_status"] == "accepted"

    async def granted_event():
        return await stream_events(nats_server.url, "assist.230722.intake.emergency_aid_granted")

    [event] = await eventually(granted_event)
    assert event.subject == app["id"] and event.actor.role == "township_leader"
    assert {k: event.data[k] for k in ("amount_fen", "head_name_masked", "unit",
                                       "outstanding_materials", "program")} == {
        "amount_fen": 300000, "head_name_masked": "孙**", "unit": "household",
        "outstanding_materials": ["id_card", "hardship_proof"], "program": "temp_emergency"}


async def test_r_in_5_only_open_emergency_applications_are_granted_first(county):
    """R-IN-5 is for 急难型 temporary aid: not dibao, not expenditure-type aid, not an
    application that has ended; a complete one owes nothing."""
    dibao = await county.household()
    expenditure = await county.household(program="temp_expenditure")
    for app in (dibao, expenditure):
        r = await county.intake.post(f"/api/v1/applications/{app['id']}/emergency-aid",
                                     json=GRANT, headers=county.leader)
        assert r.status_code == 409 and r.json()["rule"] == "R-IN-5"
    ended = await county.submitted(emergency(county, ["application_form"]))
    await county.intake.post(f"/api/v1/applications/{ended['id']}/withdrawal",
                             json={"requested_by": "孙立华"}, headers=county.caseworker)
    r = await county.intake.post(f"/api/v1/applications/{ended['id']}/emergency-aid",
                                 json=GRANT, headers=county.leader)
    assert r.status_code == 409
    complete = await county.submitted(emergency(county, TEMP_CHECKLIST))
    r = await county.intake.post(f"/api/v1/applications/{complete['id']}/emergency-aid",
                                 json={**GRANT, "amount_fen": 150000}, headers=county.leader)
    assert r.status_code == 200, r.text
    assert r.json()["emergency_grant"]["materials_complete_on"] == str(today_in_shanghai())
    for bad in ({**GRANT, "amount_fen": "150000"}, {**GRANT, "amount_fen": 1.5},
                {"amount_fen": 100}):
        r = await county.intake.post(f"/api/v1/applications/{expenditure['id']}/emergency-aid",
                                     json=bad, headers=county.leader)
        assert r.status_code == 422, bad
    assert len(await county.get(county.intake, "/api/v1/emergency-aid")) == 1
    assert await county.get(county.intake, "/api/v1/emergency-aid",
                            county.as_(Role.caseworker, "230722101")) == []
