"""One card, the temporary-aid reserve and the reports of disbursement, through its
REST API and its consumer (R-DI-4, R-DI-8, R-DI-9, R-SE-2); proxies: test_proxies.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from services.disbursement.payments.service import ACCOUNT_CLOSED, NO_ACCOUNT
from shared.auth import Role
from shared.context import new_id
from tests.disbursement_cases import (
    ACCOUNT,
    COUNTY,
    HEAD_ID,
    MONTH,
    NEW_ACCOUNT,
    OTHER_TOWNSHIP,
    SON_ID,
    SPOUSE_ID,
    TOWNSHIP,
    Disbursement,
    decision,
    member,
    payee_holder,
    running_disbursement,
)
from tests.events import accepted
from tests.support import bearer


@pytest.fixture
async def disbursement(make_settings) -> AsyncIterator[Disbursement]:
    async for d in running_disbursement(make_settings):
        yield d


async def test_r_di_4_a_household_is_paid_to_the_heads_card_a_personal_benefit_to_the_persons(
        disbursement):
    """R-DI-4: the household's payee is held by the head (一户一卡), a personal benefit's by the
    person named; both by the digest of their ID number, never the number."""
    d = disbursement
    household, ids = await d.household()
    head_member, head_digest = await payee_holder(d, household)
    assert head_member == ids["head"] and head_digest is not None and len(head_digest) == 64
    # a personal benefit naming the spouse: paid to the spouse's own card
    application_id = new_id()
    spouse = new_id()
    await d.handle(accepted(application_id=application_id, members=[
        member(new_id(), SON_ID, "head", "王磊"), member(spouse, SPOUSE_ID, "spouse", "李秀英")]))
    made = decision("beneficiary_approved", application_id, program="tekun", unit="person",
                    member_ids=[spouse])
    await d.handle(made)
    spouse_payee = await d.payee_of(made.data["beneficiary_id"])
    spouse_member, spouse_digest = await payee_holder(d, spouse_payee)
    assert spouse_member == spouse and spouse_digest not in (None, head_digest)
    # members arriving after the decision: the holder is named then, set-based
    late_application = new_id()
    late = decision("beneficiary_approved", late_application)
    await d.handle(late)
    late_payee = await d.payee_of(late.data["beneficiary_id"])
    assert await payee_holder(d, late_payee) == (None, None)
    late_head = new_id()
    await d.handle(accepted(application_id=late_application, members=[
        member(late_head, HEAD_ID, "head", "王建国")]))
    assert await payee_holder(d, late_payee) == (late_head, head_digest)


async def test_r_di_4_a_missing_or_closed_account_holds_temporary_aid_and_registering_releases_it(
        disbursement):
    """R-DI-4: temporary aid without an account is held with the reason; registering the head's
    card releases it; closing it holds it again with that reason; a replacement releases it onto
    the new card. Every answer masks the number (R-SE-2); the events carry it sealed."""
    d = disbursement
    payee, _ = await d.household(program="temp_emergency", event="temporary_aid_granted",
                                 amount_fen=80_000)
    [payment] = await d.payments(payee)
    assert (payment["status"], payment["hold_reason"]) == ("held", NO_ACCOUNT)

    r = await d.register()
    assert r.status_code == 201, r.text
    account = r.json()
    assert account["account_masked"] != ACCOUNT and ACCOUNT not in r.text
    assert account["account_masked"].endswith(ACCOUNT[-4:])
    [payment] = await d.payments(payee)
    assert (payment["status"], payment["account_masked"]) == ("ready", account["account_masked"])
    twice = await d.register(account=NEW_ACCOUNT)
    assert twice.status_code == 409 and twice.json()["rule"] == "R-DI-4"

    closed = await d.client.post(f"/api/v1/bank-accounts/{account['id']}/closure",
                                 headers=d.finance, json={"reason": "银行通知：账户已销户"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    [payment] = await d.payments(payee)
    assert (payment["status"], payment["hold_reason"]) == ("held", ACCOUNT_CLOSED)
    again = await d.client.post(f"/api/v1/bank-accounts/{account['id']}/closure",
                                headers=d.finance, json={"reason": "x"})
    assert again.status_code == 409

    r = await d.register(account=NEW_ACCOUNT)
    assert r.status_code == 201, r.text
    replacement = await d.client.post(
        f"/api/v1/bank-accounts/{r.json()['id']}/replacement", headers=d.county,
        json={"bank_name": "中国建设银行嘉荫支行", "account_number": "6217000011112222333",
              "reason": "社保卡换发"})
    assert replacement.status_code == 201, replacement.text
    [payment] = await d.payments(payee)
    assert (payment["status"], payment["account_masked"]) == (
        "ready", replacement.json()["account_masked"])

    for payload in await d.outbox("bank_account_registered") + await d.outbox(
            "bank_account_closed"):
        data = json.loads(payload)["data"]
        assert data["account_number"].startswith("sealed:v1:")
        assert ACCOUNT not in payload and NEW_ACCOUNT not in payload
    listed = await d.client.get("/api/v1/bank-accounts", headers=d.finance)
    assert listed.status_code == 200 and len(listed.json()) == 3
    assert ACCOUNT not in listed.text and NEW_ACCOUNT not in listed.text


async def test_r_se_2_the_full_account_number_only_to_finance_and_every_read_logged(disbursement):
    """R-SE-2: the full number in finance's read alone, with its purpose, recorded as an event in
    the same transaction; every other role 403; GETs mask it."""
    d = disbursement
    account = (await d.register()).json()
    url = f"/api/v1/bank-accounts/{account['id']}"
    got = await d.client.get(url, headers=d.county)
    assert got.status_code == 200 and ACCOUNT not in got.text
    found = await d.client.post("/api/v1/bank-accounts/search", headers=d.county,
                                json={"id_number": HEAD_ID})
    assert found.status_code == 200, found.text
    assert [a["id"] for a in found.json()] == [account["id"]]
    assert HEAD_ID not in found.text and ACCOUNT not in found.text
    nobody = await d.client.post("/api/v1/bank-accounts/search", headers=d.county,
                                 json={"id_number": SON_ID})
    assert nobody.json() == []
    refused = await d.client.post(f"{url}/full", headers=d.county,
                                  json={"purpose": "核对发放失败记录"})
    assert refused.status_code == 403
    assert await d.outbox("bank_account_read_in_full") == []
    full = await d.client.post(f"{url}/full", headers=d.finance,
                               json={"purpose": "核对2026年12月发放失败记录"})
    assert full.status_code == 200, full.text
    assert full.json()["account_number"] == ACCOUNT
    [read] = await d.outbox("bank_account_read_in_full")
    envelope = json.loads(read)
    assert envelope["data"]["purpose"] == "核对2026年12月发放失败记录"
    assert envelope["actor"]["user_id"] == "finance_officer-home" and ACCOUNT not in read


async def test_r_di_9_temporary_aid_drawn_on_the_reserve_and_refused_beyond_its_balance(
        disbursement):
    """R-DI-9: the county sets up 朝阳镇's reserve; a draw beyond the balance is refused naming
    the balance, nothing changed; topped up, the ready temporary-aid payment is paid from it
    (paid, source reserve), once; the ledger lists every movement with the balance after it."""
    d = disbursement
    payee, _ = await d.household(program="temp_emergency", event="temporary_aid_granted",
                                 amount_fen=80_000)
    assert (await d.register()).status_code == 201
    [payment] = await d.payments(payee)
    assert payment["status"] == "ready"
    set_up = await d.client.post("/api/v1/reserves", headers=d.county, json={
        "township": TOWNSHIP, "amount_fen": 50_000, "note": "设立"})
    assert set_up.status_code == 201, set_up.text
    reserve_url = set_up.headers["location"].removeprefix("http://test")
    again = await d.client.post("/api/v1/reserves", headers=d.county, json={
        "township": TOWNSHIP, "amount_fen": 1})
    assert again.status_code == 409

    draws = f"{reserve_url}/draws"
    short = await d.client.post(draws, headers=d.caseworker, json={"payment_id": payment["id"]})
    assert short.status_code == 409, short.text
    problem = short.json()
    assert (problem["rule"], problem["balance_fen"], problem["amount_fen"]) == (
        "R-DI-9", 50_000, 80_000)
    assert "50000 fen" in problem["detail"] and "500.00" in problem["detail"]
    [payment] = await d.payments(payee)
    assert payment["status"] == "ready"
    assert (await d.client.get(reserve_url, headers=d.caseworker)).json()["balance_fen"] == 50_000

    top_up = await d.client.post(f"{reserve_url}/top-ups", headers=d.county,
                                 json={"amount_fen": 40_000})
    assert top_up.status_code == 201 and top_up.json()["balance_after_fen"] == 90_000
    assert (await d.client.post(f"{reserve_url}/top-ups", headers=d.caseworker,
                                json={"amount_fen": 1})).status_code == 403
    paid = await d.client.post(draws, headers=d.caseworker, json={"payment_id": payment["id"]})
    assert paid.status_code == 201, paid.text
    assert (paid.json()["amount_fen"], paid.json()["balance_after_fen"]) == (-80_000, 10_000)
    [payment] = await d.payments(payee)
    assert (payment["status"], payment["source"]) == ("paid", "reserve")
    twice = await d.client.post(draws, headers=d.caseworker, json={"payment_id": payment["id"]})
    assert twice.status_code == 409
    ledger = (await d.client.get(f"{reserve_url}/movements", headers=d.county)).json()
    assert [(m["kind"], m["amount_fen"], m["balance_after_fen"]) for m in ledger] == [
        ("set_up", 50_000, 50_000), ("top_up", 40_000, 90_000), ("draw", -80_000, 10_000)]
    assert sum(m["amount_fen"] for m in ledger) == (
        await d.client.get(reserve_url, headers=d.county)).json()["balance_fen"]
    [drawn] = await d.outbox("reserve_drawn")
    assert json.loads(drawn)["data"]["payment_id"] == payment["id"]


async def test_r_di_8_work_funds_over_two_percent_of_the_assistance_paid_are_flagged(
        disbursement):
    """R-DI-8: with 80,000 fen of assistance paid in 2026, 1,600 fen of work funds is within 2%;
    one fen more is flagged, by how much; the monthly summary counts the paid payment."""
    d = disbursement
    payee, _ = await d.household(program="temp_emergency", event="temporary_aid_granted",
                                 amount_fen=80_000)
    await d.register()
    [payment] = await d.payments(payee)
    reserve = await d.client.post("/api/v1/reserves", headers=d.county, json={
        "township": TOWNSHIP, "amount_fen": 100_000})
    url = reserve.headers["location"].removeprefix("http://test")
    assert (await d.client.post(f"{url}/draws", headers=d.caseworker,
                                json={"payment_id": payment["id"]})).status_code == 201
    spend = await d.client.post("/api/v1/work-funds", headers=d.finance, json={
        "county": COUNTY, "amount_fen": 1_600, "spent_on": "2026-11-20", "purpose": "培训"})
    assert spend.status_code == 201, spend.text
    report = await d.client.get("/api/v1/reports/work-funds", headers=d.county,
                                params={"year": 2026})
    assert report.status_code == 200, report.text
    assert report.json() == {
        "county": COUNTY, "year": 2026, "assistance_paid_fen": 80_000, "work_funds_fen": 1_600,
        "limit_fen": 1_600, "share_basis_points": 200, "over_limit": False, "excess_fen": 0}
    await d.client.post("/api/v1/work-funds", headers=d.finance, json={
        "county": COUNTY, "amount_fen": 1, "spent_on": "2026-12-01", "purpose": "设备"})
    report = (await d.client.get("/api/v1/reports/work-funds", headers=d.county,
                                 params={"year": 2026})).json()
    assert (report["over_limit"], report["excess_fen"], report["work_funds_fen"]) == (True, 1,
                                                                                       1_601)
    summary = await d.client.get("/api/v1/reports/monthly", headers=d.county,
                                 params={"month": MONTH})
    assert summary.status_code == 200, summary.text
    rows = {(r["division"], r["program"]): r for r in summary.json()["rows"]}
    county = rows[(COUNTY, None)]
    assert (county["payments"], county["paid"], county["amount_fen"]) == (
        1, {"count": 1, "amount_fen": 80_000}, 80_000)
    assert rows[(TOWNSHIP, "temp_emergency")]["payees"] == 1
    other = bearer(d.settings, Role.township_leader, [OTHER_TOWNSHIP])
    hidden = (await d.client.get("/api/v1/reports/monthly", headers=other,
                                 params={"month": MONTH})).json()
    assert hidden["rows"] == [{**rows[(COUNTY, None)], "payees": 0, "payments": 0,
                               "amount_fen": 0, "paid": {"count": 0, "amount_fen": 0}}]


async def test_r_di_9_two_draws_at_once_never_overdraw_the_reserve(disbursement):
    """R-DI-9: two payments of 60,000 fen drawn at the same moment on a reserve of 100,000: one
    is paid, the other refused naming the balance left; the balance is the movements' sum."""
    d = disbursement
    first, _ = await d.household(program="temp_emergency", event="temporary_aid_granted",
                                 amount_fen=60_000)
    second, _ = await d.household(program="temp_emergency", event="temporary_aid_granted",
                                  amount_fen=60_000)
    await d.register()
    payments = [(await d.payments(p))[0]["id"] for p in (first, second)]
    reserve = await d.client.post("/api/v1/reserves", headers=d.county, json={
        "township": TOWNSHIP, "amount_fen": 100_000})
    url = reserve.headers["location"].removeprefix("http://test")
    answers = await asyncio.gather(*(
        d.client.post(f"{url}/draws", headers=d.caseworker, json={"payment_id": p})
        for p in payments))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert (refused["balance_fen"], refused["rule"]) == (40_000, "R-DI-9")
    ledger = (await d.client.get(f"{url}/movements", headers=d.county)).json()
    assert sum(m["amount_fen"] for m in ledger) == 40_000 == (
        await d.client.get(url, headers=d.county)).json()["balance_fen"]


async def test_r_di_4_two_registrations_at_once_give_one_active_account(disbursement):
    """R-DI-4: one active card account per person, whatever arrives at once; one reserve per
    township likewise (R-DI-9)."""
    d = disbursement
    answers = await asyncio.gather(d.register(), d.register(account=NEW_ACCOUNT))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    body = {"township": TOWNSHIP, "amount_fen": 1_000}
    reserves = await asyncio.gather(*(d.client.post("/api/v1/reserves", headers=d.county,
                                                    json=body) for _ in range(2)))
    assert sorted(r.status_code for r in reserves) == [201, 409]
