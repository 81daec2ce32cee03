"""The roll of beneficiaries (R-AP-4, R-DY-1 … R-DY-4): entering it emits the events
disbursement pays from and intake keeps its register of recipients by (real NATS, real
databases); the roll's list and history through the API, masked and by jurisdiction."""

from __future__ import annotations

from sqlalchemy import select

from services.approval.app import create_app as create_approval
from services.approval.cases.models import ReviewCase
from services.approval.roll import service as roll
from services.disbursement.app import create_app as create_disbursement
from services.intake.app import create_app as create_intake
from services.intake.recipients.models import Recipient, RecipientMember
from shared.auth import Role
from tests.bus import stream_events
from tests.intake_cases import TEMP_CHECKLIST, application, id_number, member
from tests.roll_cases import (
    COUNTY,
    OTHER_TOWNSHIP,
    TOWNSHIP,
    VILLAGE,
    enter,
    open_case,
    publish_policy,
    set_clocks,
    staff,
)
from tests.support import bearer, eventually, load_division_register, ready, running_all


async def _accepted_case(intake, approval_app, settings, body) -> ReviewCase:
    r = await intake.post("/api/v1/applications", json=body,
                          headers=bearer(settings, Role.caseworker, [TOWNSHIP], "cw-wang"))
    assert r.status_code == 201, r.text
    application_id = r.json()["id"]

    async def opened() -> ReviewCase | None:
        async with approval_app.state.kit.sessions() as session:
            return await session.scalar(select(ReviewCase).where(
                ReviewCase.application_id == application_id))

    return await eventually(opened, timeout=15)


async def test_r_ap_4_entering_the_roll_emits_beneficiary_approved_for_disbursement_and_intake(
        make_settings, nats_server):
    """R-AP-4, R-DI-1, R-IN-4: ``enter_roll`` puts the case on the roll and emits
    ``beneficiary_approved``, which disbursement turns into a payee paid from the effective
    month and intake into its register of recipients (the members named); temporary aid
    (``grant_temporary_aid``) reaches disbursement as ``temporary_aid_granted``; entering twice
    changes nothing."""
    apps = [create_intake(make_settings("intake")), create_approval(make_settings("approval")),
            create_disbursement(make_settings("disbursement"))]
    intake_app, approval_app, disbursement_app = apps
    async with running_all(apps) as (intake, approval, disbursement):
        settings = approval_app.state.kit.settings
        for app in apps:
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(intake, intake_app.state.kit.settings)
        case = await _accepted_case(intake, approval_app, settings, application(
            member(id_number("19600101", "011"), "head", "王建国"),
            member(id_number("19620202", "022"), "spouse", "李秀兰")))
        temp = await _accepted_case(intake, approval_app, settings, application(
            member(id_number("19700303", "033"), "head", "赵德福"),
            program="temp_expenditure", materials=TEMP_CHECKLIST))

        beneficiary = await enter(approval_app, case, monthly_fen=89_600,
                                  effective_month="2027-01", members=None)
        async with approval_app.state.kit.unit_of_work() as session:
            fresh = await session.get(ReviewCase, case.id)
            again = await roll.enter_roll(
                session, case=fresh, monthly_fen=1, effective_month="2027-05",
                certificate_number="x", head_name_masked="x")
            assert again.id == beneficiary.id and again.monthly_fen == 89_600
            grant = await roll.grant_temporary_aid(
                session, case=await session.get(ReviewCase, temp.id), amount_fen=150_000,
                head_name_masked="赵德福")
            grant_id = grant.id

        subject = f"assist.{COUNTY}.approval.beneficiary_approved"
        [event] = await eventually(lambda: stream_events(nats_server.url, subject))
        assert event.subject == beneficiary.id and event.division == VILLAGE
        assert {k: event.data[k] for k in ("beneficiary_id", "application_id", "program",
                                           "amount_fen", "effective_month", "unit",
                                           "head_name_masked", "member_ids")} == {
            "beneficiary_id": beneficiary.id, "application_id": case.application_id,
            "program": "dibao", "amount_fen": 89_600, "effective_month": "2027-01",
            "unit": "household", "head_name_masked": "王**", "member_ids": None}

        finance = bearer(settings, Role.county_officer, [COUNTY], "officer-sun")

        async def payees() -> list[dict] | None:
            r = await disbursement.get("/api/v1/payees", headers=finance)
            assert r.status_code == 200, r.text
            return r.json() if len(r.json()) == 2 else None

        paid = {p["beneficiary_id"]: p for p in await eventually(payees, timeout=15)}
        assert paid[beneficiary.id]["amount_fen"] == 89_600
        assert paid[beneficiary.id]["start_month"] == "2027-01"
        assert paid[grant_id]["amount_fen"] == 150_000 and paid[grant_id]["payment"] == "once"

        async def registered() -> list[Recipient] | None:
            async with intake_app.state.kit.sessions() as session:
                found = [await session.get(Recipient, i) for i in (beneficiary.id, grant_id)]
                return found if all(found) else None  # type: ignore[return-value]

        benefit, aid = await eventually(registered, timeout=15)
        assert (benefit.kind, benefit.program, benefit.since_month) == (
            "benefit", "dibao", "2027-01")
        assert (aid.kind, aid.program) == ("temporary_aid", "temp_expenditure")
        async with intake_app.state.kit.sessions() as session:
            covered = (await session.scalars(select(RecipientMember.id_number).where(
                RecipientMember.beneficiary_id == beneficiary.id))).all()
        assert sorted(covered) == sorted([id_number("19600101", "011"),
                                          id_number("19620202", "022")])


async def test_r_dy_1_the_roll_lists_masked_by_jurisdiction_with_history(make_settings,
                                                                         nats_server):
    """R-DY-1, R-SE-1, R-SE-2: ``GET /roll`` lists the beneficiaries inside the caller's
    divisions, names masked, paged by cursor; ``GET /roll/{id}`` shows the members covered
    (masked) and the history; another township's staff get 403, a village assistant 403."""
    app = create_approval(make_settings("approval"))
    async with running_all([app]) as (client,):
        await eventually(lambda: ready(client))
        settings = app.state.kit.settings
        set_clocks([app], "2027-01-10")
        await publish_policy(client, settings)
        here = [await open_case(app, nats_server.url) for _ in range(3)]
        there = await open_case(app, nats_server.url, division="230722101201")
        entered = [await enter(app, c, monthly_fen=50_000 + n, effective_month="2027-02")
                   for n, c in enumerate([*here, there])]
        cw = staff(settings, Role.caseworker, "cw-wang")
        r = await client.get("/api/v1/roll", headers=cw, params={"limit": 2})
        assert r.status_code == 200, r.text
        first = r.json()
        assert [b["id"] for b in first] == [b.id for b in entered[:2]]
        r = await client.get("/api/v1/roll", headers=cw,
                             params={"limit": 2, "cursor": r.headers["X-Next-Cursor"]})
        assert [b["id"] for b in r.json()] == [entered[2].id]
        assert "X-Next-Cursor" not in r.headers
        row = first[0]
        assert row["head_name_masked"] == "王**" and row["status"] == "active"
        assert row["next_recheck_due"] == "2028-01-10" and row["recheck_months"] == 12

        r = await client.get(f"/api/v1/roll/{entered[0].id}", headers=cw)
        detail = r.json()
        assert [m["name_masked"] for m in detail["members"]] == ["王**", "李**"]
        assert [h["kind"] for h in detail["history"]] == ["approved"]
        assert detail["history"][0]["amount_fen"] == 50_000
        other = staff(settings, Role.caseworker, "cw-li", OTHER_TOWNSHIP)
        assert (await client.get(f"/api/v1/roll/{entered[0].id}", headers=other)
                ).status_code == 404  # R-SE-1: another division's record is not confirmed
        assert [b["id"] for b in (await client.get("/api/v1/roll", headers=other)).json()] == [
            entered[3].id]
        assistant = staff(settings, Role.village_assistant, "va-1", VILLAGE)
        assert (await client.get("/api/v1/roll", headers=assistant)).status_code == 403
