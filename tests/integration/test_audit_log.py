"""The operation log: every event appended once to a hash chain the database guards (R-AU)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.audit.app import create_app as create_audit
from services.audit.log import chain, service
from services.audit.log.models import AuditEntry
from services.verification.app import create_app as create_verification
from shared import context
from shared.auth import Role, decode_token
from shared.events import Envelope, EventActor
from shared.outbox import emit
from shared.problems import PROBLEM_JSON
from tests.events import TestRecorded
from tests.support import bearer, eventually, running, running_all

API = "/api/v1/audit"
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
VILLAGE_A, VILLAGE_B = "230722100001", "230722200001"


def event(n: int, *, record_id: str = "rec-1", division: str | None = VILLAGE_A,
          user: str = "cw-1", minutes: int = 0) -> Envelope:
    """An intake event as another service would publish it."""
    return Envelope(
        id=f"{n:032x}", type="assist.intake.something_happened",
        source="/assist/230722/intake", subject=record_id, time=T0 + timedelta(minutes=minutes),
        correlationid=f"corr-{n}", requestid=f"req-{n}", sourceaddress="10.1.2.3",
        division=division, actor=EventActor(user_id=user, role="caseworker"), data={"n": n},
    )


async def log_events(app, *events: Envelope) -> None:
    """Publish events to JetStream, in order, and wait until the audit consumer has logged them
    (the log is checked against the stream: an entry that never travelled is a stranger)."""
    kit = app.state.kit
    await kit.bus.wait_ready(10)
    for e in events:
        _, service, name = e.type.split(".")
        await kit.bus.publish(f"assist.{kit.settings.county}.{service}.{name}", e.to_json(), e.id)
    wanted = {e.id for e in events}

    async def logged():
        async with kit.sessions() as session:
            ids = set(await session.scalars(select(AuditEntry.event_id)))
        return wanted <= ids

    await eventually(logged, timeout=20)


async def raw_sql(app, statement: str) -> None:
    async with app.state.kit.engine.begin() as conn:
        await conn.execute(text(statement))


async def drop_guard(app, trigger: str) -> None:
    """Remove one append-only trigger, as someone with the table owner's rights could."""
    on_table = " ON audit_entry" if app.state.kit.settings.is_postgres else ""
    await raw_sql(app, f"DROP TRIGGER {trigger}{on_table}")


def officer(settings, divisions=("230722",), role=Role.county_officer):
    return bearer(settings, role, divisions)


async def test_an_event_from_a_service_outbox_is_logged_with_actor_and_ids_R_AU_1(make_settings):
    """R-AU-1: outbox → JetStream → audit log: who, what, when, which record, ids, source."""
    audit_settings = make_settings("audit")
    verification = create_verification(make_settings("verification"))
    audit = create_audit(audit_settings)
    async with running_all([verification, audit]) as (_, client):
        tokens = [context.current_actor.set(context.Actor("cw-7", "caseworker", ("230722100",))),
                  context.request_id.set("req-42"), context.correlation_id.set("corr-42"),
                  context.source_address.set("10.9.8.7")]
        try:
            async with verification.state.kit.unit_of_work() as session:
                sent = await emit(session, TestRecorded(note="入户调查"), subject="rec-1",
                                  division=VILLAGE_A)
        finally:
            for var, token in zip((context.current_actor, context.request_id,
                                   context.correlation_id, context.source_address), tokens,
                                  strict=True):
                var.reset(token)
        headers = officer(audit_settings)

        async def logged():
            r = await client.get(f"{API}/records/rec-1", headers=headers)
            return r.json() if r.status_code == 200 else None

        [entry] = await eventually(logged)
        assert entry["event_id"] == sent.id
        assert entry["type"] == "assist.verification.test_recorded"
        assert (entry["service"], entry["record_id"], entry["division"]) == (
            "verification", "rec-1", VILLAGE_A)
        assert entry["actor"] == {"user_id": "cw-7", "role": "caseworker",
                                  "divisions": ["230722100"]}
        assert (entry["request_id"], entry["correlation_id"], entry["source_address"]) == (
            "req-42", "corr-42", "10.9.8.7")
        assert entry["data"] == {"n": 0, "note": "入户调查"}
        assert (entry["seq"], entry["prev_hash"]) == (1, chain.GENESIS_HASH)
        by_user = await client.get(f"{API}/entries", params={"user": "cw-7"}, headers=headers)
        assert [e["event_id"] for e in by_user.json()] == [sent.id]
        report = (await client.get(f"{API}/verify", headers=headers)).json()
        assert (report["ok"], report["entries"], report["first_bad"]) == (True, 1, None)
        assert report["head"] == {"seq": 1, "hash": entry["hash"]}


async def test_a_redelivered_event_changes_nothing_R_AU_2(make_settings):
    """R-AU-2: the inbox and the unique event id keep a redelivered event out of the chain."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        kit = app.state.kit
        first, marker = event(1), event(2, record_id="rec-2")
        await kit.bus.wait_ready(10)
        await kit.bus.publish("assist.230722.intake.something_happened", first.to_json(), first.id)
        headers = officer(settings)

        async def logged(record_id):
            r = await client.get(f"{API}/records/{record_id}", headers=headers)
            return r.json() if r.status_code == 200 else None

        await eventually(lambda: logged("rec-1"))
        assert await kit.consumer.handle(first) is False
        assert await kit.consumer.handle(first) is False
        await kit.bus.publish("assist.230722.intake.something_happened", first.to_json(),
                              f"again-{first.id}")
        await kit.bus.publish("assist.230722.intake.something_happened", marker.to_json(),
                              marker.id)
        await eventually(lambda: logged("rec-2"))

        async def all_acked():
            info = await kit.bus.js.consumer_info(settings.stream, kit.consumer.durable)
            return (info.num_pending, info.num_ack_pending, info.delivered.stream_seq) == (0, 0, 3)

        await eventually(all_acked)
        with pytest.raises(IntegrityError):  # even past the inbox it enters only once
            async with kit.unit_of_work() as session:
                await service.append_entry(session, first)
        with pytest.raises(IntegrityError):
            await raw_sql(app, "INSERT INTO audit_entry SELECT seq + 10, event_id, event_type, "
                          "service, record_id, division, actor_user, actor_role, correlation_id, "
                          "request_id, source_address, occurred_at, recorded_at, payload, "
                          "prev_hash, hash FROM audit_entry WHERE seq = 1")
        entries = (await client.get(f"{API}/entries", headers=headers)).json()
        assert [(e["seq"], e["event_id"]) for e in entries] == [(1, first.id), (2, marker.id)]
        report = (await client.get(f"{API}/verify", headers=headers)).json()
        assert (report["ok"], report["entries"]) == (True, 2)


async def test_a_batch_rolled_back_leaves_nothing_to_the_next_transaction_R_AU_2(make_settings):
    """R-AU-2: the chain's head, the tree's edge and a batch's gathered rows are its
    transaction's (``shared.db.per_transaction``): after a batch rolled back, the same
    session's next transaction reads the head and the edge again and writes its own entry,
    linked to the last entry kept, with none of the rolled-back batch's rows."""
    from services.audit.checkpoints import tree
    from shared.transparency import leaf_hash, root_of

    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        kit = app.state.kit
        first, dropped, kept = event(1), event(2, record_id="rec-2"), event(3, record_id="rec-3")
        await log_events(app, first)
        async with kit.sessions() as session:
            async with session.begin():  # a consumer's batch, rolled back
                await service.gather_entries(session, [dropped])
                await service.append_entry(session, dropped)
                assert (await service.chain_head(session))[0] == 2
                await session.rollback()
            async with session.begin():  # the session's next transaction, outside a batch
                record = await service.append_entry(session, kept)
        assert record["seq"] == 2
        async with kit.sessions() as session:
            rows = (await session.execute(select(AuditEntry.seq, AuditEntry.event_id,
                                                 AuditEntry.prev_hash, AuditEntry.hash)
                                          .order_by(AuditEntry.seq))).all()
            assert [(r.seq, r.event_id) for r in rows] == [(1, first.id), (2, kept.id)]
            assert rows[1].prev_hash == rows[0].hash
            leaves = [leaf_hash(bytes.fromhex(r.hash)) for r in rows]
            assert await tree.tree_root(session, 2) == root_of(leaves)
        report = (await client.get(f"{API}/verify", headers=officer(settings))).json()
        assert (report["entries"], report["breaks"], report["first_bad"]) == (2, 0, None)
        assert report["completeness"]["first_strangers"][0]["event_id"] == kept.id  # by hand


async def test_the_database_refuses_update_and_delete_of_the_log_R_AU_2(make_settings):
    """R-AU-2: UPDATE, DELETE (and TRUNCATE on PostgreSQL) on audit_entry fail in the database."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await log_events(app, event(1), event(2))
        refused = ["UPDATE audit_entry SET actor_user = 'someone-else' WHERE seq = 1",
                   "UPDATE audit_entry SET hash = prev_hash",
                   "DELETE FROM audit_entry WHERE seq = 2",
                   "DELETE FROM audit_entry"]
        if settings.is_postgres:
            refused.append("TRUNCATE audit_entry")
        for statement in refused:
            with pytest.raises(DBAPIError, match="append-only"):
                await raw_sql(app, statement)
        entries = (await client.get(f"{API}/entries", headers=officer(settings))).json()
        assert [(e["seq"], e["actor"]["user_id"]) for e in entries] == [(1, "cw-1"), (2, "cw-1")]
        report = (await client.get(f"{API}/verify", headers=officer(settings))).json()
        assert (report["ok"], report["entries"]) == (True, 2)


async def test_verification_names_an_entry_altered_by_hand_R_AU_2(make_settings):
    """R-AU-2: with the guard dropped, one changed column of entry 2 of 3 is located."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        events = [event(n) for n in (1, 2, 3)]
        await log_events(app, *events)
        headers = officer(settings, ("230700",), Role.city_officer)
        assert (await client.get(f"{API}/verify", headers=headers)).json()["ok"] is True
        await drop_guard(app, "audit_entry_no_update")
        await raw_sql(app, "UPDATE audit_entry SET record_id = 'rec-forged' WHERE seq = 2")
        report = (await client.get(f"{API}/verify", headers=headers)).json()
        assert (report["ok"], report["entries"], report["breaks"]) == (False, 3, 1)
        assert {k: report["first_bad"][k] for k in ("seq", "event_id", "reason")} == {
            "seq": 2, "event_id": events[1].id, "reason": chain.HASH_MISMATCH}
        small = await service.verify_log(app.state.kit.sessions, batch_size=2)
        assert small.first_bad is not None and small.first_bad.seq == 2 and small.entries == 3


async def test_verification_names_a_removed_entry_R_AU_2(make_settings):
    """R-AU-2: with the guard dropped, deleting the last-but-one entry is reported as a gap."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        events = [event(n) for n in (1, 2, 3)]
        await log_events(app, *events)
        await drop_guard(app, "audit_entry_no_delete")
        await raw_sql(app, "DELETE FROM audit_entry WHERE seq = 2")
        report = (await client.get(f"{API}/verify", headers=officer(settings))).json()
        assert (report["ok"], report["entries"]) == (False, 2)
        assert {k: report["first_bad"][k] for k in ("seq", "event_id", "reason")} == {
            "seq": 3, "event_id": events[2].id, "reason": chain.SEQ_GAP}
        assert "entry 2 is missing" in report["first_bad"]["detail"]


async def test_concurrent_appends_form_one_gapless_chain_R_AU_2(make_settings):
    """R-AU-2: appends are serialised, so simultaneous events never fork or skip a seq."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        events = [event(n, record_id=f"rec-{n}") for n in range(1, 13)]
        handled = await asyncio.gather(*(app.state.kit.consumer.handle(e) for e in events))
        assert handled == [True] * 12
        entries = (await client.get(f"{API}/entries", headers=officer(settings))).json()
        assert [e["seq"] for e in entries] == list(range(1, 13))
        assert {e["event_id"] for e in entries} == {e.id for e in events}
        await log_events(app, *events)  # they travel too: handled already, kept once
        report = (await client.get(f"{API}/verify", headers=officer(settings))).json()
        assert (report["ok"], report["entries"]) == (True, 12)


async def test_the_log_is_read_by_inspectors_within_their_jurisdiction_R_AU_3(make_settings):
    """R-AU-3 with R-SE-1: caseworkers may not read the log; others see their divisions only."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await log_events(app, event(1, record_id="rec-a", division=VILLAGE_A),
                         event(2, record_id="rec-b", division=VILLAGE_B),
                         event(3, record_id="rec-c", division=None))
        caseworker = bearer(settings, Role.caseworker, ["230722"])
        for path in ("/entries", "/records/rec-a", "/verify", "/export"):
            r = await client.get(API + path, headers=caseworker)
            assert r.status_code == 403, path
            assert r.headers["content-type"] == PROBLEM_JSON
        assert (await client.get(f"{API}/entries")).status_code == 401

        async def visible(headers):
            r = await client.get(f"{API}/entries", headers=headers)
            return sorted(e["record_id"] for e in r.json())

        assert await visible(officer(settings)) == ["rec-a", "rec-b"]
        assert await visible(officer(settings, ("230722100",), Role.auditor)) == ["rec-a", "rec-c"]
        assert await visible(officer(settings, ("230700",), Role.city_officer)) == [
            "rec-a", "rec-b", "rec-c"]
        assert await visible(officer(settings, ("230723",))) == []
        township_auditor = officer(settings, ("230722100",), Role.auditor)
        r = await client.get(f"{API}/records/rec-b", headers=township_auditor)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM_JSON
        exported = await client.get(f"{API}/export", headers=township_auditor)
        assert [json.loads(line)["record_id"] for line in exported.text.splitlines()[:-1]] == [
            "rec-a", "rec-c"]


async def test_the_log_is_searched_by_case_user_type_and_time_R_AU_3(make_settings):
    """R-AU-3: search by case, person (user), event type, correlation id and time."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await log_events(app, event(1, record_id="case-1", user="cw-1", minutes=0),
                         event(2, record_id="case-2", user="cw-2", minutes=10),
                         event(3, record_id="case-1", user="cw-2", minutes=20))
        headers = officer(settings)

        async def seqs(**params):
            r = await client.get(f"{API}/entries", params=params, headers=headers)
            assert r.status_code == 200, r.text
            return [e["seq"] for e in r.json()]

        assert await seqs(record_id="case-1") == [1, 3]
        assert await seqs(user="cw-2") == [2, 3]
        assert await seqs(user="cw-2", record_id="case-1") == [3]
        assert await seqs(type="assist.intake.something_happened", limit=2, offset=1) == [2, 3]
        assert await seqs(correlation_id="corr-2") == [2]
        assert await seqs(since=(T0 + timedelta(minutes=5)).isoformat(),
                          until=(T0 + timedelta(minutes=20)).isoformat()) == [2]
        case = await client.get(f"{API}/records/case-1", headers=headers)
        assert [e["seq"] for e in case.json()] == [1, 3]
        naive = await client.get(f"{API}/entries", params={"since": "2026-11-27T01:00:00"},
                                 headers=headers)
        assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "since"


async def test_the_export_streams_ndjson_that_verifies_offline_R_AU_3(make_settings):
    """R-AU-3: the exported log carries every stored column, so its chain checks offline."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await log_events(app, *(event(n, minutes=n) for n in range(1, 6)))
        headers = officer(settings, ("230722",), Role.auditor)
        r = await client.get(f"{API}/export", headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert "attachment" in r.headers["content-disposition"]
        *lines, trailer = [json.loads(line) for line in r.text.splitlines()]
        assert trailer["checkpoint"]["tree_size"] == 5 and trailer["entries"] == 5
        assert [line["seq"] for line in lines] == [1, 2, 3, 4, 5]
        assert chain.verify_chain(lines) is None
        online = (await client.get(f"{API}/entries", headers=headers)).json()
        # the checkpoint the export signed enters the log after it (checkpoint_signed)
        assert [line["hash"] for line in lines] == [e["hash"] for e in online][:5]
        tampered = [*lines[:2], {**lines[2], "actor_user": "someone-else"}, *lines[3:]]
        bad = chain.verify_chain(tampered)
        assert bad is not None and bad.seq == 3
        auditor = decode_token(settings, headers["Authorization"].removeprefix("Bearer "))
        batched = [json.loads(line) async for line in service.export_log(
            app.state.kit.sessions, user=auditor, batch_size=2, through=5)]
        assert batched == [{k: v for k, v in line.items() if k != "inclusion"} for line in lines]
        part = await client.get(f"{API}/export", headers=headers, params={
            "since": (T0 + timedelta(minutes=2)).isoformat(),
            "until": (T0 + timedelta(minutes=4)).isoformat()})
        assert [json.loads(line)["seq"] for line in part.text.splitlines()[:-1]] == [2, 3]
