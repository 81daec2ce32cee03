"""Re-checks of the roll (R-DY-2): scheduled yearly or every 6 months, issued by the scheduler
on the injectable clock, done as tasks in verification, their results back on the roll with
the adjustment they call for (R-DY-3), confirmed by four eyes (R-AP-2)."""

from __future__ import annotations

from sqlalchemy import func, select

from services.approval.app import create_app as create_approval
from services.approval.rechecks.models import Recheck
from services.approval.relatives.models import FlaggedCase
from services.verification.app import create_app as create_verification
from shared.auth import Role
from tests.bus import count_events, stream_events
from tests.roll_cases import (
    COUNTY,
    HEAD,
    SPOUSE,
    TOWNSHIP,
    at,
    enter,
    member,
    open_case,
    person,
    publish_policy,
    set_clocks,
    staff,
    wages,
)
from tests.support import eventually, ready, running_all


async def _rechecks(app) -> list[Recheck]:
    async with app.state.kit.sessions() as session:
        return list((await session.scalars(select(Recheck).order_by(Recheck.due_on))).all())


async def test_r_dy_2_rechecks_half_yearly_for_unsteady_income_yearly_otherwise(
        make_settings, nats_server):
    """R-DY-2: a stable household is re-checked once a year; unsteady income, a member able to
    work or a filed near relative (R-AP-8, also when flagged after entering the roll) every 6
    months. The scheduler issues each re-check 30 days before its day, once; one not done by
    the end of its day is overdue, per township and county."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        kit, settings = app.state.kit, app.state.kit.settings
        set_clocks([app], "2027-01-10")
        await publish_policy(client, settings)
        cases = [await open_case(app, nats_server.url) for _ in range(4)]
        stable = await enter(app, cases[0], monthly_fen=50_000, effective_month="2027-02")
        unsteady = await enter(app, cases[1], monthly_fen=50_000, effective_month="2027-02",
                               unsteady_income=True)
        able = await enter(app, cases[2], monthly_fen=50_000, effective_month="2027-02",
                           able_to_work=True)
        later = await enter(app, cases[3], monthly_fen=50_000, effective_month="2027-02")
        assert (stable.recheck_months, str(stable.next_recheck_due)) == (12, "2028-01-10")
        assert (unsteady.recheck_months, unsteady.recheck_reasons) == (6, ["unsteady_income"])
        assert str(unsteady.next_recheck_due) == "2027-07-10"
        assert (able.recheck_months, able.recheck_reasons) == (6, ["able_to_work"])
        async with kit.unit_of_work() as session:  # R-AP-8: flagged after entering the roll
            session.add(FlaggedCase(case_id=later.case_id, application_id=later.application_id,
                                    application_number=later.application_number,
                                    division=later.division, archive_apart=True,
                                    flagged_at=at("2027-01-10")))
        await kit.scheduler.run_now("issue_due_rechecks")  # its run of the day may be done
        cw = staff(settings, Role.caseworker, "cw-wang")
        r = await client.get(f"/api/v1/roll/{later.id}", headers=cw)
        assert (r.json()["recheck_months"], r.json()["recheck_reasons"]) == (6, ["near_relative"])
        assert r.json()["next_recheck_due"] == "2027-07-10"
        assert await _rechecks(app) == []

        set_clocks([app], "2027-06-09")  # 31 days before the half-yearly ones
        await kit.scheduler.run_due()
        assert await _rechecks(app) == []
        set_clocks([app], "2027-06-10")  # 30 days before: issued, once
        await kit.scheduler.run_due()
        issued = await _rechecks(app)
        assert sorted(r.beneficiary_id for r in issued) == sorted([unsteady.id, able.id,
                                                                   later.id])
        assert {str(r.due_on) for r in issued} == {"2027-07-10"}
        subject = f"assist.{COUNTY}.approval.recheck_requested"
        events = await eventually(lambda: _all(nats_server.url, subject, 3))
        assert {e.data["beneficiary_id"] for e in events} == {unsteady.id, able.id, later.id}
        assert {e.data["frequency_months"] for e in events} == {6}

        r = await client.get("/api/v1/roll/rechecks", headers=cw, params={"overdue": "true"})
        assert r.json() == []
        set_clocks([app], "2027-07-11")  # the due day has ended
        await kit.scheduler.run_due()
        assert len(await _rechecks(app)) == 3  # nothing issued twice
        r = await client.get("/api/v1/roll/rechecks", headers=cw, params={"overdue": "true"})
        assert sorted(x["beneficiary_id"] for x in r.json()) == sorted(
            [unsteady.id, able.id, later.id])
        assert all(x["overdue"] for x in r.json())
        r = await client.get("/api/v1/roll/rechecks/overdue", headers=staff(
            settings, Role.county_officer, "officer-sun", COUNTY))
        assert r.json() == [
            {"division": TOWNSHIP, "level": "township", "open": 3, "overdue": 3},
            {"division": COUNTY, "level": "county", "open": 3, "overdue": 3}]

        set_clocks([app], "2027-12-11")  # the yearly one: 30 days before 2028-01-10
        await kit.scheduler.run_due()
        assert stable.id in {r.beneficiary_id for r in await _rechecks(app)}
        assert await count_events(nats_server.url, subject) == 4


async def test_r_dy_2_members_able_to_work_are_read_from_the_case(make_settings, nats_server):
    """R-DY-2: entering the roll without being told, a household with a covered member of
    working age (16 to 60) able to work is re-checked every 6 months; one of a 70-year-old and
    a child of 10 once a year; a caseworker may say the income became unsteady (half-yearly
    from the approval on) or steady again."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        set_clocks([app], "2027-01-10")
        working = await open_case(app, nats_server.url, members=[
            person(HEAD, "1975-03-01"), person(SPOUSE, "1950-05-05", "spouse")])
        retired = await open_case(app, nats_server.url, members=[
            person(HEAD, "1956-03-01"), person(SPOUSE, "2016-05-05", "grandchild")])
        able = await enter(app, working, monthly_fen=50_000, effective_month="2027-02")
        stable = await enter(app, retired, monthly_fen=50_000, effective_month="2027-02")
        assert (able.recheck_months, able.recheck_reasons) == (6, ["able_to_work"])
        assert (stable.recheck_months, stable.recheck_reasons) == (12, [])

        # a caseworker learns the income became unsteady before the re-check finds it
        url = f"/api/v1/roll/{stable.id}/recheck-schedule"
        cw = staff(app.state.kit.settings, Role.caseworker, "cw-wang")
        body = {"unsteady_income": True, "reason": "户主改为季节性务工"}
        r = await client.put(url, headers=staff(app.state.kit.settings, Role.caseworker, "cw-li",
                                                "230722101"), json=body)
        assert r.status_code == 404  # R-SE-1: another division's record is not confirmed
        r = await client.put(url, headers=cw, json=body)
        assert r.status_code == 200, r.text
        assert (r.json()["recheck_months"], r.json()["recheck_reasons"],
                r.json()["next_recheck_due"]) == (6, ["unsteady_income"], "2027-07-10")
        r = await client.put(url, headers=cw, json={"unsteady_income": False, "reason": "稳定"})
        assert (r.json()["recheck_months"], r.json()["next_recheck_due"]) == (12, "2028-01-10")
        [event, _] = await eventually(lambda: _all(
            nats_server.url, f"assist.{COUNTY}.approval.recheck_schedule_changed", 2))
        assert (event.data["frequency_months"], event.data["changed_by"]) == (6, "cw-wang")


async def _all(url: str, subject: str, n: int) -> list | None:
    events = await stream_events(url, subject)
    return events if len(events) >= n else None


async def test_r_dy_2_recheck_task_reaches_verification_and_its_result_comes_back(
        make_settings, nats_server):
    """R-DY-2 → R-DY-3: the re-check is a task in verification; its team (two township staff,
    R-VE-1) records the household as found; approval records the result, renews the schedule
    and proposes the amount the rules give (a decrease); the one who recorded it may not
    confirm it (R-AP-2), another township leader does, from the month after the re-check."""
    apps = [create_approval(make_settings("approval")),
            create_verification(make_settings("verification"))]
    approval_app, verification_app = apps
    async with running_all(apps) as (approval, verification):
        for app in apps:
            await app.state.kit.bus.wait_ready(15)
        settings = approval_app.state.kit.settings
        set_clocks(apps, "2027-01-10")
        await publish_policy(approval, settings)
        case = await open_case(approval_app, nats_server.url)
        beneficiary = await enter(approval_app, case, monthly_fen=89_600,
                                  effective_month="2027-02", unsteady_income=True)
        set_clocks(apps, "2027-06-15")
        await approval_app.state.kit.scheduler.run_due()
        cw = staff(settings, Role.caseworker, "cw-wang")
        zhao = staff(settings, Role.township_leader, "leader-zhao")
        li = staff(settings, Role.township_leader, "leader-li")

        async def task() -> dict | None:
            r = await verification.get("/api/v1/rechecks", headers=cw)
            assert r.status_code == 200, r.text
            return r.json()[0] if r.json() else None

        opened = await eventually(task, timeout=15)
        assert (opened["beneficiary_id"], opened["due_on"], opened["status"]) == (
            beneficiary.id, "2027-07-10", "open")
        assert [m["name_masked"] for m in opened["members"]] == ["王**", "李**"]
        result = {"visited_on": "2027-06-15", "unsteady_income": False,
                  "findings": "户主务工收入增加, 收入稳定",
                  "members": [member(HEAD, 52, able_to_work=True, employed=True),
                              member(SPOUSE, 50, seriously_ill=True)],
                  "income": [wages(HEAD, 90_000)]}
        url = f"/api/v1/rechecks/{opened['id']}"
        r = await verification.post(f"{url}/result", headers=zhao, json=result)
        assert r.status_code == 409, r.text  # no team yet
        r = await verification.put(f"{url}/team", headers=cw, json={"investigators": [
            {"user_id": "cw-wang", "name": "王经办", "role": "caseworker"}]})
        assert r.status_code == 422 and r.json()["rule"] == "R-VE-1"
        r = await verification.put(f"{url}/team", headers=cw, json={"investigators": [
            {"user_id": "cw-wang", "name": "王经办", "role": "caseworker"},
            {"user_id": "leader-zhao", "name": "赵镇长", "role": "township_leader"}],
            "village_helper": {"name": "刘长河", "title": "东风村村委会主任"}})
        assert r.status_code == 200, r.text
        r = await verification.post(f"{url}/result", headers=li, json=result)
        assert r.status_code == 403  # not on the team
        r = await verification.post(f"{url}/result", headers=zhao, json=result)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "completed"

        async def recorded() -> dict | None:
            r = await approval.get("/api/v1/roll/rechecks", headers=cw,
                                   params={"status": "completed"})
            return r.json()[0] if r.json() else None

        done = await eventually(recorded, timeout=15)
        assert (done["outcome"], done["assessed_fen"], done["visited_on"]) == (
            "decrease", 59_600, "2027-06-15")
        r = await approval.get(f"/api/v1/roll/adjustments/{done['adjustment_id']}", headers=cw)
        proposal = r.json()
        assert (proposal["change"], proposal["current_fen"], proposal["new_fen"]) == (
            "decrease", 89_600, 59_600)
        assert (proposal["effective_month"], proposal["proposed_by"], proposal["source"]) == (
            "2027-07", "leader-zhao", "recheck")
        assert any(s["rule"] == "R-BE-1" for s in proposal["assessment"]["steps"])
        r = await approval.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)
        roll = r.json()
        assert (roll["last_recheck_on"], roll["recheck_months"], roll["recheck_reasons"],
                roll["next_recheck_due"]) == ("2027-06-15", 6, ["able_to_work"], "2027-12-15")
        assert roll["monthly_fen"] == 89_600  # nothing changes before the confirmation

        confirm = f"/api/v1/roll/adjustments/{proposal['id']}/confirm"
        r = await approval.post(confirm, headers=zhao, json={})
        assert r.status_code == 403 and r.json()["type"].endswith("four-eyes")
        r = await approval.post(confirm, headers=li, json={"note": "同意减发"})
        assert r.status_code == 200, r.text
        r = await approval.get(f"/api/v1/roll/{beneficiary.id}", headers=cw)
        roll = r.json()
        assert (roll["monthly_fen"], roll["amount_from"]) == (59_600, "2027-07")
        assert [h["kind"] for h in roll["history"]] == [
            "approved", "recheck_requested", "recheck_completed", "recheck_frequency",
            "decreased"]
        subject = f"assist.{COUNTY}.approval.beneficiary_adjusted"
        [event] = await eventually(lambda: stream_events(nats_server.url, subject))
        assert (event.data["beneficiary_id"], event.data["amount_fen"],
                event.data["effective_month"], event.data["change"]) == (
            beneficiary.id, 59_600, "2027-07", "decrease")
        [back] = await stream_events(nats_server.url,
                                     f"assist.{COUNTY}.verification.recheck_completed")
        assert back.data["recheck_id"] == done["id"]
        async with approval_app.state.kit.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Recheck)) == 1
