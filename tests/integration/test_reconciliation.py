"""Three-way reconciliation through the API (R-DI-7): the system's payments, finance's
allocation details and the bank's payment details compared person by person, every kind of
difference listed; signed off in order by different people."""

from __future__ import annotations

from services.disbursement.app import create_app as create_disbursement
from shared.auth import Role
from tests import payments as pay
from tests.support import bearer, eventually, outbox_types, ready, running

COUNTY = "230722"
TOWNSHIP = "230722100"
MONTH = "2026-12"


def staff(settings, role, user_id, divisions=(COUNTY,)):
    return bearer(settings, role, divisions, user_id=user_id)


async def start(client, headers, finance: bytes, bank: bytes, division=TOWNSHIP):
    return await client.post("/api/v1/reconciliations", headers=headers, data={
        "division": division, "month": MONTH}, files={
        "finance": ("finance.csv", finance, "text/csv"),
        "bank": ("bank.xlsx", bank, "application/octet-stream")})


async def test_reconciliation_lists_every_kind_of_difference_R_DI_7(make_settings):
    """R-DI-7: missing, extra, amount differs, account differs and paid twice, for finance's
    file and for the bank's, each against the system's payments of the month; a match is no
    difference; a held payment or another township's is not compared."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        ids: dict[str, str] = {}
        for n, name in enumerate("ABCDEF", start=1):
            account = await pay.add_account(kit, holder=f"h{n}", number=pay.account_number(n))
            ids[name] = await pay.add_payment(kit, account_id=account, holder=f"h{n}",
                                              amount_fen=n * 10000,
                                              status=pay.PaymentStatus.sent)
        await pay.add_payment(kit, account_id=None, holder="h9", amount_fen=1,
                              status=pay.PaymentStatus.held)
        await pay.add_payment(kit, account_id=None, holder="h8", amount_fen=1,
                              division="230722101201")

        def line(name, yuan=None, number=None, *rest):
            n = "ABCDEF".index(name) + 1
            return [ids[name], pay.account_number(number or n), yuan or f"{n * 100}.00", *rest]

        finance = pay.detail_file("finance_allocation", TOWNSHIP, MONTH, [
            line("A"), line("B"), line("C", "301.00"), line("D", None, 44), line("E"),
            line("E"), ["extrafinance", pay.account_number(70), "1.00"]])
        day = "2026-12-05"
        bank = pay.detail_file("bank_statement", TOWNSHIP, MONTH, [
            line("A", None, None, day), line("C", "299.00", None, day),
            line("D", None, 45, day), line("E", None, None, day), line("E", None, None, day),
            line("F", None, None, day), ["extrabank", pay.account_number(80), "2.00", day]],
            fmt="xlsx")
        handler = staff(settings, Role.finance_officer, "finance-1")
        response = await start(client, handler, finance, bank)
        assert response.status_code == 201, response.text
        detail = response.json()
        assert (detail["system_rows"], detail["system_fen"]) == (6, 210000)
        assert (detail["finance_rows"], detail["bank_rows"]) == (7, 7)
        assert detail["status"] == "compared" and detail["waiting_for"] == "handler"
        assert detail["counts"] == {
            "finance": {"missing": 1, "extra": 1, "amount_differs": 1, "account_differs": 1,
                        "paid_twice": 1},
            "bank": {"missing": 1, "extra": 1, "amount_differs": 1, "account_differs": 1,
                     "paid_twice": 1}}
        assert detail["differences"] == 10

        listed = (await client.get(f"/api/v1/reconciliations/{detail['id']}/differences",
                                   headers=handler, params={"limit": 4})).json()
        assert len(listed) == 4
        found = {}
        cursor = None
        while True:
            params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
            page = await client.get(f"/api/v1/reconciliations/{detail['id']}/differences",
                                    headers=handler, params=params)
            for d in page.json():
                found[(d["side"], d["kind"])] = d
            cursor = page.headers.get("X-Next-Cursor")
            if not cursor:
                break
        assert len(found) == 10
        assert found[("finance", "missing")]["reference"] == ids["F"]
        assert found[("bank", "missing")]["reference"] == ids["B"]
        assert found[("bank", "amount_differs")]["reference"] == ids["C"]
        assert (found[("bank", "amount_differs")]["system_fen"],
                found[("bank", "amount_differs")]["file_fen"]) == (30000, 29900)
        assert found[("finance", "account_differs")]["reference"] == ids["D"]
        assert found[("bank", "paid_twice")]["lines"] == 2
        assert found[("bank", "paid_twice")]["file_fen"] == 100000
        assert found[("bank", "extra")]["reference"] == "extrabank"
        assert found[("finance", "extra")]["payment_id"] is None
        assert found[("bank", "account_differs")]["account_masked"].endswith("0001")
        assert pay.account_number(4) not in page.text  # masked
        only = (await client.get(f"/api/v1/reconciliations/{detail['id']}/differences",
                                 headers=handler, params={"side": "bank",
                                                          "kind": "missing"})).json()
        assert [d["reference"] for d in only] == [ids["B"]]
        assert "assist.disbursement.reconciliation_compared" in await outbox_types(kit)


async def test_a_payment_held_after_failing_twice_is_compared_as_sent_R_DI_7_R_DI_6(
        make_settings):
    """R-DI-7 with R-DI-6: a payment the bank failed twice, now held for manual handling, was
    approved and sent: it is compared as a failed one was; one held before any file is not."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        first = await pay.add_account(kit, holder="h1", number=pay.account_number(1))
        twice = await pay.add_payment(kit, account_id=first, holder="h1", amount_fen=10000,
                                      status=pay.PaymentStatus.held, attempts=2)
        second = await pay.add_account(kit, holder="h2", number=pay.account_number(2))
        await pay.add_payment(kit, account_id=second, holder="h2", amount_fen=20000,
                              status=pay.PaymentStatus.held)
        finance = pay.detail_file("finance_allocation", TOWNSHIP, MONTH, [
            [twice, pay.account_number(1), "100.00"]])
        bank = pay.detail_file("bank_statement", TOWNSHIP, MONTH, [
            [twice, pay.account_number(1), "100.00", "2026-12-05"]])
        response = await start(client, staff(settings, Role.finance_officer, "finance-1"),
                               finance, bank)
        assert response.status_code == 201, response.text
        detail = response.json()
        assert (detail["system_rows"], detail["system_fen"], detail["differences"]) == (
            1, 10000, 0)


async def test_reconciliation_files_refused_whole_R_DI_7(make_settings):
    """R-DI-7: a malformed file, or one of another township or month, is refused whole with
    its lines; no reconciliation is kept."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        handler = staff(settings, Role.finance_officer, "finance-1")
        good = pay.detail_file("finance_allocation", TOWNSHIP, MONTH, [
            ["p1", pay.account_number(1), "1.00"]])
        bad_bank = pay.detail_file("bank_statement", TOWNSHIP, MONTH, [
            ["p1", pay.account_number(1), "1.00", "5.12.2026"]])
        response = await start(client, handler, good, bad_bank)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["file"] == "bank" and body["faults"][0]["line"] == 3
        elsewhere = pay.detail_file("finance_allocation", "230722101", MONTH, [
            ["p1", pay.account_number(1), "1.00"]])
        ok_bank = pay.detail_file("bank_statement", TOWNSHIP, MONTH, [
            ["p1", pay.account_number(1), "1.00", "2026-12-05"]])
        response = await start(client, handler, elsewhere, ok_bank)
        assert response.status_code == 422 and response.json()["file"] == "finance"
        assert response.json()["faults"][0]["line"] == 1
        county_wide = await start(client, handler, good, ok_bank, division=COUNTY)
        assert county_wide.status_code == 422
        listed = (await client.get("/api/v1/reconciliations", headers=handler)).json()
        assert listed == []


async def test_signoffs_in_order_by_different_people_R_DI_7(make_settings):
    """R-DI-7: the handler, then the township leader, then the county officer sign it off,
    each an event; out of order is refused (409), so is a second signature of one person
    (403 four-eyes)."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        handler = staff(settings, Role.caseworker, "cw-1", (TOWNSHIP,))
        finance = pay.detail_file("finance_allocation", TOWNSHIP, MONTH, [])
        bank = pay.detail_file("bank_statement", TOWNSHIP, MONTH, [])
        made = await start(client, handler, finance, bank)
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        url = f"/api/v1/reconciliations/{rid}/signoffs"

        early = await client.post(url, headers=staff(settings, Role.county_officer, "co-1"),
                                  json={})
        assert early.status_code == 409
        assert early.json()["type"] == "urn:assist:problem:signoff-out-of-order"
        first = await client.post(url, headers=handler, json={"note": "核对无误"})
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "handler_signed"
        same_person = await client.post(url, headers=staff(
            settings, Role.township_leader, "cw-1", (TOWNSHIP,)), json={})
        assert same_person.status_code == 403
        assert same_person.json()["type"] == "urn:assist:problem:four-eyes"
        leader = await client.post(url, headers=staff(
            settings, Role.township_leader, "tl-1", (TOWNSHIP,)), json={})
        assert leader.status_code == 201 and leader.json()["waiting_for"] == "county"
        county = await client.post(url, headers=staff(settings, Role.county_officer, "co-1"),
                                   json={})
        assert county.status_code == 201
        done = county.json()
        assert done["status"] == "county_signed" and done["waiting_for"] is None
        assert [(s["step"], s["signed_by"]) for s in done["signoffs"]] == [
            ("handler", "cw-1"), ("township", "tl-1"), ("county", "co-1")]
        again = await client.post(url, headers=staff(settings, Role.county_officer, "co-2"),
                                  json={})
        assert again.status_code == 409
        other = await client.get(f"/api/v1/reconciliations/{rid}", headers=staff(
            settings, Role.township_leader, "tl-9", ("230722101",)))
        assert other.status_code == 404
        types = await outbox_types(kit)
        assert types.count("assist.disbursement.reconciliation_signed") == 3
