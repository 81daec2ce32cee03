"""The outbox relay and the inbox against a real nats-server and a real database."""

from __future__ import annotations

import asyncio
from datetime import date

import nats.js.errors
import pytest
from sqlalchemy import event, func, select

from services.verification.app import create_app as create_verification
from shared import context
from shared.events import Envelope
from shared.outbox import emit, gathered
from tests.bus import jetstream, publish, stream_messages
from tests.events import TestRecorded, accepted
from tests.support import bearer, eventually, relayed_all, running


async def _unsent(kit) -> int:
    return await kit.relay.pending_count()


async def test_event_leaves_only_after_commit_with_its_id_as_nats_msg_id(
    make_settings, nats_server
):
    """Outbox: the event id is the Nats-Msg-Id; the row is marked sent with the stream sequence."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        async with kit.unit_of_work() as session:
            env = await emit(session, TestRecorded(n=1), subject="rec-1",
                             division="230722100001")
        await eventually(lambda: _sent(kit, env.id))
        msgs = await stream_messages(nats_server.url)
        assert [m.headers["Nats-Msg-Id"] for m in msgs] == [env.id]
        assert msgs[0].subject == "assist.230722.verification.test_recorded"
        assert Envelope.from_json(msgs[0].data) == env
        async with kit.sessions() as session:
            row = (await session.execute(select(kit.outbox).where(
                kit.outbox.c.event_id == env.id))).one()
        assert row.stream_seq == msgs[0].metadata.sequence.stream


async def _sent(kit, event_id: str) -> bool:
    async with kit.sessions() as session:
        sent_at = await session.scalar(
            select(kit.outbox.c.sent_at).where(kit.outbox.c.event_id == event_id))
    return sent_at is not None


async def test_rolled_back_work_publishes_nothing(make_settings, nats_server):
    """No event for a rolled-back transaction."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        with pytest.raises(RuntimeError):
            async with kit.unit_of_work() as session:
                await emit(session, TestRecorded(note="never happened"), subject="rec-2")
                raise RuntimeError("the change fails")
        async with kit.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(kit.outbox)) == 0
        await asyncio.sleep(0.5)
        assert await stream_messages(nats_server.url) == []


async def test_events_written_while_nats_is_away_leave_once_it_is_back(make_settings, nats_server):
    """The relay keeps unsent rows while NATS is stopped and sends each exactly once after."""
    app = create_verification(make_settings("verification"))
    async with running(app) as client:
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        nats_server.stop()
        ids = []
        for i in range(3):
            async with kit.unit_of_work() as session:
                ids.append((await emit(session, TestRecorded(n=i), subject=f"rec-{i}")).id)
        await asyncio.sleep(1.0)
        assert await _unsent(kit) == 3
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["nats"] == "unreachable"
        assert ready.json()["outbox_unsent"] == 3  # operators see what waits
        nats_server.start()
        await eventually(lambda: relayed_all(kit), timeout=20)

        async def none_unsent() -> bool:  # /readyz's figures may be up to a second old
            return (await client.get("/readyz")).json()["outbox_unsent"] == 0

        await eventually(none_unsent)
        msgs = await stream_messages(nats_server.url)
        assert [m.headers["Nats-Msg-Id"] for m in msgs] == ids  # once each, in commit order


async def test_a_redelivered_event_changes_nothing(make_settings, nats_server):
    """Inbox: the same event published twice (other Nats-Msg-Id) has one effect (R-VE-1 task)."""
    settings = make_settings("verification")
    app = create_verification(settings)
    context.current_actor.set(context.Actor("cw-1", "caseworker", ("230722100",)))
    env = accepted(application_id="app-1", application_number="SQ230722-1",
                   division="230722100001", accepted_on=date(2026, 11, 2),
                   review_due_on=date(2026, 11, 30))
    async with running(app) as client:
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        for msg_id in (env.id, env.id + "-again"):
            await publish(nats_server.url, env, msg_id=msg_id)
        headers = bearer(settings, "caseworker", ["230722100"])

        async def listed():
            r = await client.get("/api/v1/investigations", headers=headers)
            return r.json() if r.status_code == 200 and r.json() else None

        rows = await eventually(listed)
        await asyncio.sleep(1.0)  # time for the second delivery to be handled
        rows = (await client.get("/api/v1/investigations", headers=headers)).json()
        assert len(rows) == 1 and rows[0]["application_number"] == "SQ230722-1"
        async with kit.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(kit.inbox)) == 1
        assert await kit.consumer.handle(env) is False  # handled before: no effect


async def test_a_service_consumes_only_its_own_countys_events(make_settings, nats_server, tmp_path):
    """R-SE-1: two counties' installations on one NATS cluster each act on their own events."""
    jiayin = make_settings("verification")  # 嘉荫县
    second_schema = {"db_schema": f"{jiayin.pg_schema}_tieli"} if jiayin.pg_schema else {}
    tieli = make_settings("verification", county="230781", data_dir=tmp_path / "tieli",
                          **second_schema)
    jiayin_app, tieli_app = create_verification(jiayin), create_verification(tieli)

    def accepted_in(county: str, division: str) -> Envelope:
        return accepted(county=county, division=division, application_id=f"app-{county}")

    async with running(jiayin_app) as jiayin_client, running(tieli_app) as tieli_client:
        await jiayin_app.state.kit.bus.wait_ready(10)
        await tieli_app.state.kit.bus.wait_ready(10)
        await publish(nats_server.url, accepted_in("230781", "230781100201"),
                      accepted_in("230722", "230722100201"))
        city = bearer(jiayin, "city_officer", ["230700"])

        async def listed(client):
            r = await client.get("/api/v1/investigations", headers=city)
            return r.json() if r.status_code == 200 and r.json() else None

        await eventually(lambda: listed(jiayin_client))
        await eventually(lambda: listed(tieli_client))
        await asyncio.sleep(0.5)
        for client, county in ((jiayin_client, "230722"), (tieli_client, "230781")):
            rows = (await client.get("/api/v1/investigations", headers=city)).json()
            assert [r["application_id"] for r in rows] == [f"app-{county}"]


async def test_the_event_stream_refuses_purge_and_message_deletion(make_settings, nats_server):
    """R-AU-2: the stream the log is built from can't be purged, nor messages deleted from it."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        async with kit.unit_of_work() as session:
            await emit(session, TestRecorded(), subject="rec-1")
        await eventually(lambda: relayed_all(kit))
        async with jetstream(nats_server.url) as js:
            info = await js.stream_info("ASSIST")
            assert info.config.deny_delete and info.config.deny_purge
            assert info.config.duplicate_window == 120
            with pytest.raises(nats.js.errors.APIError):
                await js.purge_stream("ASSIST")
            with pytest.raises(nats.js.errors.APIError):
                await js.delete_msg("ASSIST", 1)
            assert (await js.stream_info("ASSIST")).state.messages == 1


async def test_a_batch_claims_only_the_ids_not_yet_in_the_inbox(make_settings, nats_server):
    """One statement claims a batch's ids: those handled before (or twice in the batch) are
    skipped, the others take effect once, in the batch's order, in one transaction."""
    settings = make_settings("verification")
    app = create_verification(settings)
    first, second = accepted(application_id="app-b1"), accepted(application_id="app-b2")
    async with running(app):
        kit = app.state.kit
        assert await kit.consumer.apply([first]) == 1
        assert await kit.consumer.apply([first, second, second]) == 1  # only second is new
        assert await kit.consumer.apply([second, first]) == 0
        async with kit.sessions() as session:
            assert set(await session.scalars(select(kit.inbox.c.event_id))) == {first.id,
                                                                                 second.id}


async def test_events_arriving_while_a_consumer_lingers_are_applied_in_one_transaction(
        make_settings, nats_server, monkeypatch):
    """After a pull that brought less than a batch, the consumer waits ``consumer_linger_s``
    before the next: what arrives meanwhile is applied together (one transaction), where a
    consumer pulling again at once takes each event as it comes. The first event after a quiet
    spell is applied at once."""
    settings = make_settings("verification", consumer_linger_s=1.0)
    app = create_verification(settings)
    first, *rest = [accepted(application_id=f"app-l{i}") for i in range(6)]
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        applied: list[int] = []
        apply = kit.consumer.apply

        async def recording(envelopes):
            applied.append(len(envelopes))
            return await apply(envelopes)

        monkeypatch.setattr(kit.consumer, "apply", recording)
        async def applied_in_all(count: int) -> bool:
            return sum(applied) == count

        await publish(nats_server.url, first)
        await eventually(lambda: applied_in_all(1), timeout=5, interval=0.01)
        for envelope in rest:  # one publish each, while the consumer lingers
            await publish(nats_server.url, envelope)
        await eventually(lambda: applied_in_all(6), timeout=5)
        assert applied == [1, 5]


async def _outbox_records(kit) -> list[str]:
    async with kit.sessions() as session:
        return list(await session.scalars(select(kit.outbox.c.record_id)
                                          .order_by(kit.outbox.c.id)))


async def test_gathered_events_are_written_together_in_the_order_emitted(make_settings,
                                                                           nats_server):
    """``gathered``: the block's events are one statement at its end, in the order emitted; a
    block inside it joins it; an event outside the block is written at once."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        inserts: list[str] = []

        def heard(_conn, _cursor, statement: str, *_: object) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
                inserts.append(statement)

        async with kit.unit_of_work() as session:
            await emit(session, TestRecorded(n=0), subject="before")
            event.listen(kit.engine.sync_engine, "before_cursor_execute", heard)
            try:
                async with gathered(session):
                    for n in (1, 2):
                        await emit(session, TestRecorded(n=n), subject=f"gathered-{n}")
                    async with gathered(session):
                        await emit(session, TestRecorded(n=3), subject="gathered-3")
                    assert inserts == []  # nothing yet: at the block's end
            finally:
                event.remove(kit.engine.sync_engine, "before_cursor_execute", heard)
            assert len(inserts) == 1
            async with session.begin_nested():
                assert await session.scalar(select(func.count()).select_from(kit.outbox)) == 4
        assert await _outbox_records(kit) == ["before", "gathered-1", "gathered-2", "gathered-3"]
        await eventually(lambda: relayed_all(kit))


async def test_a_gathered_block_that_raises_writes_none_of_its_events(make_settings,
                                                                      nats_server):
    """A block that raises writes nothing (what it emitted belonged to its failed work), and a
    savepoint opened inside a block takes its own events back when it is rolled back."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        async with kit.unit_of_work() as session:
            with pytest.raises(RuntimeError):
                async with gathered(session):
                    await emit(session, TestRecorded(n=1), subject="failed-block")
                    raise RuntimeError("the block's work fails")
            async with gathered(session):
                await emit(session, TestRecorded(n=2), subject="kept-1")
                with pytest.raises(RuntimeError):
                    async with session.begin_nested():
                        await emit(session, TestRecorded(n=3), subject="in-rolled-back-savepoint")
                        raise RuntimeError("the savepoint's work fails")
                await emit(session, TestRecorded(n=4), subject="kept-2")
        assert await _outbox_records(kit) == ["kept-1", "kept-2"]


async def test_a_transaction_ended_inside_a_gathered_block_is_refused(make_settings,
                                                                     nats_server):
    """The events of a block belong to the transaction they were emitted in: a commit inside
    the block would leave them to the next one, and is refused, writing nothing."""
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        async with kit.sessions() as session:
            with pytest.raises(RuntimeError, match="ended inside the block"):
                async with gathered(session):
                    await emit(session, TestRecorded(n=1), subject="emitted-first")
                    await session.commit()
                    await emit(session, TestRecorded(n=2), subject="in-the-next")
            await session.rollback()
        assert await _outbox_records(kit) == []


def _unsent_reads(kit) -> list[str]:
    """From now on, every read of the outbox's unsent rows on the service's engine."""
    reads: list[str] = []

    def heard(_conn, _cursor, statement: str, *_: object) -> None:
        if "FROM outbox" in statement and "sent_at IS NULL" in statement:
            reads.append(statement)

    event.listen(kit.engine.sync_engine, "before_cursor_execute", heard)
    return reads


async def _published_subjects(url: str) -> list[str]:
    return [Envelope.from_json(m.data).subject for m in await stream_messages(url)]


async def test_a_commit_hands_its_rows_to_the_relay_which_publishes_without_reading_back(
        make_settings, nats_server):
    """The rows a commit wrote are published as written, marked sent, and the outbox is not
    read for them (it is read when the relay starts and when it idles a poll interval)."""
    app = create_verification(make_settings("verification", relay_poll_interval_s=60))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await eventually(lambda: relayed_all(kit))  # the start's read is over
        await asyncio.sleep(0.2)
        reads = _unsent_reads(kit)
        async with kit.unit_of_work() as session:
            for n in (1, 2):
                await emit(session, TestRecorded(n=n), subject=f"handed-{n}")
        await eventually(lambda: relayed_all(kit))
        assert await _published_subjects(nats_server.url) == ["handed-1", "handed-2"]
        assert reads == []


async def test_a_rolled_back_savepoint_s_event_is_never_published_its_transaction_s_are(
        make_settings, nats_server):
    """A rollback in the session leaves the relay to read the outbox: what the savepoint wrote
    is gone from it, the rest of the transaction is published."""
    app = create_verification(make_settings("verification", relay_poll_interval_s=60))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await eventually(lambda: relayed_all(kit))
        await asyncio.sleep(0.2)
        reads = _unsent_reads(kit)
        async with kit.unit_of_work() as session:
            await emit(session, TestRecorded(n=1), subject="kept-1")
            with pytest.raises(RuntimeError):
                async with session.begin_nested():
                    await emit(session, TestRecorded(n=2), subject="rolled-back")
                    raise RuntimeError("the savepoint's work fails")
            await emit(session, TestRecorded(n=3), subject="kept-3")
        await eventually(lambda: relayed_all(kit))
        await asyncio.sleep(0.3)
        assert await _published_subjects(nats_server.url) == ["kept-1", "kept-3"]
        assert reads  # read from the outbox, which alone knew


async def test_commits_one_after_another_share_one_mark_and_a_read_writes_it_first(
        make_settings, nats_server):
    """The relay publishes each commit's rows at once and marks them sent together once no
    commit has come for a moment; a read of the outbox writes the marks waiting first, so a
    published row is never read back as unsent."""
    app = create_verification(make_settings("verification", relay_poll_interval_s=60))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await eventually(lambda: relayed_all(kit))
        await kit.relay.stop()  # this test drives it
        marks: list[str] = []

        def heard(_conn, _cursor, statement: str, *_: object) -> None:
            if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
                marks.append(statement)

        event.listen(kit.engine.sync_engine, "before_cursor_execute", heard)
        for n in (1, 2, 3):
            async with kit.unit_of_work() as session:
                await emit(session, TestRecorded(n=n), subject=f"one-by-one-{n}")
            assert await kit.relay.relay_handed() == 1
        assert await _published_subjects(nats_server.url) == [
            "one-by-one-1", "one-by-one-2", "one-by-one-3"]
        assert marks == [] and await kit.relay.pending_count() == 3  # published, not marked

        assert await kit.relay.relay_pending() == 0  # the marks first: nothing read back
        assert len(marks) == 1 and await kit.relay.pending_count() == 0
        assert len(await stream_messages(nats_server.url)) == 3
