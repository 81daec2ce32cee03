"""Tekun care (R-BE-7): caregivers and signed agreements, the list of tekun without a valid
one, the concentrated-care rate per township and county against its 55 % target; and the
low-income register (R-DY-4), kept from the roll and by staff, masked, counted."""

from __future__ import annotations

from services.approval.app import create_app as create_approval
from services.approval.cases.models import ReviewCase
from services.approval.roll import service as roll
from shared.auth import Role
from tests.roll_cases import (
    COUNTY,
    HEAD,
    OTHER_TOWNSHIP,
    TOWNSHIP,
    enter,
    open_case,
    publish_policy,
    set_clocks,
    staff,
)
from tests.support import eventually, ready, running_all

DISPERSED = {"mode": "dispersed", "self_care": "partly_unable", "caregiver_name": "王秀英",
             "caregiver_relationship": "侄女", "document_ref": "嘉特困照护〔2027〕1号",
             "signed_on": "2027-01-05", "valid_from": "2027-01-05", "valid_until": "2027-12-31"}
CONCENTRATED = {"mode": "concentrated", "self_care": "unable", "institution": "嘉荫县中心敬老院",
                "document_ref": "入住协议〔2027〕3号", "signed_on": "2027-01-05",
                "valid_from": "2027-01-05"}


async def test_r_be_7_tekun_care_agreements_and_the_concentrated_care_rate(make_settings,
                                                                         nats_server):
    """R-BE-7: dispersed tekun need a named caregiver and a signed agreement, concentrated ones
    the institution's (422 naming what is missing; only for tekun); tekun without an agreement
    in force (none, or expired) are listed; the concentrated-care rate of those unable to care
    for themselves is given per township and county, below 55 % flagged; a new agreement
    supersedes the last."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        settings = app.state.kit.settings
        set_clocks([app], "2027-01-10")
        await publish_policy(client, settings)
        tekun = [await enter(app, await open_case(app, nats_server.url, program="tekun",
                                                  household_size=1),
                             monthly_fen=132_800, effective_month="2027-02", members=(HEAD,))
                 for _ in range(3)]
        elsewhere = await enter(app, await open_case(
            app, nats_server.url, program="tekun", division="230722101201", household_size=1),
            monthly_fen=132_800, effective_month="2027-02", members=(HEAD,))
        dibao = await enter(app, await open_case(app, nats_server.url), monthly_fen=50_000,
                            effective_month="2027-02")
        cw = staff(settings, Role.caseworker, "cw-wang")
        officer = staff(settings, Role.county_officer, "officer-sun", COUNTY)

        def agreements(b) -> str:
            return f"/api/v1/roll/{b.id}/care-agreements"

        r = await client.post(agreements(tekun[0]), headers=cw,
                              json={**DISPERSED, "caregiver_name": None})
        assert r.status_code == 422 and r.json()["rule"] == "R-BE-7"
        assert "caregiver_name" in r.json()["detail"]
        r = await client.post(agreements(tekun[1]), headers=cw,
                              json={**CONCENTRATED, "institution": None})
        assert r.status_code == 422 and "institution" in r.json()["detail"]
        r = await client.post(agreements(dibao), headers=cw, json=DISPERSED)
        assert r.status_code == 409
        r = await client.post(agreements(tekun[0]), headers=cw, json=DISPERSED)
        assert r.status_code == 201, r.text
        assert (r.json()["caregiver_name_masked"], r.json()["valid_today"]) == ("王**", True)
        assert (await client.post(agreements(tekun[1]), headers=cw,
                                  json=CONCENTRATED)).status_code == 201
        unable_at_home = {**DISPERSED, "self_care": "unable", "valid_until": "2027-06-30"}
        assert (await client.post(agreements(tekun[2]), headers=cw,
                                  json=unable_at_home)).status_code == 201

        async def missing(headers) -> list[tuple[str, str]]:
            r = await client.get("/api/v1/roll/tekun/without-agreement", headers=headers)
            assert r.status_code == 200, r.text
            return [(x["beneficiary_id"], x["problem"]) for x in r.json()]

        assert await missing(officer) == [(elsewhere.id, "none")]
        assert await missing(cw) == []  # another township's
        rates = (await client.get("/api/v1/roll/tekun/care-rate", headers=officer)).json()
        assert rates == [
            {"division": TOWNSHIP, "level": "township", "tekun": 3, "unable": 2,
             "unable_concentrated": 1, "unknown_self_care": 0, "rate": "0.5000",
             "target": "0.55", "below_target": True},
            {"division": OTHER_TOWNSHIP, "level": "township", "tekun": 1, "unable": 0,
             "unable_concentrated": 0, "unknown_self_care": 1, "rate": None,
             "target": "0.55", "below_target": False},
            {"division": COUNTY, "level": "county", "tekun": 4, "unable": 2,
             "unable_concentrated": 1, "unknown_self_care": 1, "rate": "0.5000",
             "target": "0.55", "below_target": True}]

        set_clocks([app], "2027-07-01")  # tekun[2]'s agreement has expired
        assert await missing(cw) == [(tekun[2].id, "expired")]
        r = await client.post(agreements(tekun[2]), headers=cw,
                              json={**CONCENTRATED, "signed_on": "2027-06-28",
                                    "valid_from": "2027-07-01"})
        assert r.status_code == 201, r.text
        assert await missing(cw) == []
        history = (await client.get(agreements(tekun[2]), headers=cw)).json()
        assert [(a["mode"], a["superseded_at"] is not None) for a in history] == [
            ("concentrated", False), ("dispersed", True)]
        [line] = [x for x in (await client.get("/api/v1/roll/tekun/care-rate",
                                               headers=cw)).json() if x["level"] == "township"]
        assert (line["rate"], line["below_target"]) == ("1.0000", False)
        detail = (await client.get(f"/api/v1/roll/{tekun[2].id}", headers=cw)).json()
        assert [h["kind"] for h in detail["history"]] == [
            "approved", "care_agreement", "care_agreement"]


async def test_r_dy_4_low_income_register(make_settings, nats_server):
    """R-DY-4: the register of dibao, tekun, near-dibao, at-risk, expenditure-hardship and
    other low-income people follows the roll's changes (entering it; expenditure-type temporary
    aid), and staff add at-risk and others (masked; dibao and tekun only from the roll);
    listed by category, counted, by jurisdiction."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        kit, settings = app.state.kit, app.state.kit.settings
        set_clocks([app], "2027-01-10")
        await enter(app, await open_case(app, nats_server.url), monthly_fen=50_000,
                    effective_month="2027-02")  # 王建国 and 李秀兰
        await enter(app, await open_case(app, nats_server.url, program="tekun"),
                    monthly_fen=132_800, effective_month="2027-02", members=(HEAD,))
        await enter(app, await open_case(app, nats_server.url, program="near_dibao"),
                    monthly_fen=0, effective_month="2027-02", members=None)
        temp = await open_case(app, nats_server.url, program="temp_expenditure")
        async with kit.unit_of_work() as session:
            await roll.grant_temporary_aid(session, case=await session.get(ReviewCase, temp.id),
                                           amount_fen=200_000, head_name_masked="孙桂兰")
        cw = staff(settings, Role.caseworker, "cw-wang")
        r = await client.post("/api/v1/low-income", headers=cw, json={
            "category": "at_risk", "division": "230722100201", "name": "赵德福",
            "id_number": "230722196504120011", "note": "因病返贫风险"})
        assert r.status_code == 201, r.text
        at_risk = r.json()
        assert (at_risk["name_masked"], at_risk["id_number_masked"]) == (
            "赵**", "230***********0011")
        r = await client.post("/api/v1/low-income", headers=cw, json={
            "category": "dibao", "division": "230722100201", "name": "钱多多"})
        assert r.status_code == 422  # dibao comes from the roll alone
        r = await client.post("/api/v1/low-income", headers=cw, json={
            "category": "other", "division": "230722101201", "name": "钱多多"})
        assert r.status_code == 403  # another township's

        counts = (await client.get("/api/v1/low-income/counts", headers=cw)).json()["counts"]
        assert counts == {"dibao": 2, "tekun": 1, "near_dibao": 1, "at_risk": 1,
                          "expenditure_hardship": 1, "other": 0}
        r = await client.get("/api/v1/low-income", headers=cw, params={"category": "dibao"})
        assert sorted(p["name_masked"] for p in r.json()) == ["李**", "王**"]
        assert {p["source"] for p in r.json()} == {"roll"}
        r = await client.get("/api/v1/low-income", headers=cw, params={"limit": 4})
        assert len(r.json()) == 4 and "X-Next-Cursor" in r.headers
        assert "赵德福" not in r.text and "230722196504120011" not in r.text

        roll_entry = r.json()[0]
        r = await client.post(f"/api/v1/low-income/{roll_entry['id']}/end", headers=cw,
                              json={"reason": "x"})
        assert r.status_code == 409  # ends with the roll
        r = await client.post(f"/api/v1/low-income/{at_risk['id']}/end", headers=cw,
                              json={"reason": "家庭收入稳定, 风险已消除"})
        assert r.status_code == 200 and r.json()["active"] is False
        counts = (await client.get("/api/v1/low-income/counts", headers=cw)).json()["counts"]
        assert counts["at_risk"] == 0
        other = staff(settings, Role.caseworker, "cw-li", OTHER_TOWNSHIP)
        assert (await client.get("/api/v1/low-income", headers=other)).json() == []
        assert (await client.get("/api/v1/low-income", headers=staff(
            settings, Role.village_assistant, "va-1", "230722100201"))).status_code == 403
