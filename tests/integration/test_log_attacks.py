"""The attacks of issue 9 on the operation log, each as a test (R-AU-2).

An attacker with write access to the audit database, even with the rights to drop and recreate
triggers: the chain alone said ``ok`` after each of these. Now the database refuses what does
not extend the chain, and ``verify`` compares the log with the stream it comes from.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from services.audit.access.models import LogAccess
from services.audit.access.service import append_access, verify_access
from services.audit.app import create_app as create_audit
from services.audit.guards import CHAIN_REFUSAL, append_only_guards
from services.audit.log import chain, completeness
from services.audit.log.models import AuditEntry
from shared import migrations
from shared.auth import Role
from shared.db import create_engine, create_sessionmaker, ensure_schema
from shared.events import Envelope, EventActor
from shared.transparency import split_notes
from tests.support import bearer, eventually, running

API = "/api/v1/audit"
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
SUBJECT = "assist.230722.intake.something_happened"


def event(n: int, *, user: str = "cw-1") -> Envelope:
    return Envelope(
        id=f"{n:032x}", type="assist.intake.something_happened",
        source="/assist/230722/intake", subject=f"rec-{n}", time=T0 + timedelta(minutes=n),
        correlationid=f"corr-{n}", requestid=f"req-{n}", sourceaddress="10.1.2.3",
        division="230722100001", actor=EventActor(user_id=user, role="caseworker"),
        data={"n": n},
    )


async def sql(app, statement: str, **params) -> None:
    async with app.state.kit.engine.begin() as conn:
        await conn.execute(text(statement), params)


def on(app, table: str) -> str:
    return f" ON {table}" if app.state.kit.settings.is_postgres else ""


async def settled(app, entries: int) -> None:
    """Wait until the log holds ``entries`` entries and the consumer has nothing pending."""
    kit = app.state.kit

    async def done():
        async with kit.sessions() as session:
            count = len((await session.scalars(select(AuditEntry.seq))).all())
        info = await kit.bus.js.consumer_info(kit.settings.stream, kit.consumer.durable)
        return count == entries and info.num_ack_pending == 0 and info.num_pending == 0

    await eventually(done, timeout=20)


async def published(app, client, n: int, *, first: int = 1, entries: int | None = None
                    ) -> list[Envelope]:
    """Events ``first`` … ``first + n - 1`` through JetStream into the log, as the services
    publish them; then the log holds ``entries`` (default ``n``) entries."""
    kit = app.state.kit
    await kit.bus.wait_ready(10)
    events = [event(i) for i in range(first, first + n)]
    for e in events:
        await kit.bus.publish(SUBJECT, e.to_json(), e.id)
    await settled(app, entries if entries is not None else n)
    return events


async def checkpoint(app, client, settings, *, entries: int, notes: int) -> dict:
    """A signed checkpoint on demand; its event enters the log (``entries`` then) and the
    courier appends it to the operator's file (``notes`` in it then)."""
    r = await client.post(f"{API}/checkpoints", headers=bearer(settings, Role.auditor,
                                                                ["230722"]))
    assert r.status_code == 201, r.text
    await settled(app, entries)
    path = settings.audit_checkpoint_path

    async def written():
        return path.exists() and len(split_notes(path.read_text())) >= notes

    await eventually(written, timeout=20)
    return r.json()


async def report(client, settings) -> dict:
    r = await client.get(f"{API}/verify", headers=bearer(settings, Role.auditor, ["230722"]))
    assert r.status_code == 200, r.text
    return r.json()


async def entries(app) -> list[AuditEntry]:
    async with app.state.kit.sessions() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all())


async def test_a_rewritten_actor_with_every_later_hash_recomputed_is_named_R_AU_2(
        make_settings):
    """R-AU-2 attack (a): the actor of entry 3 rewritten and the hashes of every entry after it
    recomputed (guards dropped): the chain holds, the stream names the rewritten entry."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        events = await published(app, client, 2)
        await checkpoint(app, client, settings, entries=3, notes=1)  # size 2, entry 3
        events += await published(app, client, 5, first=3, entries=8)  # entries 4 … 8
        await checkpoint(app, client, settings, entries=9, notes=2)  # size 8, entry 9
        assert (await report(client, settings))["ok"] is True
        await sql(app, f"DROP TRIGGER audit_entry_no_update{on(app, 'audit_entry')}")
        rows = await entries(app)
        assert rows[4].event_id == events[3].id
        previous: tuple[int, str] | None = (rows[3].seq, rows[3].hash)
        for row in rows[4:]:
            fields = row.stored()
            if row.seq == 5:
                fields["actor_user"] = "someone-else"
            sealed = chain.seal({k: v for k, v in fields.items()
                                 if k not in ("seq", "prev_hash", "hash")}, previous=previous)
            await sql(app, "UPDATE audit_entry SET actor_user = :actor, prev_hash = :prev, "
                      "hash = :hash WHERE seq = :seq", actor=sealed["actor_user"],
                      prev=sealed["prev_hash"], hash=sealed["hash"], seq=row.seq)
            previous = (sealed["seq"], sealed["hash"])
        got = await report(client, settings)
        assert got["first_bad"] is None and got["breaks"] == 0  # the chain alone: fooled
        assert got["ok"] is False
        found = got["completeness"]
        assert (found["rewritten"], found["gaps"], found["strangers"]) == (1, 0, 0)
        assert found["first_rewritten"] == [{
            "event_id": events[3].id, "seq": 5, "stream_seq": 5, "subject": SUBJECT,
            "type": events[3].type}]
        outside = got["checkpoints"]  # the file held outside: size 2 agrees, size 8 does not
        assert (outside["checked"], outside["ok"], outside["checkpoints"]) == (True, False, 2)
        assert outside["agrees_through"] == 2
        assert {k: outside["first_disagreement"][k] for k in (
            "tree_size", "first_entry", "last_entry")} == {
            "tree_size": 8, "first_entry": 3, "last_entry": 8}


async def test_a_cut_tail_whose_inbox_says_handled_is_named_R_AU_2(make_settings):
    """R-AU-2 attack (b): the delete trigger dropped, the last 50 entries deleted, the trigger
    recreated; the inbox keeps the events out, the stream names every one of them."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        events = await published(app, client, 60)
        await checkpoint(app, client, settings, entries=61, notes=1)  # size 60, entry 61
        await sql(app, f"DROP TRIGGER audit_entry_no_delete{on(app, 'audit_entry')}")
        await sql(app, "DELETE FROM audit_entry WHERE seq > 11")  # the last 50 entries
        if settings.is_postgres:
            await sql(app, """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()""")
        else:
            await sql(app, append_only_guards("audit_entry", "sqlite")[1])
        assert await app.state.kit.consumer.handle(events[-1]) is False  # "already handled"
        got = await report(client, settings)
        assert (got["entries"], got["first_bad"]) == (11, None)  # the chain alone: fooled
        assert got["ok"] is False
        found = got["completeness"]
        assert (found["gaps"], found["strangers"], found["rewritten"]) == (50, 0, 0)
        assert found["first_gaps"][0] == {"event_id": events[11].id, "seq": None,
                                          "stream_seq": 12, "subject": SUBJECT,
                                          "type": events[11].type}
        gaps = [g["event_id"] for g in found["first_gaps"]]
        assert gaps[:-1] == [e.id for e in events[11:]]  # and the checkpoint's own event
        assert found["first_gaps"][-1]["type"] == "assist.audit.checkpoint_signed"
        outside = got["checkpoints"]
        assert (outside["ok"], outside["agrees_through"]) == (False, 0)
        assert {k: outside["first_disagreement"][k] for k in (
            "tree_size", "first_entry", "last_entry", "log_root")} == {
            "tree_size": 60, "first_entry": 12, "last_entry": 60, "log_root": None}
        auditor = bearer(settings, Role.auditor, ["230722"])
        direct = (await client.get(f"{API}/completeness", headers=auditor)).json()
        assert (direct["gaps"], direct["stream_first_seq"], direct["stream_events"]) == (
            50, 1, 61)
        officer = bearer(settings, Role.county_officer, ["230722"])
        assert (await client.get(f"{API}/completeness", headers=officer)).status_code == 403


async def test_a_forged_insert_is_refused_or_named_a_stranger_R_AU_2(make_settings):
    """R-AU-2 attack (c): an INSERT that does not extend the chain is refused by the database;
    one forged to extend it (hash recomputed) is named by verify as a stranger to the stream."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await published(app, client, 3)
        rows = await entries(app)
        forged = {k: v for k, v in rows[1].stored().items()
                  if k not in ("seq", "prev_hash", "hash")} | {
            "event_id": "f" * 32, "actor_user": "ghost", "recorded_at": rows[2].recorded_at}
        columns = ", ".join(chain.HASHED_COLUMNS + ("hash",))
        values = ", ".join(f":{c}" for c in chain.HASHED_COLUMNS + ("hash",))
        insert = f"INSERT INTO audit_entry ({columns}) VALUES ({values})"
        for place in (chain.seal(forged, previous=(rows[0].seq, rows[0].hash)),  # seq 2 again
                      chain.seal(forged, previous=(rows[2].seq + 5, rows[2].hash)),  # a hole
                      chain.seal(forged, previous=(rows[2].seq, rows[1].hash)),  # wrong link
                      chain.seal(forged, previous=None)):  # a second genesis
            with pytest.raises(DBAPIError, match=CHAIN_REFUSAL):
                await sql(app, insert, **place)
        extending = chain.seal(forged, previous=(rows[2].seq, rows[2].hash))
        await sql(app, insert, **extending)  # extends the chain: the database takes it
        got = await report(client, settings)
        assert got["first_bad"] is None and got["ok"] is False
        found = got["completeness"]
        assert (found["strangers"], found["gaps"], found["rewritten"]) == (1, 0, 0)
        assert found["first_strangers"] == [{
            "event_id": "f" * 32, "seq": 4, "stream_seq": None, "subject": None,
            "type": "assist.intake.something_happened"}]


async def test_replace_over_an_entry_or_a_read_of_the_log_is_refused_R_AU_2(make_settings):
    """R-AU-2 attack (d): SQLite's INSERT OR REPLACE (which skips delete triggers) over an entry
    and over a read in log_access is refused: the chain guard fires before REPLACE's conflict
    resolution. On PostgreSQL the same through INSERT … ON CONFLICT DO UPDATE."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        await published(app, client, 3)
        auditor = bearer(settings, Role.auditor, ["230722"])
        for _ in range(3):  # three reads of the log, recorded in log_access
            assert (await client.get(f"{API}/entries", headers=auditor)).status_code == 200
        rows = await entries(app)
        target = rows[1].stored() | {"actor_user": "someone-else"}
        columns = chain.HASHED_COLUMNS + ("hash",)
        names, values = ", ".join(columns), ", ".join(f":{c}" for c in columns)
        async with app.state.kit.sessions() as session:
            reads = list((await session.scalars(select(LogAccess).order_by(LogAccess.id))).all())
        assert [r.id for r in reads] == [1, 2, 3]
        read = reads[1].stored() | {"user_id": "nobody"}
        access_names = ", ".join(read)
        access_values = ", ".join(f":{c}" for c in read)
        if settings.is_postgres:
            attacks = [
                (f"INSERT INTO audit_entry ({names}) VALUES ({values}) ON CONFLICT (seq) DO "
                 "UPDATE SET actor_user = excluded.actor_user", target),
                (f"INSERT INTO log_access ({access_names}) VALUES ({access_values}) ON "
                 "CONFLICT (id) DO UPDATE SET user_id = excluded.user_id", read),
            ]
        else:
            attacks = [
                (f"INSERT OR REPLACE INTO audit_entry ({names}) VALUES ({values})", target),
                (f"REPLACE INTO log_access ({access_names}) VALUES ({access_values})", read),
                (f"INSERT OR REPLACE INTO audit_entry ({names}) VALUES ({values})",
                 target | {"seq": 4, "prev_hash": rows[2].hash}),  # a new seq, an old event id
            ]
        for statement, params in attacks:
            with pytest.raises(DBAPIError, match=CHAIN_REFUSAL):
                await sql(app, statement, **params)
        got = await report(client, settings)
        assert got["ok"] is True, got
        assert [e.actor_user for e in await entries(app)] == ["cw-1"] * 3
        assert got["access"]["ok"] is True and got["access"]["entries"] >= 3


async def test_the_reads_of_the_log_are_chained_and_checked_like_the_log_R_AU_2(make_settings):
    """R-AU-2: log_access is a hash chain: a read altered by hand is named by verify."""
    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app) as client:
        auditor = bearer(settings, Role.auditor, ["230722"])
        for _ in range(3):
            await client.get(f"{API}/entries", headers=auditor)
        first = await report(client, settings)
        assert first["ok"] is True and first["access"]["entries"] == 3
        async with app.state.kit.sessions() as session:
            reads = list((await session.scalars(select(LogAccess).order_by(LogAccess.id))).all())
        assert reads[0].prev_hash == chain.GENESIS_HASH
        assert [r.prev_hash for r in reads[1:]] == [r.hash for r in reads[:-1]]
        await sql(app, f"DROP TRIGGER log_access_no_update{on(app, 'log_access')}")
        await sql(app, "UPDATE log_access SET user_id = 'nobody' WHERE id = 2")
        got = await report(client, settings)
        assert got["ok"] is False
        assert {k: got["access"]["first_bad"][k] for k in ("seq", "reason")} == {
            "seq": 2, "reason": chain.HASH_MISMATCH}


async def test_a_read_rolled_back_leaves_nothing_to_the_next_transaction_R_AU_2(make_settings):
    """R-AU-2: the head of the reads' chain is its transaction's (``shared.db.per_transaction``):
    after a transaction that appended a read rolled back, the same session's next transaction
    reads the head again and links its read to the last one kept (it used to number and link
    it after the read rolled back, which the chain's guard refuses)."""
    settings = make_settings("audit")
    app = create_audit(settings)
    fields = dict(at=T0, role="auditor", division=None, method="GET", path="/", route="/",
                  query="", status=200, subject="/", request_id=None, source_address=None)
    async with running(app):
        async with app.state.kit.sessions() as session:
            first = await append_access(session, user_id="u-a", **fields)  # begins it
            first_id, first_hash = first.id, first.hash
            await session.commit()
            async with session.begin():
                dropped = await append_access(session, user_id="u-b", **fields)
                assert dropped.id == 2
                await session.rollback()
            kept = await append_access(session, user_id="u-c", **fields)  # begins it
            kept_id, kept_prev = kept.id, kept.prev_hash
            await session.commit()
        assert (first_id, kept_id) == (1, 2) and kept_prev == first_hash
        async with app.state.kit.sessions() as session:
            reads = (await session.execute(select(LogAccess.id, LogAccess.user_id)
                                           .order_by(LogAccess.id))).all()
        assert [tuple(r) for r in reads] == [(1, "u-a"), (2, "u-c")]
        checked = await verify_access(app.state.kit.sessions)
        assert (checked.ok, checked.entries) == (True, 2)


async def test_reads_kept_before_the_guards_are_numbered_and_chained_by_migration_0006_R_AU_2(
        make_settings):
    """R-AU-2: migration 0006 numbers the reads kept before it 1, 2, 3… (their ids had holes)
    and links them; the chain then verifies and the next read extends it."""
    settings = make_settings("audit")
    engine = create_engine(settings, pooled=False)
    await ensure_schema(engine, settings.pg_schema)
    cfg = migrations.alembic_config(settings)
    await asyncio.to_thread(command.upgrade, cfg, "0005")
    async with engine.begin() as conn:
        for n, user in ((5, "u-a"), (9, "u-b"), (12, "u-c")):
            await conn.execute(text(
                "INSERT INTO log_access (id, at, user_id, role, division, method, path, route, "
                "query, status, subject) VALUES (:id, :at, :user, 'auditor', NULL, 'GET', '/', "
                "'/', '', 200, '/')"), {"id": n, "at": T0 + timedelta(minutes=n), "user": user})
    await asyncio.to_thread(command.upgrade, cfg, "head")
    sessions = create_sessionmaker(engine, info={})
    try:
        checked = await verify_access(sessions)
        assert (checked.ok, checked.entries) == (True, 3)
        async with sessions() as session:
            reads = list((await session.scalars(select(LogAccess).order_by(LogAccess.id))).all())
            assert [(r.id, r.user_id) for r in reads] == [(1, "u-a"), (2, "u-b"), (3, "u-c")]
            assert reads[0].prev_hash == chain.GENESIS_HASH
            row = await append_access(session, at=T0, user_id="u-d", role="auditor",
                                      division=None, method="GET", path="/", route="/",
                                      query="", status=200, subject="/", request_id=None,
                                      source_address=None)
            await session.commit()
        assert row.id == 4 and row.prev_hash == reads[-1].hash
        assert (await verify_access(sessions)).entries == 4
    finally:
        await engine.dispose()


async def test_entries_older_than_the_stream_are_unprovable_not_strangers_R_AU_2(
        make_settings, monkeypatch):
    """R-AU-2: when the stream has dropped its oldest messages (max age or size), the entries
    logged before its first kept message are reported unprovable, with the stream's first
    sequence; a forged entry after them is still a stranger."""
    settings = make_settings("audit")
    app = create_audit(settings)
    scan_stream = completeness.scan_stream

    async def trimmed(bus, settings):  # as if the stream's limits had dropped seq 1 and 2
        scan = await scan_stream(bus, settings)
        scan.events = {k: m for k, m in scan.events.items() if m.stream_seq > 2}
        scan.first_seq = 3
        return scan

    async with running(app) as client:
        await published(app, client, 4)
        monkeypatch.setattr(completeness, "scan_stream", trimmed)
        found = (await report(client, settings))["completeness"]
        assert (found["ok"], found["unprovable"], found["strangers"], found["gaps"]) == (
            True, 2, 0, 0)
        assert (found["stream_first_seq"], found["stream_events"], found["log_entries"]) == (
            3, 2, 4)
        rows = await entries(app)
        forged = {k: v for k, v in rows[1].stored().items()
                  if k not in ("seq", "prev_hash", "hash")} | {"event_id": "e" * 32}
        sealed = chain.seal(forged, previous=(rows[-1].seq, rows[-1].hash))
        columns = chain.HASHED_COLUMNS + ("hash",)
        await sql(app, f"INSERT INTO audit_entry ({', '.join(columns)}) VALUES "
                  f"({', '.join(':' + c for c in columns)})", **sealed)
        found = (await report(client, settings))["completeness"]
        assert (found["ok"], found["unprovable"], found["strangers"]) == (False, 2, 1)
        assert found["first_strangers"][0]["seq"] == 5
