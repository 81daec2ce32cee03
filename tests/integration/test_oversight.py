"""The county's and the city's oversight inside the complaints service (监督管理, R-OV-1 …
R-OV-4): the rectification ledger, spot checks, monitoring and the monthly supervision, whole
cases through the REST API and real events (both engines, real NATS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.complaints.app import create_app as create_complaints
from shared.auth import Role
from tests.support import bearer, eventually, ready, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
OTHER_TOWNSHIP = "230722101"  # 乌云镇
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 in Beijing


def county(settings):
    return bearer(settings, Role.county_officer, [COUNTY])


def leader(settings, township=TOWNSHIP):
    return bearer(settings, Role.township_leader, [township])


async def test_an_inspection_finding_followed_to_closed_and_overdue_listed_R_OV_3(make_settings):
    """R-OV-3: the county puts an inspection finding on the ledger with the responsible person
    and deadline; the township follows it up (appended, never rewritten); past the deadline it
    is on the overdue list; closed with its result it leaves it. Another township sees none of
    it; a past deadline, a closed item's follow-up and a village assistant are refused."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(NOW)
        body = {"source": "inspection", "source_id": "DC-2026-12-01", "division": TOWNSHIP,
                "finding": "3户低保家庭入户调查记录缺少调查人签字",
                "responsible": "李明 朝阳镇民政办主任", "due_on": "2026-12-15"}
        late = await client.post("/api/v1/rectification/items", headers=county(settings),
                                 json={**body, "due_on": "2026-11-30"})
        assert late.status_code == 422, late.text
        assert late.json()["rule"] == "R-OV-3"
        outside = await client.post("/api/v1/rectification/items",
                                    headers=bearer(settings, Role.county_officer, ["230721"]),
                                    json=body)
        assert outside.status_code == 403
        assistant = await client.post("/api/v1/rectification/items", json=body,
                                      headers=bearer(settings, Role.village_assistant,
                                                     [TOWNSHIP + "201"]))
        assert assistant.status_code == 403
        assert (await client.get("/api/v1/rectification/items",
                                 headers=county(settings))).json() == []

        opened = await client.post("/api/v1/rectification/items", headers=county(settings),
                                   json=body)
        assert opened.status_code == 201, opened.text
        item = opened.json()
        assert (item["status"], item["overdue"], item["follow_ups"]) == ("open", False, [])
        url = f"/api/v1/rectification/items/{item['id']}"
        assert (await client.get(url, headers=leader(settings, OTHER_TOWNSHIP))).status_code \
            == 404

        step = await client.post(f"{url}/follow-ups", headers=leader(settings),
                                 json={"note": "已补齐2户调查记录签字"})
        assert step.status_code == 201, step.text
        assert step.json()["status"] == "rectifying"

        app.state.kit.clock.advance(timedelta(days=15))  # the 16th: past the 15th
        overdue = await client.get("/api/v1/rectification/items", headers=county(settings),
                                   params={"overdue": "true"})
        assert overdue.status_code == 200, overdue.text
        assert [i["id"] for i in overdue.json()] == [item["id"]]
        assert overdue.json()[0]["overdue"] is True
        await client.post(f"{url}/follow-ups", headers=leader(settings),
                          json={"note": "第3户已补签"})

        closed = await client.post(f"{url}/close", headers=county(settings),
                                   json={"result": "经县民政局复查, 整改完成"})
        assert closed.status_code == 200, closed.text
        done = closed.json()
        assert (done["status"], done["overdue"], done["closed_on"]) == ("done", False,
                                                                        "2026-12-16")
        assert [(f["seq"], f["note"]) for f in done["follow_ups"]] == [
            (1, "已补齐2户调查记录签字"), (2, "第3户已补签")]
        assert (await client.get("/api/v1/rectification/items", headers=county(settings),
                                 params={"overdue": "true"})).json() == []
        again = await client.post(f"{url}/close", headers=county(settings),
                                  json={"result": "again"})
        assert again.status_code == 409
        assert again.json()["type"].endswith("rectification-closed")
        more = await client.post(f"{url}/follow-ups", headers=leader(settings),
                                 json={"note": "more"})
        assert more.status_code == 409
        assert (await client.get(url, headers=leader(settings))).json() == done
