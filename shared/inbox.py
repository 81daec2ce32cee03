"""The inbox and the durable consumer: each event's effect and its handled id in one transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog
from nats.aio.msg import Msg
from pydantic import ValidationError
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import context
from shared.bus import Bus
from shared.db import UTCDateTime, unit_of_work, utcnow
from shared.events import SUBJECT_ROOT, Envelope
from shared.settings import Settings
from shared.tasks import stop_task

log = structlog.get_logger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
ALL_EVENTS = "*"


def inbox_table(metadata: MetaData) -> Table:
    """Ids of the events a service has handled, written with the handler's effect."""
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", UTCDateTime(), nullable=False),
    )


def durable_name(service: str, county: str) -> str:
    """The durable consumer of a service in a county: unique on a NATS cluster shared by many."""
    return f"{service}-{county}"


def filter_subjects(handlers: Mapping[str, Handler], county: str) -> list[str]:
    """This county's subjects for handler keys ``<service>.<event>``, or ``*`` for all.

    Installations that share a NATS cluster (a province) never consume each other's events.
    """
    if ALL_EVENTS in handlers:
        return [f"{SUBJECT_ROOT}.{county}.>"]
    return [f"{SUBJECT_ROOT}.{county}.{key}" for key in sorted(handlers)]


class _AlreadyHandled(Exception):
    """The inbox already holds this event id."""


@dataclass
class Consumer:
    """A durable pull consumer that hands each event to its handler exactly once in effect."""

    durable: str
    handlers: Mapping[str, Handler]
    sessions: async_sessionmaker[AsyncSession]
    inbox: Table
    bus: Bus
    settings: Settings
    after_commit: Callable[[AsyncSession], None] | None = None

    def __post_init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self.failing: dict[str, dict[str, object]] = {}
        """Events whose handler failed and that wait for redelivery, by event id."""

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        await stop_task(self._task)

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self.bus.wait_ready()
                subjects = filter_subjects(self.handlers, self.settings.county)
                await self.bus.ensure_consumer(self.durable, subjects)
                sub = await self.bus.js.pull_subscribe_bind(
                    durable=self.durable, stream=self.settings.stream
                )
                backoff = 0.2
                while True:
                    try:
                        msgs = await sub.fetch(self.settings.consumer_batch_size, timeout=1.0)
                    except TimeoutError:  # nats' fetch timeouts are asyncio.TimeoutError too
                        continue
                    for msg in msgs:
                        await self.handle_message(msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS away or restarted: resubscribe
                log.warning("consumer_retry", durable=self.durable, error=repr(exc),
                            retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def handle_message(self, msg: Msg) -> None:
        try:
            envelope = Envelope.from_json(msg.data)
        except ValidationError as exc:
            log.error("event_unreadable", subject=msg.subject, error=str(exc))
            await msg.term()
            return
        try:
            await self.handle(envelope)
        except Exception as exc:  # noqa: BLE001 - redeliver later
            delivered = msg.metadata.num_delivered if msg.metadata else 1
            delay = min(0.5 * 2 ** min(delivered, 6), 30.0)
            log.exception("event_handler_failed", event_id=envelope.id, type=envelope.type,
                          error=repr(exc), redeliver_in_s=delay)
            self.failing[envelope.id] = {"event_id": envelope.id, "type": envelope.type,
                                         "deliveries": delivered, "error": repr(exc)[:300]}
            with contextlib.suppress(Exception):
                await msg.nak(delay=delay)
            return
        self.failing.pop(envelope.id, None)
        await msg.ack()

    def handler_for(self, envelope: Envelope) -> Handler | None:
        key = f"{envelope.service}.{envelope.event}"
        return self.handlers.get(key) or self.handlers.get(ALL_EVENTS)

    async def handle(self, envelope: Envelope) -> bool:
        """Apply one event unless its id is in the inbox; returns whether it had an effect."""
        handler = self.handler_for(envelope)
        if handler is None:
            return False
        tokens = (
            context.current_actor.set(context.system_actor(self.settings.service)),
            context.correlation_id.set(envelope.correlationid),
            context.request_id.set(None),
        )
        structlog.contextvars.bind_contextvars(correlation_id=envelope.correlationid,
                                               event_id=envelope.id)
        try:
            async with unit_of_work(self.sessions, self.after_commit) as session:
                seen = await session.scalar(
                    select(self.inbox.c.event_id).where(self.inbox.c.event_id == envelope.id)
                )
                if seen is not None:
                    return False
                try:
                    await session.execute(
                        self.inbox.insert().values(event_id=envelope.id,
                                                   event_type=envelope.type, handled_at=utcnow())
                    )
                except IntegrityError as exc:
                    raise _AlreadyHandled from exc
                await handler(session, envelope)
            return True
        except _AlreadyHandled:
            # A replica handled the same event at the same moment: its effect stands.
            log.info("event_already_handled", event_id=envelope.id)
            return False
        finally:
            context.current_actor.reset(tokens[0])
            context.correlation_id.reset(tokens[1])
            context.request_id.reset(tokens[2])
            structlog.contextvars.unbind_contextvars("event_id")
