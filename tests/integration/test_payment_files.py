"""Payment files out and bank results in, through the API (R-DI-6): checked whole, applied
set-based, paid again once after a correction, never a third time, never two paid."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from sqlalchemy import select

from services.disbursement.app import create_app as create_disbursement
from services.disbursement.bank_files import formats
from shared.auth import Role
from tests import payments as pay
from tests.support import bearer, eventually, outbox_types, ready, running

COUNTY = "230722"
OTHER_COUNTY = "230781"


def finance(settings, divisions=(COUNTY,), user_id="finance-1"):
    return bearer(settings, Role.finance_officer, divisions, user_id=user_id)


async def make_file(client, headers, **body) -> dict:
    response = await client.post("/api/v1/payment-files", headers=headers, json={
        "county": COUNTY, "kind": "monthly", "month": "2026-12", "format": "csv", **body})
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["X-Checksum-SHA256"] == made["sha256"]
    return made


async def content(client, headers, file_id: str) -> bytes:
    response = await client.get(f"/api/v1/payment-files/{file_id}/content", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Checksum-SHA256"] == hashlib.sha256(response.content).hexdigest()
    return response.content


async def outbox_events(kit) -> list[dict[str, Any]]:
    """The events in the service's outbox as JSON, in commit order."""
    async with kit.sessions() as session:
        payloads = (await session.scalars(select(kit.outbox.c.payload)
                                          .order_by(kit.outbox.c.id))).all()
    return [json.loads(p) for p in payloads]


async def send_result(client, headers, raw: bytes, name: str = "result.csv"):
    return await client.post("/api/v1/bank-results", headers=headers,
                             files={"file": (name, raw, "application/octet-stream")})


async def test_payment_file_csv_and_xlsx_read_back_with_count_total_and_checksum_R_DI_6(
        make_settings):
    """R-DI-6: a payment file holds the county's ready payments once each (full account, yuan
    exact to the fen, the payment id as reference, count/total line, SHA-256); they move to
    sent; the file downloads again byte for byte; a second file finds nothing ready."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        headers = finance(settings)
        a1 = await pay.add_account(kit, holder="h1", number=pay.account_number(1))
        a2 = await pay.add_account(kit, holder="h2", number=pay.account_number(2))
        p1 = await pay.add_payment(kit, account_id=a1, holder="h1", amount_fen=123456)
        p2 = await pay.add_payment(kit, account_id=a2, holder="h2", amount_fen=1)
        held = await pay.add_payment(kit, account_id=None, holder="h3", amount_fen=500,
                                     status=pay.PaymentStatus.held)
        other_month = await pay.add_payment(kit, account_id=a1, holder="h1", amount_fen=700,
                                            month="2027-01")
        aid = await pay.add_payment(kit, account_id=a2, holder="h2", amount_fen=80000,
                                    kind="once", program="temporary_aid")

        made = await make_file(client, headers)
        assert (made["rows"], made["total_fen"], made["total_yuan"]) == (2, 123457, "1234.57")
        raw = await content(client, headers, made["id"])
        assert hashlib.sha256(raw).hexdigest() == made["sha256"] and len(raw) == made["size"]
        rows = list(formats.table_rows(io.BytesIO(raw), "csv"))
        assert rows[0][1][:5] == ["payment_file", made["id"], COUNTY, "2026-12", "monthly"]
        assert rows[1][1] == list(formats.PAYMENT_COLUMNS)
        lines = {r[1]: r for _, r in rows[2:-1]}
        assert set(lines) == {p1, p2}
        assert lines[p1][2:4] == [pay.account_number(1), "1234.56"]
        assert lines[p2][2:4] == [pay.account_number(2), "0.01"]
        assert rows[-1][1] == ["total", "2", "1234.57"]
        assert await content(client, headers, made["id"]) == raw  # the same bytes again

        assert await pay.statuses(kit, [p1, p2, held, other_month, aid]) == {
            p1: "sent", p2: "sent", held: "held", other_month: "ready", aid: "ready"}
        sent = await pay.payment(kit, p1)
        assert (sent.attempts, sent.file_id) == (1, made["id"])
        again = await client.post("/api/v1/payment-files", headers=headers, json={
            "county": COUNTY, "kind": "monthly", "month": "2026-12"})
        assert again.status_code == 409, again.text
        assert again.json()["type"] == "urn:assist:problem:nothing-to-pay"

        xlsx = await make_file(client, headers, kind="once", format="xlsx")
        assert (xlsx["rows"], xlsx["total_fen"], xlsx["format"]) == (1, 80000, "xlsx")
        raw = await content(client, headers, xlsx["id"])
        assert raw[:4] == b"PK\x03\x04" and await content(client, headers, xlsx["id"]) == raw
        rows = list(formats.table_rows(io.BytesIO(raw), "xlsx"))
        assert rows[2][1][1:4] == [aid, pay.account_number(2), "800.00"]
        assert rows[-1][1] == ["total", "1", "800.00"]
        assert "assist.disbursement.payment_file_made" in await outbox_types(kit)

        stranger = await client.get(f"/api/v1/payment-files/{made['id']}/content",
                                    headers=finance(settings, (OTHER_COUNTY,)))
        assert stranger.status_code == 404


async def test_bank_result_with_failed_lines_applied_once_R_DI_6(make_settings):
    """R-DI-6: the bank's result marks paid and failed (with the reason) in one go; the same
    file again changes nothing."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        headers = finance(settings)
        ids = []
        for n in range(3):
            account = await pay.add_account(kit, holder=f"h{n}", number=pay.account_number(n))
            ids.append(await pay.add_payment(kit, account_id=account, holder=f"h{n}",
                                             amount_fen=10000 + n))
        made = await make_file(client, headers)
        raw = pay.result_file(made["id"], [
            [ids[0], pay.account_number(0), "100.00", "paid", ""],
            [ids[1], pay.account_number(1), "100.01", "failed", "销户 account closed"],
        ], fmt="xlsx")
        response = await send_result(client, headers, raw, "result.xlsx")
        assert response.status_code == 201, response.text
        result = response.json()
        assert (result["rows"], result["paid"], result["failed"], result["held"]) == (2, 1, 1, 0)
        assert await pay.statuses(kit, ids) == {ids[0]: "paid", ids[1]: "failed",
                                                ids[2]: "sent"}
        failed = await pay.payment(kit, ids[1])
        assert failed.failure_reason == "销户 account closed"
        assert (await pay.payment(kit, ids[0])).paid_at is not None

        replay = await send_result(client, headers, raw, "result.xlsx")
        assert replay.status_code == 200 and replay.json()["id"] == result["id"]
        record = (await client.get(f"/api/v1/payment-files/{made['id']}",
                                   headers=headers)).json()
        assert record["answered"] == 2
        listed = (await client.get("/api/v1/bank-results", headers=headers,
                                   params={"file_id": made["id"]})).json()
        assert [r["id"] for r in listed] == [result["id"]]
        assert "assist.disbursement.bank_result_applied" in await outbox_types(kit)


async def test_malformed_or_foreign_result_refused_whole_nothing_changed_R_DI_6(make_settings):
    """R-DI-6: a result file with any fault is refused whole, every line at fault listed; no
    payment changes."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        headers = finance(settings)
        ids = []
        for n in range(2):
            account = await pay.add_account(kit, holder=f"h{n}", number=pay.account_number(n))
            ids.append(await pay.add_payment(kit, account_id=account, holder=f"h{n}",
                                             amount_fen=5000))
        made = await make_file(client, headers)
        good = [ids[0], pay.account_number(0), "50.00", "paid", ""]
        cases = {
            "mixed faults": pay.result_file(made["id"], [
                [ids[0], pay.account_number(0), "50.01", "paid", ""],  # amount not sent
                ["unknownpayment", pay.account_number(1), "50.00", "paid", ""],
                [ids[1], pay.account_number(7), "50.00", "failed", "x"],  # another account
            ]),
            "duplicate": pay.result_file(made["id"], [good, good]),
            "unknown file": pay.result_file("nosuchfile", [good]),
            "not a result": pay.detail_file("bank_statement", COUNTY, "2026-12", [
                [ids[0], pay.account_number(0), "50.00", "2026-12-05"]]),
        }
        refused = {}
        for name, raw in cases.items():
            response = await send_result(client, headers, raw)
            assert response.status_code == 422, (name, response.text)
            body = response.json()
            assert body["type"] == "urn:assist:problem:file-refused"
            refused[name] = [(f["line"], f["reason"]) for f in body["faults"]]
        assert [line for line, _ in refused["mixed faults"]] == [3, 4, 5]
        assert "50.01" in refused["mixed faults"][0][1]
        assert "not in payment file" in refused["mixed faults"][1][1]
        assert "account" in refused["mixed faults"][2][1]
        assert refused["duplicate"][0][0] == 4 and "twice" in refused["duplicate"][0][1]
        assert refused["unknown file"][0][0] == 1
        assert refused["not a result"][0][0] == 1

        wrong_total = pay.result_file(made["id"], [good]).replace(b"total,1,50.00",
                                                                  b"total,2,50.00")
        response = await send_result(client, headers, wrong_total)
        assert response.status_code == 422
        assert response.json()["faults"][0]["line"] == 4
        bad_amount = pay.result_file(made["id"], [good]).replace(b",50.00,", b",50.001,")
        response = await send_result(client, headers, bad_amount)
        assert response.status_code == 422 and response.json()["faults"][0]["line"] == 3
        foreign = await send_result(client, finance(settings, (OTHER_COUNTY,)),
                                    pay.result_file(made["id"], [good]))
        assert foreign.status_code == 422 and foreign.json()["faults"][0]["line"] == 1

        assert await pay.statuses(kit, ids) == {ids[0]: "sent", ids[1]: "sent"}
        listed = (await client.get("/api/v1/bank-results", headers=headers)).json()
        assert listed == []


async def test_failed_payment_paid_again_once_then_held_never_a_third_time_R_DI_6(make_settings):
    """R-DI-6: a failed payment, its holder's account corrected in the register (a new active
    card: ``refresh_holds``), goes into the next file once more; failing again it is held
    (status ``held``, in the held list, ``payments_held`` says so) for manual handling with the
    bank's reason, a further correction does not make it ready, and no file takes it a third
    time; a payment answered is never answered again (never two paid)."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        headers = finance(settings)
        first = await pay.add_account(kit, holder="h1", number=pay.account_number(1))
        payment_id = await pay.add_payment(kit, account_id=first, holder="h1", amount_fen=9900)
        one = await make_file(client, headers)
        failed = await send_result(client, headers, pay.result_file(one["id"], [
            [payment_id, pay.account_number(1), "99.00", "failed", "销户 closed"]]))
        assert failed.status_code == 201, failed.text
        assert (failed.json()["failed"], failed.json()["held"]) == (1, 0)
        paid_twice = await send_result(client, headers, pay.result_file(one["id"], [
            [payment_id, pay.account_number(1), "99.00", "paid", ""]]))
        assert paid_twice.status_code == 422
        assert "answered before" in paid_twice.json()["faults"][0]["reason"]
        nothing = await client.post("/api/v1/payment-files", headers=headers, json={
            "county": COUNTY, "kind": "monthly", "month": "2026-12"})
        assert nothing.status_code == 409  # failed, not corrected: not sent again

        # the account is corrected in the register: the old card closed, a new one active
        await pay.close_account(kit, first)
        second = await pay.add_account(kit, holder="h1", number=pay.account_number(2))
        assert await pay.refresh(kit, "h1") == 1
        again_ready = await pay.payment(kit, payment_id)
        assert (again_ready.status, again_ready.account_id) == ("ready", second)
        two = await make_file(client, headers)
        assert two["rows"] == 1
        raw = await content(client, headers, two["id"])
        assert pay.account_number(2).encode() in raw
        assert (await pay.payment(kit, payment_id)).attempts == 2
        again = await send_result(client, headers, pay.result_file(two["id"], [
            [payment_id, pay.account_number(2), "99.00", "failed", "户名不符 name mismatch"]]))
        assert again.status_code == 201 and again.json()["held"] == 1
        assert again.json()["failed"] == 0
        held = await pay.payment(kit, payment_id)
        assert held.status == "held" and held.attempts == 2
        assert "manual handling" in (held.hold_reason or "")
        assert "户名不符" in (held.hold_reason or "")
        assert held.failure_reason == "户名不符 name mismatch"
        listed = await client.get("/api/v1/payments", headers=headers,
                                  params={"status": "held"})
        assert listed.status_code == 200, listed.text
        assert [(p["id"], p["hold_reason"]) for p in listed.json()] == [
            (payment_id, held.hold_reason)]
        [told] = [e for e in await outbox_events(kit)
                  if e["type"] == "assist.disbursement.payments_held"]
        assert told["data"]["result_id"] == again.json()["id"]
        assert [(p["payment_id"], p["attempts"], p["hold_reason"])
                for p in told["data"]["payments"]] == [(payment_id, 2, held.hold_reason)]

        # corrected once more: still held for manual handling, never a third bank attempt
        await pay.close_account(kit, second)
        await pay.add_account(kit, holder="h1", number=pay.account_number(3))
        assert await pay.refresh(kit, "h1") == 0
        still = await pay.payment(kit, payment_id)
        assert (still.status, still.hold_reason, still.account_id) == (
            "held", held.hold_reason, second)
        third = await client.post("/api/v1/payment-files", headers=headers, json={
            "county": COUNTY, "kind": "monthly", "month": "2026-12"})
        assert third.status_code == 409, third.text
        assert (await pay.payment(kit, payment_id)).attempts == 2
