"""Helpers for tests that publish to and read from the real JetStream ASSIST stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.events import Envelope
from shared.inbox import durable_name

STREAM = "ASSIST"


@asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[JetStreamContext]:
    """A JetStream context on its own connection, closed afterwards."""
    nc = await nats.connect(url)
    try:
        yield nc.jetstream()
    finally:
        await nc.close()


async def publish(url: str, *envelopes: Envelope, msg_id: str | None = None) -> None:
    """Publish on the ASSIST stream as a producer's relay does (Nats-Msg-Id = event id)."""
    async with jetstream(url) as js:
        for env in envelopes:
            await js.publish(env.nats_subject, env.to_json(), stream=STREAM,
                             headers={"Nats-Msg-Id": msg_id or env.id})


async def stream_messages(url: str, subject: str = "assist.>") -> list[Msg]:
    """Every message on ``subject`` in the ASSIST stream, headers included (ephemeral consumer).

    The stream's own count says how many to wait for, so a slow first fetch (a server just
    restarted, a loaded machine) waits for them instead of passing for an empty stream."""
    async with jetstream(url) as js:
        info = await js.stream_info(STREAM, subjects_filter=subject)
        expected = sum((info.state.subjects or {}).values())
        sub = await js.pull_subscribe(subject, stream=STREAM)
        found: list[Msg] = []
        while len(found) < expected:
            batch = await sub.fetch(min(50, expected - len(found)), timeout=10)
            for msg in batch:
                await msg.ack()
            found.extend(batch)
        return found


async def stream_events(url: str, subject: str = "assist.>") -> list[Envelope]:
    """Every envelope on ``subject`` in the ASSIST stream."""
    return [Envelope.from_json(msg.data) for msg in await stream_messages(url, subject)]


async def count_events(url: str, subject: str) -> int:
    """How many messages the ASSIST stream holds on ``subject`` (from the stream's own state)."""
    async with jetstream(url) as js:
        info = await js.stream_info(STREAM, subjects_filter=subject)
    return (info.state.subjects or {}).get(subject, 0)


async def consumer_drained(url: str, service: str, county: str = "230722") -> bool:
    """The service's durable consumer has acknowledged everything delivered to it."""
    async with jetstream(url) as js:
        try:
            info = await js.consumer_info(STREAM, durable_name(service, county))
        except NotFoundError:
            return False
    return info.num_pending == 0 and info.num_ack_pending == 0
