"""Dead letters: an event that keeps failing is parked, not retried forever; the others flow; an
operator redrives it through the same inbox path, and every redrive is logged (R-AU-1)."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from services.disbursement.app import create_app as create_disbursement
from services.verification.app import create_app as create_verification
from shared.auth import Role
from shared.context import new_id
from shared.contracts.approval import BeneficiaryAdjusted, BeneficiaryApproved
from shared.events import Envelope
from tests.bus import consumer_drained, publish
from tests.events import accepted, envelope_of
from tests.support import bearer, eventually, outbox_types, ready, running

COUNTY = "230722"
VILLAGE = "230722100201"
FAST_RETRIES = {"consumer_max_deliveries": 3, "consumer_retry_base_s": 0.05,
                "consumer_retry_max_s": 0.2}


def approved(beneficiary_id: str | None = None, amount_fen: int = 123400) -> Envelope:
    beneficiary_id = beneficiary_id or new_id()
    return envelope_of(BeneficiaryApproved(
        beneficiary_id=beneficiary_id, application_id=new_id(), program="dibao",
        division=VILLAGE, head_name_masked="张*", amount_fen=amount_fen,
        effective_month="2026-12"), subject=beneficiary_id, division=VILLAGE)


def adjusted(beneficiary_id: str, amount_fen: int = 150000) -> Envelope:
    return envelope_of(BeneficiaryAdjusted(beneficiary_id=beneficiary_id, amount_fen=amount_fen,
                                           effective_month="2027-03"),
                       subject=beneficiary_id, division=VILLAGE)


def operator(settings, role=Role.county_officer, divisions=(COUNTY,)):
    return bearer(settings, role, divisions, user_id="ops-1")


async def dead_letters(client, headers, **params) -> list[dict]:
    r = await client.get("/api/v1/dead-letters", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def payee_changes(kit, beneficiary_id: str) -> list[tuple[str, int | None]]:
    from services.disbursement.beneficiaries.models import Payee, PayeeChange

    async with kit.sessions() as session:
        rows = await session.execute(
            select(PayeeChange.kind, PayeeChange.amount_fen).join(Payee)
            .where(Payee.beneficiary_id == beneficiary_id).order_by(PayeeChange.recorded_at))
        return [(str(kind), amount) for kind, amount in rows]


async def test_an_event_not_yet_applicable_is_parked_after_its_deliveries_and_redriven_once(
        make_settings, nats_server):
    """An adjustment whose approval never came is retried, then parked; the events behind it
    flow; after the fix (the approval arrives) a redrive applies it once, a second redrive
    changes nothing, and each redrive is an event for the operation log."""
    settings = make_settings("disbursement", **FAST_RETRIES)
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        orphan_id = new_id()
        orphan = adjusted(orphan_id)
        others = [approved() for _ in range(5)]
        await publish(nats_server.url, orphan, *others)

        parked = await eventually(lambda: dead_letters(client, operator(settings)))
        [letter] = parked
        assert (letter["event_id"], letter["event_type"], letter["failure"]) == (
            orphan.id, "assist.approval.beneficiary_adjusted", "not_yet")
        assert letter["deliveries"] == 3 and letter["status"] == "parked"
        assert "PayeeNotKnown" in letter["error"]
        for other in others:  # the events behind it were applied, once each
            assert await payee_changes(kit, other.data["beneficiary_id"]) == [("approved", 123400)]
        await eventually(lambda: consumer_drained(nats_server.url, "disbursement"))

        async def counted() -> dict | None:  # /readyz's figures may be up to a second old
            body = (await client.get("/readyz")).json()
            return body if body["dead_letters"]["count"] == 1 else None

        body = await eventually(counted)
        assert body["status"] == "ready"  # a parked event does not take the service out
        assert body["dead_letters"]["oldest"]

        # the fix: the approval arrives; the parked adjustment is not retried by itself
        await publish(nats_server.url, approved(orphan_id))
        await eventually(lambda: payee_changes(kit, orphan_id))
        assert await payee_changes(kit, orphan_id) == [("approved", 123400)]

        r = await client.post(f"/api/v1/dead-letters/{letter['id']}/redrive",
                              headers=operator(settings))
        assert r.status_code == 200, r.text
        assert r.json()["outcome"] == "applied"
        assert await payee_changes(kit, orphan_id) == [("approved", 123400), ("adjusted", 150000)]
        again = await client.post(f"/api/v1/dead-letters/{letter['id']}/redrive",
                                  headers=operator(settings))
        assert again.json()["outcome"] == "already_handled"
        assert await payee_changes(kit, orphan_id) == [("approved", 123400), ("adjusted", 150000)]
        assert await kit.consumer.handle(orphan) is False  # the inbox holds it

        assert await dead_letters(client, operator(settings)) == []
        [done] = await dead_letters(client, operator(settings), status="redriven")
        assert (done["redrives"], done["redriven_by"], done["outcome"]) == (
            2, "ops-1", "already_handled")
        redrives = [t for t in await outbox_types(kit) if t.endswith("dead_letter_redriven")]
        assert len(redrives) == 2  # each redrive reaches the operation log


async def test_a_contract_breaking_event_is_parked_at_once_and_a_redrive_keeps_it_parked(
        make_settings, nats_server):
    """A permanent failure is not retried; /readyz counts it; redriving the same bytes fails
    again and says why; only county-wide operators see and redrive dead letters."""
    settings = make_settings("verification", **FAST_RETRIES)
    app = create_verification(settings)
    broken = accepted().model_copy(update={"data": {"application_id": "app-x"}})
    async with running(app) as client:
        await eventually(lambda: ready(client))
        await publish(nats_server.url, broken, accepted())

        [letter] = await eventually(lambda: dead_letters(client, operator(settings)))
        assert (letter["failure"], letter["deliveries"]) == ("permanent", 1)
        assert "breaks its contract" in letter["error"] and "division" in letter["error"]
        detail = (await client.get(f"/api/v1/dead-letters/{letter['id']}",
                                   headers=operator(settings))).json()
        assert json.loads(detail["payload"])["id"] == broken.id

        r = await client.post(f"/api/v1/dead-letters/{letter['id']}/redrive",
                              headers=operator(settings))
        assert r.json()["outcome"] == "failed" and "breaks its contract" in r.json()["error"]
        [still] = await dead_letters(client, operator(settings))
        assert (still["status"], still["redrives"]) == ("parked", 1)
        kit = app.state.kit

        async def handled() -> int:
            async with kit.sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(kit.inbox)))

        assert await eventually(handled) == 1  # only the good one took effect
        await asyncio.sleep(0.2)
        assert await handled() == 1

        by_type = await client.post("/api/v1/dead-letters/redrive", headers=operator(settings),
                                    json={"event_type": "assist.intake.application_accepted"})
        assert [x["outcome"] for x in by_type.json()] == ["failed"]
        none = await client.post("/api/v1/dead-letters/redrive", headers=operator(settings),
                                 json={"event_type": "assist.intake.nothing"})
        assert none.status_code == 404

        for headers in (bearer(settings, Role.caseworker, ["230722100"]),
                        operator(settings, divisions=("230722100",))):
            assert (await client.get("/api/v1/dead-letters", headers=headers)).status_code == 403
        auditor = bearer(settings, Role.auditor, ["230700"])
        assert (await client.get("/api/v1/dead-letters", headers=auditor)).status_code == 200
        refused = await client.post(f"/api/v1/dead-letters/{letter['id']}/redrive",
                                    headers=auditor)
        assert refused.status_code == 403


async def test_a_batch_with_one_failing_event_applies_the_others_exactly_once(
        make_settings, nats_server):
    """The batch is rolled back and applied one by one: four investigations, one parked."""
    settings = make_settings("verification", consumer_batch_size=10, **FAST_RETRIES)
    good = [accepted() for _ in range(4)]
    bad = accepted().model_copy(update={"data": {"application_id": "x"}})
    async with running(create_verification(settings)) as client:  # the stream and consumer
        await eventually(lambda: ready(client))
    # while the service is down the events queue up, so they come in one fetch
    await publish(nats_server.url, good[0], good[1], bad, good[2], good[3])
    app = create_verification(settings)
    async with running(app) as client:
        kit = app.state.kit
        await eventually(lambda: consumer_drained(nats_server.url, "verification"))
        from services.verification.investigations.models import Investigation

        async with kit.sessions() as session:
            opened = list(await session.scalars(select(Investigation.application_id)))
            handled = await session.scalar(select(func.count()).select_from(kit.inbox))
        assert sorted(opened) == sorted(e.data["application_id"] for e in good)
        assert handled == 4
        assert [d["event_id"] for d in await dead_letters(client, operator(settings))] == [bad.id]
        for event in good:
            assert await kit.consumer.handle(event) is False


async def test_bytes_that_are_no_event_are_parked_not_dropped(make_settings, nats_server):
    settings = make_settings("verification", **FAST_RETRIES)
    app = create_verification(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        await app.state.kit.bus.publish("assist.230722.intake.application_accepted",
                                        b"{not json", "garbage-1")
        [letter] = await eventually(lambda: dead_letters(client, operator(settings)))
        assert letter["event_type"] == "(unreadable)" and letter["failure"] == "permanent"
        assert letter["nats_subject"] == "assist.230722.intake.application_accepted"
