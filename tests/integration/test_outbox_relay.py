"""The relay publishes a batch with its publishes in flight together and marks what was acked.

Real nats-server and real database: a relay stopped between publish and mark republishes
without a doubled message (JetStream's duplicate window) or a doubled effect (the inbox); a
batch that fails midway marks exactly the acknowledged rows and leaves the rest for later.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from nats.js.errors import NoStreamResponseError
from sqlalchemy import func, select

from services.audit.app import create_app as create_audit
from services.audit.log.models import AuditEntry
from services.intake.app import create_app as create_intake
from shared.db import utcnow
from shared.idcard import check_character
from shared.outbox import OutboxRelay
from tests.bus import jetstream, publish, stream_events, stream_messages
from tests.support import bearer, eventually, load_division_register, running

VILLAGE = "230722100201"


def application(i: int) -> dict[str, Any]:
    first17 = f"2307221960{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "household": {"members": [{
            "name": f"测试{i}", "id_number": first17 + check_character(first17),
            "relationship": "head", "living_status": "at_home", "is_student": False}]},
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }


class CrashBeforeMark(OutboxRelay):
    """A relay that dies after JetStream acked the batch and before the rows are marked."""

    async def _mark_sent(self, acked: list[dict[str, Any]], *, read_next: bool = False
                         ) -> list[Any]:
        if acked:
            raise RuntimeError("process killed between publish and mark")
        return await super()._mark_sent(acked, read_next=read_next)


async def _outbox(kit: Any) -> list[Any]:
    async with kit.sessions() as session:
        return list((await session.execute(
            select(kit.outbox).order_by(kit.outbox.c.id))).all())


async def _insert_rows(kit: Any, subjects: list[str]) -> list[str]:
    """Unsent outbox rows as ``emit`` writes them (the relay reads only these columns)."""
    ids = [f"evt-{i:05d}" for i in range(len(subjects))]
    async with kit.sessions() as session, session.begin():
        await session.execute(kit.outbox.insert(), [
            {"event_id": event_id, "event_type": "test.recorded", "nats_subject": subject,
             "record_id": event_id, "payload": json.dumps({"id": event_id}),
             "created_at": utcnow(), "attempts": 0}
            for event_id, subject in zip(ids, subjects, strict=True)])
    return ids


async def _count(kit: Any, what: Any) -> int:
    async with kit.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)


async def test_a_relay_stopped_between_publish_and_mark_republishes_without_doubles(
    make_settings, nats_server
):
    """Republished after a crash: one message per event in the stream, one effect at audit."""
    intake_settings = make_settings("intake")
    intake_app, audit_app = create_intake(intake_settings), create_audit(make_settings("audit"))
    async with running(intake_app) as intake, running(audit_app):
        kit, audit = intake_app.state.kit, audit_app.state.kit
        await kit.bus.wait_ready(10)
        await kit.relay.stop()  # this test drives the relay itself
        await load_division_register(intake, intake_settings)
        headers = bearer(intake_settings, "caseworker", ["230722100"])
        for i in range(3):
            r = await intake.post("/api/v1/applications", json=application(i), headers=headers)
            assert r.status_code == 201, r.text
        rows = await _outbox(kit)
        assert len(rows) >= 3

        with pytest.raises(RuntimeError, match="between publish and mark"):
            await CrashBeforeMark(kit.sessions, kit.outbox, kit.bus, intake_settings
                                  ).relay_pending()
        assert await kit.relay.pending_count() == len(rows)  # nothing marked
        assert len(await stream_messages(nats_server.url)) == len(rows)  # but all published

        restarted = OutboxRelay(kit.sessions, kit.outbox, kit.bus, intake_settings)
        assert await restarted.relay_pending() == len(rows)
        assert await restarted.pending_count() == 0
        msgs = await stream_messages(nats_server.url)
        assert [m.headers["Nats-Msg-Id"] for m in msgs] == [row.event_id for row in rows]
        marked = {row.event_id: row.stream_seq for row in await _outbox(kit)}
        assert marked == {m.headers["Nats-Msg-Id"]: m.metadata.sequence.stream for m in msgs}

        # Past the duplicate window the stream would take them again: the inbox absorbs that.
        for envelope in await stream_events(nats_server.url):
            await publish(nats_server.url, envelope, msg_id=f"{envelope.id}-after-window")
        await eventually(lambda: _consumed(nats_server.url, 2 * len(rows)), timeout=20)
        assert await _count(audit, AuditEntry.__table__) == len(rows)
        assert await _count(audit, audit.inbox) == len(rows)


async def _consumed(url: str, n: int) -> bool:
    async with jetstream(url) as js:
        info = await js.consumer_info("ASSIST", "audit-230722")
    return info.delivered.stream_seq >= n and info.num_ack_pending == 0


async def test_a_batch_with_failed_publishes_marks_exactly_the_acked_rows(
    make_settings, nats_server
):
    """Rows whose publish failed stay unsent, the first failure is recorded, the rest are sent."""
    settings = make_settings("intake")
    app = create_intake(settings)
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await kit.relay.stop()
        good, bad = "assist.230722.intake.test_recorded", "elsewhere.230722.no_stream"
        subjects = [good] * 10
        subjects[3] = subjects[7] = bad  # no stream takes these: JetStream answers no one
        ids = await _insert_rows(kit, subjects)
        relay = OutboxRelay(kit.sessions, kit.outbox, kit.bus, settings)

        with pytest.raises(NoStreamResponseError):
            await relay.relay_pending()
        rows = await _outbox(kit)
        assert [row.event_id for row in rows if row.sent_at is None] == [ids[3], ids[7]]
        assert (rows[3].attempts, rows[7].attempts) == (1, 0)  # the first failure is recorded
        assert rows[3].last_error and "NoStreamResponse" in rows[3].last_error
        msgs = await stream_messages(nats_server.url)
        acked = [event_id for i, event_id in enumerate(ids) if i not in (3, 7)]
        assert [m.headers["Nats-Msg-Id"] for m in msgs] == acked
        assert {row.event_id: row.stream_seq for row in rows if row.sent_at} == {
            m.headers["Nats-Msg-Id"]: m.metadata.sequence.stream for m in msgs}

        async with kit.sessions() as session, session.begin():
            await session.execute(kit.outbox.update().values(nats_subject=good))
        assert await relay.relay_pending() == 2  # the next batch starts from the oldest unsent
        assert await relay.relay_pending() == 0
        assert sorted(m.headers["Nats-Msg-Id"] for m in await stream_messages(
            nats_server.url)) == ids


class StopNatsAfterAcks:
    """The service's bus, except that NATS stops once the first ``acks`` publishes of a batch
    are acknowledged (and before the next one is sent)."""

    def __init__(self, bus: Any, acks: int, stop: Any) -> None:
        self._bus, self._acks, self._stop = bus, acks, stop
        self._futures: list[asyncio.Future[Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)

    @property
    def js(self) -> Any:
        return self

    async def publish_async(self, *args: Any, **kwargs: Any) -> Any:
        if len(self._futures) == self._acks:
            await asyncio.wait(self._futures)
            self._stop()
        future = await self._bus.js.publish_async(*args, **kwargs)
        self._futures.append(future)
        return future


async def test_nats_stopped_midway_through_a_batch_marks_only_the_acked_rows(
    make_settings, nats_server
):
    """NATS goes away with part of a batch acked: exactly those rows are marked, with their
    stream sequence; after NATS is back the rest leave once each."""
    n, acks = 2000, 200
    settings = make_settings("intake", relay_batch_size=n, nats_connect_timeout_s=1.0)
    app = create_intake(settings)
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        await kit.relay.stop()
        ids = await _insert_rows(kit, ["assist.230722.intake.test_recorded"] * n)
        cut = OutboxRelay(kit.sessions, kit.outbox, StopNatsAfterAcks(kit.bus, acks,
                                                                      nats_server.stop),
                          settings)  # type: ignore[arg-type]

        with pytest.raises(Exception):  # noqa: B017 - no ack, or no room left to buffer
            await cut.relay_pending()
        marked = {row.event_id: row.stream_seq for row in await _outbox(kit) if row.sent_at}
        assert sorted(marked) == ids[:acks]

        nats_server.start()
        stored = {m.headers["Nats-Msg-Id"]: m.metadata.sequence.stream
                  for m in await stream_messages(nats_server.url)}
        assert {event_id: stored.get(event_id) for event_id in marked} == marked

        relay = OutboxRelay(kit.sessions, kit.outbox, kit.bus, settings)

        async def all_sent() -> bool:
            try:
                await relay.relay_pending()
            except Exception:  # noqa: BLE001 - still reconnecting
                await asyncio.sleep(0.2)
            return await relay.pending_count() == 0

        await eventually(all_sent, timeout=30)
        msgs = await stream_messages(nats_server.url)
        assert sorted(m.headers["Nats-Msg-Id"] for m in msgs) == ids  # each exactly once
