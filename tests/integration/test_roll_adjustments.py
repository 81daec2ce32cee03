"""Adjustments of the roll (增发、减发、停发, R-DY-3) by the decision procedure (four eyes,
R-AP-2) from a stated month, and the gradual exit (渐退, R-BE-6): 12 more months, then the
stop, emitted once, with the clock moved month by month."""

from __future__ import annotations

from services.approval.app import create_app as create_approval
from shared.auth import Role
from tests.bus import count_events, stream_events
from tests.roll_cases import (
    COUNTY,
    enter,
    household,
    open_case,
    publish_policy,
    set_clocks,
    staff,
)
from tests.support import eventually, ready, running_all


async def test_r_dy_3_adjustment_four_eyes_from_a_stated_month(make_settings, nats_server):
    """R-DY-3, R-AP-2: a caseworker proposes with the amount the rules give under the
    parameters in force (R-BE-1); never from a month already begun (409); one proposal at a
    time; a township leader confirms (a caseworker may not), from the month stated; a stop is
    emitted once with its month, and in that month the benefit leaves the roll's active list;
    a rejected proposal changes nothing."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        kit, settings = app.state.kit, app.state.kit.settings
        set_clocks([app], "2027-03-15")
        await publish_policy(client, settings)
        beneficiary = await enter(app, await open_case(app, nats_server.url),
                                  monthly_fen=89_600, effective_month="2027-02")
        cw = staff(settings, Role.caseworker, "cw-wang")
        zhao = staff(settings, Role.township_leader, "leader-zhao")
        url = f"/api/v1/roll/{beneficiary.id}/adjustments"
        lost_job = {"kind": "recompute", "reason": "户主失业 (村委会报告)",
                    "household": household(0)}

        r = await client.post(url, headers=cw, json={**lost_job, "effective_month": "2027-02"})
        assert r.status_code == 409 and r.json()["type"].endswith("adjustment-month-past")
        r = await client.post(url, headers=zhao, json={**lost_job, "effective_month": "2027-04"})
        assert r.status_code == 403  # proposed by a caseworker
        r = await client.post(url, headers=cw, json={**lost_job, "effective_month": "2027-04"})
        assert r.status_code == 201, r.text
        increase = r.json()
        assert (increase["change"], increase["current_fen"], increase["new_fen"]) == (
            "increase", 89_600, 120_400)
        assert increase["status"] == "proposed" and increase["policy_version_id"]
        r = await client.post(url, headers=cw, json={**lost_job, "effective_month": "2027-05"})
        assert r.status_code == 409 and r.json()["type"].endswith("adjustment-pending")

        confirm = f"/api/v1/roll/adjustments/{increase['id']}/confirm"
        assert (await client.post(confirm, headers=cw, json={})).status_code == 403
        r = await client.post(confirm, headers=zhao, json={"effective_month": "2027-02"})
        assert r.status_code == 409  # not backdated
        r = await client.post(confirm, headers=zhao, json={"note": "同意增发"})
        assert r.status_code == 200, r.text
        assert (await client.post(confirm, headers=zhao, json={})).status_code == 409
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert (roll["monthly_fen"], roll["amount_from"]) == (120_400, "2027-04")
        subject = f"assist.{COUNTY}.approval.beneficiary_adjusted"
        [event] = await eventually(lambda: stream_events(nats_server.url, subject))
        assert (event.data["amount_fen"], event.data["effective_month"],
                event.data["change"], event.data["adjustment_id"]) == (
            120_400, "2027-04", "increase", increase["id"])

        r = await client.post(url, headers=cw, json={**lost_job, "effective_month": "2027-05"})
        assert r.status_code == 409  # the rules give what is paid now: nothing to adjust

        stop = {"kind": "stop", "reason": "户主迁出本县, 本人申请停保"}
        r = await client.post(url, headers=cw, json={**stop, "effective_month": "2027-04"})
        rejected = r.json()
        r = await client.post(f"/api/v1/roll/adjustments/{rejected['id']}/reject", headers=zhao,
                              json={"reason": "迁出证明未提供"})
        assert r.status_code == 200 and r.json()["status"] == "rejected"
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert (roll["status"], roll["stop_month"], roll["monthly_fen"]) == (
            "active", None, 120_400)

        r = await client.post(url, headers=cw, json={**stop, "effective_month": "2027-05"})
        r = await client.post(f"/api/v1/roll/adjustments/{r.json()['id']}/confirm",
                              headers=zhao, json={})
        assert r.status_code == 200, r.text
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert (roll["status"], roll["stop_month"]) == ("active", "2027-05")  # paid in April
        stopped = f"assist.{COUNTY}.approval.beneficiary_stopped"
        [event] = await eventually(lambda: stream_events(nats_server.url, stopped))
        assert (event.data["beneficiary_id"], event.data["effective_month"]) == (
            beneficiary.id, "2027-05")
        r = await client.post(url, headers=cw, json={**lost_job, "effective_month": "2027-05"})
        assert r.status_code == 409  # a stopping benefit changes no more

        set_clocks([app], "2027-05-02")
        await kit.scheduler.run_due()
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert roll["status"] == "stopped"
        assert [h["kind"] for h in roll["history"]] == ["approved", "increased", "stopped"]
        active = (await client.get("/api/v1/roll", headers=cw,
                                   params={"status": "active"})).json()
        assert beneficiary.id not in {b["id"] for b in active}
        counts = (await client.get("/api/v1/low-income/counts", headers=cw)).json()["counts"]
        assert counts["dibao"] == 0  # R-DY-4: the register follows the roll
        await eventually(lambda: _relayed(kit))
        assert await count_events(nats_server.url, stopped) == 1


async def _relayed(kit) -> bool:
    return await kit.relay.pending_count() == 0


async def test_r_be_6_gradual_exit_twelve_months_then_stop(make_settings, nats_server):
    """R-BE-6: a re-check or reported change that puts a dibao household's per-capita income
    above the standard but within near-dibao (R-BE-5) keeps its benefit for
    ``gradual_exit_months`` (12) more months, then stops: the stop is announced once, as
    ``beneficiary_stopped`` for its month, by the scheduler in the month before (ahead of the
    ledger's cut-off, R-DI-2); in the stop month the household leaves the roll and stays on the
    low-income register as near-dibao (R-DY-4)."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        kit, settings = app.state.kit, app.state.kit.settings
        set_clocks([app], "2027-01-20")
        await publish_policy(client, settings)
        beneficiary = await enter(app, await open_case(app, nats_server.url),
                                  monthly_fen=89_600, effective_month="2027-01")
        cw = staff(settings, Role.caseworker, "cw-wang")
        zhao = staff(settings, Role.township_leader, "leader-zhao")
        r = await client.post(f"/api/v1/roll/{beneficiary.id}/adjustments", headers=cw, json={
            "kind": "recompute", "reason": "户主外出务工, 月收入1700元",
            "effective_month": "2027-02", "household": household(170_000)})
        assert r.status_code == 201, r.text
        proposal = r.json()
        assert (proposal["change"], proposal["new_fen"], proposal["stop_month"]) == (
            "gradual_exit", 89_600, "2028-02")
        assert any(s["rule"] == "R-BE-6" for s in proposal["assessment"]["steps"])
        r = await client.post(f"/api/v1/roll/adjustments/{proposal['id']}/confirm",
                              headers=zhao, json={})
        assert r.status_code == 200, r.text
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert (roll["status"], roll["exit_from_month"], roll["stop_month"],
                roll["monthly_fen"]) == ("gradual_exit", "2027-02", "2028-02", 89_600)
        [started] = await eventually(lambda: stream_events(
            nats_server.url, f"assist.{COUNTY}.approval.gradual_exit_started"))
        assert (started.data["first_month"], started.data["last_month"],
                started.data["stop_month"]) == ("2027-02", "2028-01", "2028-02")

        stopped = f"assist.{COUNTY}.approval.beneficiary_stopped"
        for day in ("2027-06-01", "2027-12-31"):  # months pass: nothing stops yet
            set_clocks([app], day)
            await kit.scheduler.run_due()
        await eventually(lambda: _relayed(kit))
        assert await count_events(nats_server.url, stopped) == 0

        set_clocks([app], "2028-01-01", hour=2)  # the month before the stop month
        await kit.scheduler.run_due()
        [event] = await eventually(lambda: stream_events(nats_server.url, stopped))
        assert (event.data["beneficiary_id"], event.data["effective_month"]) == (
            beneficiary.id, "2028-02")
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert roll["status"] == "gradual_exit"  # January is still paid
        set_clocks([app], "2028-01-15")
        await kit.scheduler.run_due()

        set_clocks([app], "2028-02-01", hour=2)  # the stop month
        await kit.scheduler.run_due()
        roll = (await client.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)).json()
        assert roll["status"] == "stopped"
        await eventually(lambda: _relayed(kit))
        assert await count_events(nats_server.url, stopped) == 1  # emitted once
        register = (await client.get("/api/v1/low-income", headers=cw, params={
            "active": "true"})).json()
        assert sorted((p["category"], p["name_masked"]) for p in register) == [
            ("near_dibao", "李**"), ("near_dibao", "王**")]
        ended = (await client.get("/api/v1/low-income", headers=cw, params={
            "active": "false"})).json()
        assert {(p["category"], str(p["ended_on"])) for p in ended} == {("dibao", "2028-02-01")}
