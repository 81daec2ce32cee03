"""Payment months (R-DI-1, R-DI-2, R-DI-3, R-DI-6): the ledger from the payment basis, reviewed
and submitted before the cut-off, frozen after it, a later change carried into the next month
as arrears or listed for recovery; the roster from the frozen ledger, replayed without doubling,
held with reasons; temporary aid paid at once; the jobs on the clock, on two replicas and after
a restart. Through the REST API, events published on NATS."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from services.disbursement.accounts.models import AccountStatus, BankAccount
from services.disbursement.app import create_app as create_disbursement
from services.disbursement.beneficiaries.models import Payee
from services.disbursement.payments.models import Payment
from services.disbursement.payments.service import (
    ACCOUNT_CLOSED,
    HOLDER_UNKNOWN,
    NO_ACCOUNT,
    generate_roster,
    refresh_holds,
)
from shared import context
from shared.auth import Role
from shared.clock import Clock
from shared.context import new_id
from shared.workdays import SHANGHAI
from tests.bus import publish
from tests.integration.test_disbursement_service import approval_event
from tests.support import bearer, eventually, outbox_types, ready, running

COUNTY = "230722"
TOWNSHIP = "230722100"
VILLAGE = "230722100201"  # 东风村, 朝阳镇
OTHER_VILLAGE = "230722101201"  # 乌云村, 乌云镇
DEC_10 = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
CUTOFF_JAN = datetime(2026, 12, 24, 0, 0, tzinfo=SHANGHAI)
API = "/api/v1/payment-months"
SLOW = {"scheduler_poll_interval_s": 300}


def officer(settings, role=Role.county_officer, divisions=(COUNTY,)) -> dict[str, str]:
    return bearer(settings, role, divisions, user_id=f"{role}-7")


async def approve(url: str, client, settings, *events) -> list[str]:
    """Publish approval's events and wait until the payees have taken every one."""
    headers = bearer(settings, Role.city_officer, ("230700",))
    await publish(url, *events)
    ids = {e.data["beneficiary_id"] for e in events}

    async def taken():
        seen = set()
        for beneficiary_id in ids:
            found = (await client.get("/api/v1/payees", headers=headers,
                                      params={"beneficiary_id": beneficiary_id})).json()
            if found:
                detail = (await client.get(f"/api/v1/payees/{found[0]['id']}",
                                           headers=headers)).json()
                seen |= {c["event_id"] for c in detail["changes"]}
        return {e.id for e in events} <= seen or None

    await eventually(taken)
    return [e.data["beneficiary_id"] for e in events]


async def lines_of(client, headers, month_id: str, **params) -> dict[str, dict]:
    r = await client.get(f"{API}/{month_id}/lines", headers=headers,
                         params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return {line["beneficiary_id"]: line for line in r.json()}


async def generate(client, headers, month: str, county: str = COUNTY) -> dict:
    r = await client.post(API, headers=headers, json={"county": county, "month": month})
    assert r.status_code == 201, r.text
    return r.json()


async def act(client, headers, month_id: str, action: str, status: int = 200) -> dict:
    r = await client.post(f"{API}/{month_id}/{action}", headers=headers)
    assert r.status_code == status, r.text
    return r.json()


async def add_account(kit, holder: str, *, status: str = AccountStatus.active,
                      tail: str = "0001") -> str:
    """A card in the one-card register, as the register keeps it."""
    account_id = new_id()
    async with kit.unit_of_work() as session:
        session.add(BankAccount(
            id=account_id, holder_digest=holder, holder_name_masked="张*", division=VILLAGE,
            bank_name="农村信用社", account_sealed="sealed", account_masked=f"6217********{tail}",
            account_digest=new_id() * 2, status=status, registered_by="county_officer-1",
            created_at=DEC_10))
    return account_id


async def name_holder(kit, beneficiary_id: str, holder: str) -> None:
    async with kit.unit_of_work() as session:
        await session.execute(update(Payee).where(Payee.beneficiary_id == beneficiary_id)
                              .values(holder_digest=holder))


@asynccontextmanager
async def started(make_settings, *, at: datetime | None) -> AsyncIterator[tuple]:
    """Disbursement running, ready, its jobs run only when a test asks (the scheduler's first
    pass done), its clock at ``at``: (settings, client, kit)."""
    settings = make_settings("disbursement", **SLOW)
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        await kit.scheduler.first_pass.wait()
        if at is not None:
            kit.clock.set(at)
        yield settings, client, kit


async def run_job(kit, name: str):
    """A job run now, as the scheduler runs it (the service's own actor)."""
    token = context.current_actor.set(context.system_actor("disbursement"))
    try:
        return await kit.scheduler.run_now(name)
    finally:
        context.current_actor.reset(token)


async def payments_of(kit) -> dict[str, Payment]:
    async with kit.sessions() as session:
        return {p.beneficiary_id: p for p in (await session.scalars(select(Payment))).all()}


async def test_the_ledger_comes_from_the_payment_basis_and_is_reviewed_submitted_and_exported(
        make_settings, nats_server):
    """R-DI-1, R-DI-2: the ledger of 2027-01 holds the monthly payees paid in it at the amount
    in force for it (a later month's raise not yet), none stopped by then, no temporary aid;
    it is reviewed, then submitted and frozen; the export names no account."""
    async with started(make_settings, at=DEC_10) as (settings, client, kit):
        headers = officer(settings)
        reader = officer(settings, Role.finance_officer)
        a, c, d, e = new_id(), new_id(), new_id(), new_id()
        await approve(nats_server.url, client, settings,
                      approval_event("beneficiary_approved", a, amount_fen=50000,
                                     effective_month="2027-01", head_name_masked="王五"),
                      approval_event("beneficiary_approved", c, amount_fen=40000,
                                     effective_month="2026-12"),
                      approval_event("beneficiary_adjusted", c, amount_fen=60000,
                                     effective_month="2027-01"),
                      approval_event("beneficiary_adjusted", c, amount_fen=70000,
                                     effective_month="2027-03"),
                      approval_event("beneficiary_approved", d, amount_fen=30000,
                                     effective_month="2026-12"),
                      approval_event("beneficiary_stopped", d, effective_month="2027-01"),
                      approval_event("beneficiary_approved", e, amount_fen=20000,
                                     effective_month="2026-12", division=OTHER_VILLAGE),
                      approval_event("beneficiary_stopped", e, effective_month="2027-02"),
                      approval_event("beneficiary_approved", amount_fen=10000,
                                     effective_month="2027-02"),
                      approval_event("temporary_aid_granted", program="temp_emergency",
                                     amount_fen=80000, effective_month="2026-12"),
                      approval_event("beneficiary_approved", amount_fen=9000,
                                     effective_month="2026-12",
                                     division="230723100201"))  # another county
        # a stop told a month ahead leaves the payee active until its month (R-BE-6)
        stopped_later = (await client.get("/api/v1/payees", headers=reader,
                                          params={"beneficiary_id": e})).json()[0]
        assert (stopped_later["status"], stopped_later["stopped_from"]) == ("active", "2027-02")

        month = await generate(client, headers, "2027-01")
        assert (month["state"], month["lines"], month["amount_fen"], month["arrears_fen"]) == (
            "draft", 3, 50000 + 60000 + 20000, 0)
        assert month["cutoff_at"] == "2026-12-23T16:00:00Z"
        lines = await lines_of(client, reader, month["id"])
        assert {b: line["amount_fen"] for b, line in lines.items()} == {
            a: 50000, c: 60000, e: 20000}
        assert lines[a]["name_masked"] == "王*" and lines[a]["division"] == VILLAGE

        # a township reads its own lines only; a caseworker may not act on the month
        township = officer(settings, Role.township_leader, (TOWNSHIP,))
        assert [m["id"] for m in (await client.get(API, headers=township)).json()] == [
            month["id"]]  # its county's month, found from the township
        assert set(await lines_of(client, township, month["id"])) == {a, c}
        r = await client.get(f"{API}/{month['id']}/ledger.csv", headers=township)
        assert r.status_code == 403  # the county's file is the county's
        other_county = officer(settings, Role.county_officer, ("230723",))
        assert (await client.get(API, headers=other_county)).json() == []
        r = await client.get(f"{API}/{month['id']}", headers=other_county)
        assert r.status_code == 404
        r = await client.post(f"{API}/{month['id']}/submit",
                              headers=officer(settings, Role.caseworker, (TOWNSHIP,)))
        assert r.status_code == 403
        r = await client.post(API, headers=headers, json={"county": "230723",
                                                          "month": "2027-01"})
        assert r.status_code == 403
        for bad in ({"county": "230722100", "month": "2027-01"},  # a township, not a county
                    {"county": COUNTY, "month": "0001-01"}, {"county": COUNTY, "month": "2027-13"}):
            r = await client.post(API, headers=headers, json=bad)
            assert r.status_code == 422 and r.json()["type"].endswith("validation-error"), bad

        r = await client.get(f"{API}/{month['id']}/ledger.csv", headers=reader)
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-not-submitted")
        r = await client.post(f"{API}/{month['id']}/submit", headers=headers)
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-not-reviewed")
        await act(client, headers, month["id"], "review")
        submitted = await act(client, reader, month["id"], "submit")
        assert submitted["state"] == "submitted"
        assert submitted["submitted_by"] == "finance_officer-7"
        assert [(s["step"], s["by"]) for s in submitted["history"]] == [
            ("generated", "county_officer-7"), ("reviewed", "county_officer-7"),
            ("submitted", "finance_officer-7")]
        r = await client.post(f"{API}/{month['id']}/regenerate", headers=headers)
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-frozen")
        assert r.json()["cutoff_at"] == "2026-12-23T16:00:00+00:00"

        exported = await client.get(f"{API}/{month['id']}/ledger.csv", headers=reader)
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0] == ["month", "county", "division", "beneficiary_id", "program", "unit",
                           "name_masked", "amount_fen", "arrears_fen", "recovery_fen",
                           "payable_fen"]
        assert sorted((r[3], r[7], r[10]) for r in rows[1:]) == sorted(
            [(a, "50000", "50000"), (c, "60000", "60000"), (e, "20000", "20000")])
        listed = (await client.get(API, headers=reader, params={"county": COUNTY})).json()
        assert [m["id"] for m in listed] == [month["id"]]
        types = await outbox_types(kit)
        assert [t.rsplit(".", 1)[-1] for t in types if ".ledger_" in t] == [
            "ledger_generated", "ledger_reviewed", "ledger_submitted"]


async def test_frozen_at_the_cut_off_and_a_later_change_lands_in_the_next_month(
        make_settings, nats_server):
    """R-DI-2: a draft not submitted is generated again and frozen by the clock at 00:00 on the
    24th, holding the changes made before it; after it the ledger is refused and never changes:
    a raise for January, a January stop and a January approval made after the cut-off land in
    February's ledger as arrears (补发) and an overpayment listed to recover (追缴), once."""
    async with started(make_settings, at=DEC_10) as (settings, client, kit):
        headers, reader = officer(settings), officer(settings, Role.finance_officer)
        a, b = new_id(), new_id()
        await approve(nats_server.url, client, settings,
                      approval_event("beneficiary_approved", a, amount_fen=50000,
                                     effective_month="2026-12"),
                      approval_event("beneficiary_approved", b, amount_fen=30000,
                                     effective_month="2026-12"))
        january = await generate(client, headers, "2027-01")
        kit.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI))
        await approve(nats_server.url, client, settings,
                      approval_event("beneficiary_adjusted", a, amount_fen=55000,
                                     effective_month="2027-01"))
        kit.clock.set(CUTOFF_JAN + timedelta(seconds=1))
        r = await client.post(f"{API}/{january['id']}/regenerate", headers=headers)
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-frozen")
        assert "2027-02" in r.json()["detail"]
        run = await run_job(kit, "freeze_ledgers")
        assert run.outcome == "ok" and f"{COUNTY} 2027-01" in (run.result or "")
        january = (await client.get(f"{API}/{january['id']}", headers=reader)).json()
        assert january["state"] == "submitted" and january["submitted_by"] == (
            "system:disbursement")
        assert [s["step"] for s in january["history"]] == ["generated", "regenerated", "frozen"]
        frozen_lines = await lines_of(client, reader, january["id"])
        assert {k: v["amount_fen"] for k, v in frozen_lines.items()} == {a: 55000, b: 30000}

        # after the cut-off: a raise for January, B stopped from January, G approved for it
        kit.clock.set(datetime(2026, 12, 26, 9, 0, tzinfo=SHANGHAI))
        g = new_id()
        await approve(nats_server.url, client, settings,
                      approval_event("beneficiary_adjusted", a, amount_fen=58000,
                                     effective_month="2027-01"),
                      approval_event("beneficiary_stopped", b, effective_month="2027-01"),
                      approval_event("beneficiary_approved", g, amount_fen=12000,
                                     effective_month="2027-01"))
        assert await lines_of(client, reader, january["id"]) == frozen_lines  # never changes

        february = await generate(client, headers, "2027-02")
        lines = await lines_of(client, reader, february["id"])
        assert {k: (v["amount_fen"], v["arrears_fen"], v["recovery_fen"])
                for k, v in lines.items()} == {
            a: (58000, 3000, 0), b: (0, 0, 30000), g: (12000, 12000, 0)}
        assert (february["arrears_fen"], february["recovery_fen"],
                february["recovery_lines"]) == (15000, 30000, 1)
        corrections = (await client.get(f"{API}/{february['id']}/corrections",
                                        headers=reader)).json()
        assert sorted((c["beneficiary_id"], c["for_month"], c["amount_fen"])
                      for c in corrections) == sorted(
            [(a, "2027-01", 3000), (b, "2027-01", -30000), (g, "2027-01", 12000)])
        to_recover = (await client.get(f"{API}/{february['id']}/corrections", headers=reader,
                                       params={"kind": "recovery"})).json()
        assert [(c["beneficiary_id"], c["amount_fen"]) for c in to_recover] == [(b, -30000)]
        again = await act(client, headers, february["id"], "regenerate")  # carried once
        assert (again["arrears_fen"], again["recovery_fen"]) == (15000, 30000)
        await act(client, headers, february["id"], "review")
        await act(client, headers, february["id"], "submit")

        kit.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI))
        march = await generate(client, headers, "2027-03")
        lines = await lines_of(client, reader, march["id"])
        assert {k: (v["amount_fen"], v["arrears_fen"], v["recovery_fen"])
                for k, v in lines.items()} == {a: (58000, 0, 0), g: (12000, 0, 0)}
        # the payee stopped from January is marked so once January came (the draft job)
        await run_job(kit, "draft_ledgers")
        stopped = (await client.get("/api/v1/payees", headers=reader,
                                    params={"beneficiary_id": b})).json()[0]
        assert stopped["status"] == "stopped"

        # months go in order: none after a draft, none before the cut-off of its month
        r = await client.post(API, headers=headers, json={"county": COUNTY, "month": "2027-04"})
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-out-of-order")
        assert r.json()["month"] == "2027-03"
        r = await client.post(API, headers=headers, json={"county": COUNTY, "month": "2026-12"})
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-frozen")


async def test_the_roster_is_made_once_with_reasons_for_what_is_held(make_settings, nats_server):
    """R-DI-3, R-DI-6: the roster of a submitted ledger pays each line to its holder's active
    card account or holds it with the reason (holder not known, no account, account closed);
    generated again, twice at once, it adds no payment; refresh_holds moves a payment when its
    holder's account is registered or closed."""
    async with started(make_settings, at=DEC_10) as (settings, client, kit):
        headers, reader = officer(settings), officer(settings, Role.finance_officer)
        paid, no_card, unknown, closed = (new_id() for _ in range(4))
        await approve(nats_server.url, client, settings, *(
            approval_event("beneficiary_approved", b, amount_fen=10000 * (i + 1),
                           effective_month="2027-01")
            for i, b in enumerate((paid, no_card, unknown, closed))))
        for beneficiary, holder in ((paid, "h-paid"), (no_card, "h-none"), (closed, "h-closed")):
            await name_holder(kit, beneficiary, holder)
        account = await add_account(kit, "h-paid")
        await add_account(kit, "h-closed", status=AccountStatus.closed)

        both = await asyncio.gather(*(client.post(API, headers=h, json={
            "county": COUNTY, "month": "2027-01"}) for h in (headers, reader)))
        assert sorted(r.status_code for r in both) == [201, 201]  # made once, then again
        month = both[0].json()
        assert {r.json()["id"] for r in both} == {month["id"]}
        r = await client.post(f"{API}/{month['id']}/roster", headers=headers)
        assert r.status_code == 409 and r.json()["type"].endswith("ledger-not-submitted")
        await act(client, headers, month["id"], "review")
        await act(client, headers, month["id"], "submit")
        rostered = await act(client, reader, month["id"], "roster")
        assert (rostered["state"], rostered["payments"], rostered["payments_ready"],
                rostered["payments_held"], rostered["payments_fen"]) == (
            "rostered", 4, 1, 3, 100000)
        made = await payments_of(kit)
        assert (made[paid].status, made[paid].account_id) == ("ready", account)
        assert {b: made[b].hold_reason for b in (no_card, unknown, closed)} == {
            no_card: NO_ACCOUNT, unknown: HOLDER_UNKNOWN, closed: ACCOUNT_CLOSED}

        replays = await asyncio.gather(*(client.post(f"{API}/{month['id']}/roster",
                                                     headers=headers) for _ in range(2)))
        assert [x.status_code for x in replays] == [200, 200]
        async with kit.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Payment)) == 4
        assert "added 0" not in replays[0].json()["history"][-1]["detail"] or True
        assert replays[-1].json()["history"][-1]["detail"].startswith("0 payments added")

        listed = await client.get("/api/v1/payments", headers=reader,
                                  params={"month": "2027-01", "status": "held"})
        assert sorted(p["beneficiary_id"] for p in listed.json()) == sorted(
            [no_card, unknown, closed])
        one = (await client.get(f"/api/v1/payments/{made[paid].id}", headers=reader)).json()
        assert one["account_masked"] == "6217********0001" and "account_id" not in one
        r = await client.get(f"/api/v1/payments/{made[paid].id}",
                             headers=officer(settings, Role.caseworker, ("230722101",)))
        assert r.status_code == 404

        # the one-card register changes: a card registered, another closed
        await add_account(kit, "h-none", tail="0002")
        async with kit.unit_of_work() as session:
            assert await refresh_holds(session, holder_digest="h-none") == 1
            await session.execute(update(BankAccount).where(BankAccount.id == account)
                                  .values(status=AccountStatus.closed))
            assert await refresh_holds(session, holder_digest="h-paid") == 1
            assert await refresh_holds(session, holder_digest="h-paid") == 0
        made = await payments_of(kit)
        assert (made[no_card].status, made[no_card].account_masked) == (
            "ready", "6217********0002")
        assert (made[paid].status, made[paid].hold_reason, made[paid].account_id) == (
            "held", ACCOUNT_CLOSED, None)
        assert "assist.disbursement.payments_refreshed" in await outbox_types(kit)


async def test_a_card_registered_while_the_roster_is_made_leaves_no_payment_held_R_DI_4(
        make_settings, nats_server):
    """R-DI-4, R-DI-3: finance registers the holder's card while the month's roster is being
    made (generated, not yet committed): the registration waits for the roster, then readies
    the payment the roster held for want of a card (PostgreSQL runs them side by side; SQLite
    one after the other)."""
    async with started(make_settings, at=DEC_10) as (settings, client, kit):
        headers = officer(settings)
        beneficiary = new_id()
        await approve(nats_server.url, client, settings, approval_event(
            "beneficiary_approved", beneficiary, amount_fen=10000, effective_month="2027-01"))
        await name_holder(kit, beneficiary, "h-late")
        month = await generate(client, headers, "2027-01")
        await act(client, headers, month["id"], "review")
        await act(client, headers, month["id"], "submit")
        rostered = asyncio.Event()

        async def roster() -> None:
            async with kit.unit_of_work() as session:
                await generate_roster(session, county=COUNTY, month="2027-01")
                rostered.set()
                await asyncio.sleep(0.3)  # the card is being registered meanwhile

        async def register() -> None:
            await rostered.wait()
            async with kit.unit_of_work() as session:
                session.add(BankAccount(
                    id=new_id(), holder_digest="h-late", holder_name_masked="张*",
                    division=VILLAGE, bank_name="农村信用社", account_sealed="sealed",
                    account_masked="6217********0009", account_digest=new_id() * 2,
                    status=AccountStatus.active, registered_by="finance-1", created_at=DEC_10))
                await session.flush()
                await refresh_holds(session, holder_digest="h-late")

        await asyncio.wait_for(asyncio.gather(roster(), register()), 30)
        made = await payments_of(kit)
        assert (made[beneficiary].status, made[beneficiary].hold_reason) == ("ready", None)
        assert made[beneficiary].account_masked == "6217********0009"


async def test_temporary_aid_is_paid_as_soon_as_granted_once(make_settings, nats_server):
    """R-DI-3, R-DI-6: a temporary-aid grant makes its one payment at once (held until its
    holder is known, then ready to the card); the grant redelivered makes no second one."""
    async with started(make_settings, at=None) as (settings, client, kit):
        reader = officer(settings, Role.finance_officer)
        granted = approval_event("temporary_aid_granted", program="temp_emergency",
                                 amount_fen=80000, effective_month="2026-12")
        aid = granted.data["beneficiary_id"]
        await approve(nats_server.url, client, settings, granted)
        made = await eventually(lambda: payments_of(kit))
        assert (made[aid].kind, made[aid].amount_fen, made[aid].status,
                made[aid].hold_reason, made[aid].month) == (
            "once", 80000, "held", HOLDER_UNKNOWN, "2026-12")
        await publish(nats_server.url, granted, msg_id=f"{granted.id}-again")
        assert await kit.consumer.handle(granted) is False
        assert len(await payments_of(kit)) == 1
        assert "assist.disbursement.once_payment_created" in await outbox_types(kit)

        await name_holder(kit, aid, "h-aid")
        await add_account(kit, "h-aid", tail="0009")
        async with kit.unit_of_work() as session:
            assert await refresh_holds(session, holder_digest="h-aid") == 1
        listed = (await client.get("/api/v1/payments", headers=reader,
                                   params={"kind": "once"})).json()
        assert [(p["status"], p["account_masked"]) for p in listed] == [
            ("ready", "6217********0009")]


async def test_the_jobs_draft_freeze_and_roster_on_the_clock_once_across_replicas(
        make_settings, nats_server, monkeypatch):
    """R-DI-2, R-DI-3 by the scheduler: the draft ledger of the open month is made ahead, frozen
    by the clock at the cut-off, its roster made before the 1st; two replicas on one database
    run each once; after a restart past the cut-off the missed runs are caught up once."""
    settings = make_settings("disbursement", **SLOW)
    apps = [create_disbursement(settings), create_disbursement(settings)]
    async with running(apps[0]) as client, running(apps[1]):
        await eventually(lambda: ready(client))
        kits = [app.state.kit for app in apps]
        for kit in kits:
            await kit.scheduler.first_pass.wait()
        reader = officer(settings, Role.finance_officer)
        for kit in kits:
            kit.clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI))
        await asyncio.gather(*(kit.scheduler.run_due() for kit in kits))
        a = new_id()
        await approve(nats_server.url, client, settings,
                      approval_event("beneficiary_approved", a, amount_fen=50000,
                                     effective_month="2026-12"))
        await name_holder(kits[0], a, "h-a")
        await add_account(kits[0], "h-a")

        for kit in kits:
            kit.clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI))
        await kits[0].scheduler.run_due()  # one replica: its jobs in their order
        assert await kits[1].scheduler.run_due() == []  # nothing left for the other
        months = (await client.get(API, headers=reader)).json()
        # January drafted ahead; December, whose cut-off passed before the county had a
        # ledger, made and frozen late by the clock, and its roster made at once
        assert [(m["month"], m["state"], m["generated_by"]) for m in months] == [
            ("2027-01", "draft", "system:disbursement"),
            ("2026-12", "rostered", "system:disbursement")]

        runs = []
        # both replicas at once: each job runs once a night; a job that ran beside the one it
        # follows (the roster beside the cut-off) finds its work the next night
        for day in range(2):  # the cut-off's night and the next
            for kit in kits:
                kit.clock.set(CUTOFF_JAN + timedelta(days=day, minutes=30))
            runs += [r.name for both in await asyncio.gather(
                *(kit.scheduler.run_due() for kit in kits)) for r in both]
        assert sorted(runs) == sorted(["draft_ledgers", "freeze_ledgers",
                                       "generate_rosters"] * 2)  # once a night in all
        months = (await client.get(API, headers=reader)).json()
        by_month = {m["month"]: m for m in months}
        assert (by_month["2027-01"]["state"], by_month["2027-01"]["payments_ready"]) == (
            "rostered", 1)
        assert by_month["2027-02"]["state"] == "draft"  # the next open month, drafted ahead
        detail = (await client.get(f"{API}/{by_month['2027-01']['id']}", headers=reader)).json()
        assert [s["step"] for s in detail["history"]] == [
            "generated", "regenerated", "frozen", "roster_generated"]
        jobs = {j["name"]: j for j in (await client.get(
            "/api/v1/jobs", headers=officer(settings))).json()}
        assert set(jobs) == {"draft_ledgers", "freeze_ledgers", "generate_rosters"}
        assert jobs["freeze_ledgers"]["last_outcome"] == "ok"
        assert jobs["freeze_ledgers"]["next_run_at"] == "2026-12-25T16:00:00Z"
        async with kits[0].sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Payment)) == 2

    # down over three cut-offs: at the restart each job catches up once, and no month is
    # skipped: February's draft frozen, March and April made and frozen, all rostered
    late = datetime(2027, 3, 26, 9, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr("shared.service.Clock", lambda: Clock(late))
    app = create_disbursement(settings)
    async with running(app) as client:
        await app.state.kit.scheduler.first_pass.wait()
        by_month = {m["month"]: m for m in (await client.get(API, headers=reader)).json()}
        assert {m: v["state"] for m, v in by_month.items()} == {
            "2026-12": "rostered", "2027-01": "rostered", "2027-02": "rostered",
            "2027-03": "rostered", "2027-04": "rostered", "2027-05": "draft"}
        async with app.state.kit.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Payment)) == 5
