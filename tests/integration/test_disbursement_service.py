"""Disbursement service: starts, migrates, keeps the payment basis from approval's events
(R-DI-1, R-DY-3, R-SE-1)."""

from __future__ import annotations

import pytest

from services.disbursement.app import create_app as create_disbursement
from services.disbursement.beneficiaries.service import PayeeNotKnown
from shared.auth import Role
from shared.context import new_id
from shared.events import Envelope, new_envelope
from shared.inbox import Rejected
from tests.bus import consumer_drained, publish
from tests.support import bearer, eventually, ready, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村, 朝阳镇
OTHER_VILLAGE = "230722101201"  # 乌云村, 乌云镇


def approval_event(event: str, beneficiary_id: str | None = None, *, service: str = "approval",
                   **data) -> Envelope:
    """An approval decision as docs/events.md defines it; ``data`` overrides the defaults."""
    beneficiary_id = beneficiary_id or new_id()
    division = data.get("division", VILLAGE)
    defaults = {"beneficiary_id": beneficiary_id, "application_id": new_id(), "program": "dibao",
                "division": division, "head_name_masked": "张*", "amount_fen": 123400,
                "effective_month": "2026-12"}
    return new_envelope(service=service, county=COUNTY, event=event, subject=beneficiary_id,
                        division=division, data={**defaults, **data})


def finance(settings, divisions=(COUNTY,), role=Role.finance_officer):
    return bearer(settings, role, divisions)


async def payees(client, headers, **params) -> list[dict]:
    response = await client.get("/api/v1/payees", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def payee_detail(client, headers, beneficiary_id: str) -> dict | None:
    found = await payees(client, headers, beneficiary_id=beneficiary_id)
    if not found:
        return None
    response = await client.get(f"/api/v1/payees/{found[0]['id']}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_disbursement_starts_migrates_and_answers_health_checks(make_settings):
    """The service migrates itself on start and reports ready (tables: test_migrations)."""
    settings = make_settings("disbursement")
    async with running(create_disbursement(settings)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok",
                                                         "service": "disbursement"}
        await eventually(lambda: ready(client))
        assert (await client.get("/readyz")).json()["checks"] == {"database": "ok", "nats": "ok"}


async def test_approved_adjusted_stopped_keep_the_payment_basis_R_DY_3(make_settings, nats_server):
    """R-DY-3: approval makes the payee, 增发/减发 change the amount from their month, 停发 stops
    it; every change is kept; a redelivered event changes nothing."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        headers = finance(settings)
        approved = approval_event("beneficiary_approved", head_name_masked="张三丰",
                                  amount_fen=123456, effective_month="2026-12")
        beneficiary_id = approved.data["beneficiary_id"]
        await publish(nats_server.url, approved)
        payee = await eventually(lambda: payee_detail(client, headers, beneficiary_id))
        assert {k: payee[k] for k in ("application_id", "program", "unit", "name_masked",
                                      "division", "payment", "amount_fen", "amount_yuan",
                                      "amount_from", "start_month", "stopped_from", "status",
                                      "last_event_type")} == {
            "application_id": approved.data["application_id"], "program": "dibao",
            "unit": "household", "name_masked": "张**", "division": VILLAGE,
            "payment": "monthly", "amount_fen": 123456, "amount_yuan": "1234.56",
            "amount_from": "2026-12", "start_month": "2026-12", "stopped_from": None,
            "status": "active", "last_event_type": "assist.approval.beneficiary_approved"}
        assert [c["kind"] for c in payee["changes"]] == ["approved"]

        raise_from_march = approval_event("beneficiary_adjusted", beneficiary_id,
                                          amount_fen=150000, effective_month="2027-03")
        correction_for_february = approval_event("beneficiary_adjusted", beneficiary_id,
                                                 amount_fen=140000, effective_month="2027-02")
        await publish(nats_server.url, raise_from_march, correction_for_february)

        async def adjusted_twice():
            found = await payee_detail(client, headers, beneficiary_id)
            return found if len(found["changes"]) == 3 else None

        payee = await eventually(adjusted_twice)
        assert (payee["amount_fen"], payee["amount_from"]) == (150000, "2027-03")
        assert [(c["kind"], c["amount_fen"], c["effective_month"]) for c in payee["changes"]] == [
            ("approved", 123456, "2026-12"), ("adjusted", 150000, "2027-03"),
            ("adjusted", 140000, "2027-02")]

        # Redelivered after JetStream's duplicate window: same event id, new Nats-Msg-Id.
        await publish(nats_server.url, raise_from_march, msg_id=f"{raise_from_march.id}-again")
        await eventually(lambda: consumer_drained(nats_server.url, "disbursement"))
        assert await app.state.kit.consumer.handle(correction_for_february) is False
        assert await payee_detail(client, headers, beneficiary_id) == payee

        stopped = approval_event("beneficiary_stopped", beneficiary_id,
                                 effective_month="2027-06")
        await publish(nats_server.url, stopped)

        async def is_stopped():
            found = await payee_detail(client, headers, beneficiary_id)
            return found if found["stopped_from"] is not None else None

        payee = await eventually(is_stopped)
        # a stop for a later month leaves the payee active until that month comes (R-DI-2)
        assert (payee["stopped_from"], payee["status"]) == ("2027-06", "active")
        assert payee["changes"][-1]["kind"] == "stopped"
        assert payee["changes"][-1]["amount_fen"] is None
        assert await payees(client, headers, status="stopped") == []
        assert [p["beneficiary_id"] for p in await payees(client, headers, status="active")] == [
            beneficiary_id]


async def test_temporary_aid_is_paid_once_and_near_dibao_pays_nothing(make_settings, nats_server):
    """R-DI-3: a temporary-aid grant becomes a one-off payee; near-dibao (R-BE-5) has no cash."""
    settings = make_settings("disbursement")
    async with running(create_disbursement(settings)) as client:
        await eventually(lambda: ready(client))
        headers = finance(settings)
        near = approval_event("beneficiary_approved", program="near_dibao", amount_fen=0)
        aid = approval_event("temporary_aid_granted", program="temp_emergency",
                             amount_fen=80000, unit="person", head_name_masked="李*")
        tekun = approval_event("beneficiary_approved", program="tekun", amount_fen=97500)
        await publish(nats_server.url, near, aid, tekun)

        async def both():
            found = await payees(client, headers)
            return found if len(found) == 2 else None

        found = {p["beneficiary_id"]: p for p in await eventually(both)}
        await eventually(lambda: consumer_drained(nats_server.url, "disbursement"))
        assert set(found) == {aid.data["beneficiary_id"], tekun.data["beneficiary_id"]}
        granted = found[aid.data["beneficiary_id"]]
        assert (granted["payment"], granted["unit"], granted["amount_fen"]) == (
            "once", "person", 80000)
        assert (found[tekun.data["beneficiary_id"]]["payment"],
                found[tekun.data["beneficiary_id"]]["unit"]) == ("monthly", "person")
        assert await payees(client, headers, program="near_dibao") == []


async def test_payment_basis_comes_only_from_confirmed_approval_data_R_DI_1(
    make_settings, nats_server
):
    """R-DI-1: no API creates a payee; only approval's events do, and only with whole fen."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        headers = finance(settings)
        body = {"beneficiary_id": "x", "amount_fen": 100, "effective_month": "2026-12"}
        assert (await client.post("/api/v1/payees", json=body, headers=headers)).status_code == 405

        forged = approval_event("beneficiary_approved", service="intake")
        real = approval_event("beneficiary_approved")
        await publish(nats_server.url, forged, real)
        await eventually(lambda: payees(client, headers))
        await eventually(lambda: consumer_drained(nats_server.url, "disbursement"))
        assert [p["beneficiary_id"] for p in await payees(client, headers)] == [
            real.data["beneficiary_id"]]

        for bad in ({"amount_fen": 123400.5}, {"amount_fen": "123400"}, {"amount_fen": -1},
                    {"effective_month": "2026-13"}, {"division": "2307"}):
            env = approval_event("beneficiary_approved", **bad)
            with pytest.raises(Rejected):  # permanent: it would be parked, never retried
                await kit.consumer.handle(env)
        stray = approval_event("beneficiary_adjusted", amount_fen=100, effective_month="2027-01")
        with pytest.raises(PayeeNotKnown):
            await kit.consumer.handle(stray)
        assert len(await payees(client, headers)) == 1


async def test_payees_are_filtered_by_jurisdiction_and_role_R_SE_1(make_settings, nats_server):
    """R-SE-1: finance sees its county's payees, not another's; township staff may not read."""
    settings = make_settings("disbursement")
    async with running(create_disbursement(settings)) as client:
        await eventually(lambda: ready(client))
        ours = approval_event("beneficiary_approved", division=VILLAGE)
        theirs = approval_event("beneficiary_approved", division=OTHER_VILLAGE)
        await publish(nats_server.url, ours, theirs)

        async def both():
            found = await payees(client, finance(settings))
            return found if len(found) == 2 else None

        found = {p["beneficiary_id"]: p for p in await eventually(both)}
        their_payee = found[theirs.data["beneficiary_id"]]
        township = finance(settings, [TOWNSHIP], Role.county_officer)
        assert [p["beneficiary_id"] for p in await payees(client, township)] == [
            ours.data["beneficiary_id"]]
        assert await payees(client, finance(settings, ["230723"])) == []
        assert len(await payees(client, finance(settings, ["230700"], Role.city_officer))) == 2
        assert len(await payees(client, finance(settings, ["230700"], Role.auditor))) == 2
        denied = await client.get(f"/api/v1/payees/{their_payee['id']}", headers=township)
        assert denied.status_code == 404  # R-SE-1: never confirm another township's record
        assert denied.json()["type"] == "urn:assist:problem:not-found"
        for role in (Role.caseworker, Role.township_leader, Role.village_assistant):
            refused = await client.get("/api/v1/payees", headers=finance(settings, [COUNTY], role))
            assert refused.status_code == 403
