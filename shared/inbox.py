"""The inbox and the durable consumer: each event's effect and its handled id in one transaction.

A consumer fetches a batch and applies it in one transaction (inbox rows in bulk); if anything in
the batch fails, the batch is rolled back and applied event by event, so one bad event neither
blocks nor poisons the others. A failure is either *not yet* (``NotYet``, the database or NATS
away: retried with backoff) or *permanent* (the data breaks its contract, a rule refuses it:
``Rejected``). A permanent failure, or a *not yet* past ``consumer_max_deliveries``, parks the
event in the service's ``dead_letter`` table and terminates the message (shared.dead_letters).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import structlog
from nats.aio.msg import Msg
from pydantic import ValidationError
from sqlalchemy import Column, Insert, MetaData, String, Table
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import context
from shared.bus import Bus
from shared.contracts.base import ANY_SERVICE, EventContract, contract_for
from shared.db import UTCDateTime, unit_of_work, upsert_insert, utcnow
from shared.events import SUBJECT_ROOT, Envelope
from shared.outbox import gathered
from shared.sealing import Sealer, SealError
from shared.settings import Settings
from shared.tasks import stop_task

log = structlog.get_logger(__name__)

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
"""``handler(session, data, envelope)``: ``data`` is the event's contract, validated."""
EnvelopeHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
"""A handler of every event of the county, given the envelope as it travelled (the audit log)."""

BatchHook = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]
"""``hook(session, envelopes)``: called once per transaction with the events the batch handles
(all of them, in order). Before the first handler (:func:`prepared_by`), a module reads there at
once what its handler would read event by event; after the last (:func:`completed_by`), it
writes at once what its handler gathered. Either must change nothing a handler would not."""

FailureKind = Literal["not_yet", "permanent"]

H = TypeVar("H", bound=Callable[..., Awaitable[None]])


def prepared_by(hook: BatchHook) -> Callable[[H], H]:
    """Mark a handler whose module prepares a whole batch at once (``BatchHook``); the
    subscription calls each distinct hook of its handlers once per transaction."""
    return _marking("batch_hooks", hook)


def completed_by(hook: BatchHook) -> Callable[[H], H]:
    """Mark a handler whose module completes a whole batch at once, after its last event."""
    return _marking("batch_after_hooks", hook)


def _marking(name: str, hook: BatchHook) -> Callable[[H], H]:
    def mark(handler: H) -> H:
        hooks = getattr(handler, name, ())
        if hook not in hooks:
            setattr(handler, name, (*hooks, hook))
        return handler

    return mark


def batch_hooks(handler: Callable[..., Any]) -> tuple[BatchHook, ...]:
    return getattr(handler, "batch_hooks", ())


def batch_after_hooks(handler: Callable[..., Any]) -> tuple[BatchHook, ...]:
    return getattr(handler, "batch_after_hooks", ())


def combine_handlers(
    *tables: Mapping[type[EventContract], Handler],
) -> dict[type[EventContract], Handler]:
    """One handler table from several modules' tables: a contract more than one module handles
    gets a handler that calls each of them in the order given, in the same transaction (so all
    or none take the event). ``{**a, **b}`` would silently keep only ``b``'s handler."""
    chains: dict[type[EventContract], list[Handler]] = {}
    for table in tables:
        for contract, handler in table.items():
            chain = chains.setdefault(contract, [])
            if handler not in chain:  # the same function twice is still one handling
                chain.append(handler)
    return {contract: chain[0] if len(chain) == 1 else _in_turn(tuple(chain))
            for contract, chain in chains.items()}


def _in_turn(chain: tuple[Handler, ...]) -> Handler:
    async def each(session: AsyncSession, data: Any, envelope: Envelope) -> None:
        for handler in chain:
            await handler(session, data, envelope)

    for handler in chain:
        for hook in batch_hooks(handler):
            prepared_by(hook)(each)
        for hook in batch_after_hooks(handler):
            completed_by(hook)(each)
    return each


class NotYet(Exception):
    """The event cannot take effect yet (what it depends on has not arrived): retry later."""


class Rejected(Exception):
    """The event can never take effect as it is (it breaks its contract, a rule refuses it)."""


def failure_kind(exc: BaseException) -> FailureKind:
    """Permanent for a refused or unreadable event; *not yet* for everything that may pass."""
    if isinstance(exc, Rejected | SealError | ValidationError):
        return "permanent"
    return "not_yet"


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


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: handlers keyed by contract class, and perhaps every event."""

    handlers: Mapping[type[EventContract], Handler] = field(default_factory=dict)
    every_event: EnvelopeHandler | None = None
    _from_any: frozenset[str] = field(init=False, repr=False, compare=False,
                                      default=frozenset())
    _from_one: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False,
                                                  default=frozenset())
    hooks: tuple[BatchHook, ...] = field(init=False, repr=False, compare=False, default=())
    """The handlers' distinct batch hooks (:func:`prepared_by`), in the handlers' order."""
    after_hooks: tuple[BatchHook, ...] = field(init=False, repr=False, compare=False,
                                               default=())
    """The handlers' distinct hooks run after a batch's last handler (:func:`completed_by`)."""

    def __post_init__(self) -> None:
        for contract in self.handlers:
            if not (isinstance(contract, type) and issubclass(contract, EventContract)
                    and "event" in contract.__dict__):
                raise TypeError(f"handler key {contract!r} is not an event contract")
        # What ``handles`` looks up, once: (service, event) pairs, and the kit's events by name.
        object.__setattr__(self, "_from_any", frozenset(
            c.event for c in self.handlers if c.service == ANY_SERVICE))
        object.__setattr__(self, "_from_one", frozenset(
            (c.service, c.event) for c in self.handlers if c.service != ANY_SERVICE))
        handlers: list[Callable[..., Any]] = [*self.handlers.values()]
        if self.every_event is not None:
            handlers.append(self.every_event)
        object.__setattr__(self, "hooks", tuple(dict.fromkeys(
            hook for handler in handlers for hook in batch_hooks(handler))))
        object.__setattr__(self, "after_hooks", tuple(dict.fromkeys(
            hook for handler in handlers for hook in batch_after_hooks(handler))))

    def __bool__(self) -> bool:
        return bool(self.handlers) or self.every_event is not None

    def subjects(self, county: str) -> list[str]:
        """This county's subjects: installations sharing a NATS cluster never mix events."""
        if self.every_event is not None:
            return [f"{SUBJECT_ROOT}.{county}.>"]
        return sorted({
            f"{SUBJECT_ROOT}.{county}.{'*' if c.service == ANY_SERVICE else c.service}.{c.event}"
            for c in self.handlers
        })

    def handles(self, envelope: Envelope) -> bool:
        if self.every_event is not None:
            return True
        event = envelope.event
        return event in self._from_any or (envelope.service, event) in self._from_one

    async def dispatch(self, session: AsyncSession, envelope: Envelope,
                       sealer: Sealer | None) -> None:
        """Validate the event's data against its contract once and hand it to the handler."""
        if self.every_event is not None:
            await self.every_event(session, envelope)
            return
        contract = contract_for(envelope.service, envelope.event, envelope.schemaversion)
        handler = self.handlers.get(contract) if contract is not None else None
        if contract is None or handler is None:
            versions = sorted(c.version for c in self.handlers if _matches(c, envelope))
            raise Rejected(f"{envelope.type} schema version {envelope.schemaversion} is not "
                           f"handled here (handled: {versions or 'none'})")
        data = envelope.data
        if sealer is not None:
            data = sealer.open(contract, data, event_id=envelope.id)
        try:
            model = contract.model_validate(data)
        except ValidationError as exc:
            raise Rejected(f"{envelope.type} breaks its contract {contract.name()}: "
                           f"{_errors(exc)}") from exc
        await handler(session, model, envelope)


def _matches(contract: type[EventContract], envelope: Envelope) -> bool:
    return contract.event == envelope.event and contract.service in (ANY_SERVICE,
                                                                     envelope.service)


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                     for e in exc.errors()[:5])


class _AlreadyHandled(Exception):
    """The inbox already holds this event id."""


@dataclass
class Consumer:
    """A durable pull consumer that hands each event to its handler exactly once in effect."""

    durable: str
    subscription: Subscription
    sessions: async_sessionmaker[AsyncSession]
    inbox: Table
    dead_letters: Any
    """The service's ``shared.dead_letters.DeadLetters``: where events that keep failing park."""
    bus: Bus
    settings: Settings
    sealer: Sealer | None = None
    after_commit: Callable[[AsyncSession], None] | None = None

    def __post_init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._claims: dict[str, Insert] = {}
        self.failing: dict[str, dict[str, object]] = {}
        """Events that failed *not yet* and wait for redelivery, by event id (bounded)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        await stop_task(self._task)

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self.bus.wait_ready()
                await self.bus.ensure_consumer(self.durable,
                                               self.subscription.subjects(self.settings.county))
                sub = await self.bus.js.pull_subscribe_bind(
                    durable=self.durable, stream=self.settings.stream
                )
                backoff = 0.2
                batch_size = self.settings.consumer_batch_size
                while True:
                    try:
                        msgs = await sub.fetch(batch_size, timeout=1.0)
                    except TimeoutError:  # nats' fetch timeouts are asyncio.TimeoutError too
                        continue
                    await self.handle_batch(msgs)
                    if len(msgs) < batch_size:
                        await asyncio.sleep(self.settings.consumer_linger_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS away or restarted: resubscribe
                log.warning("consumer_retry", durable=self.durable, error=repr(exc),
                            retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def handle_batch(self, msgs: Sequence[Msg]) -> None:
        """Apply a fetched batch in one transaction; on any failure, event by event."""
        readable: list[tuple[Msg, Envelope]] = []
        for msg in msgs:
            try:
                readable.append((msg, Envelope.from_json(msg.data)))
            except ValidationError as exc:
                await self._park_unreadable(msg, exc)
        if len(readable) > 1:
            try:
                await self.apply([envelope for _, envelope in readable])
            except Exception as exc:  # noqa: BLE001 - find the culprit one by one
                log.info("event_batch_failed", durable=self.durable, events=len(readable),
                         error=repr(exc)[:300])
            else:
                for msg, envelope in readable:
                    self.failing.pop(envelope.id, None)
                    await msg.ack()
                return
        for msg, envelope in readable:
            await self.handle_message(msg, envelope)

    async def handle_message(self, msg: Msg, envelope: Envelope) -> None:
        """Apply one event; on failure retry it later or park it."""
        try:
            await self.apply([envelope])
        except Exception as exc:  # noqa: BLE001 - classified below
            await self._failed(msg, envelope, exc)
            return
        self.failing.pop(envelope.id, None)
        await msg.ack()

    async def handle(self, envelope: Envelope) -> bool:
        """Apply one event unless its id is in the inbox; returns whether it had an effect."""
        return await self.apply([envelope]) > 0

    async def apply(self, envelopes: Sequence[Envelope]) -> int:
        """Apply events in one transaction, skipping those in the inbox; returns how many took
        effect. Raises whatever a handler raises, having rolled everything back."""
        async with unit_of_work(self.sessions, self.after_commit) as session:
            return await self.apply_in(session, envelopes)

    async def apply_in(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> int:
        """Apply events inside the caller's transaction (used by redrive too).

        One statement claims the events' ids in the inbox (``INSERT … ON CONFLICT DO NOTHING
        RETURNING``): an id already there, or one a replica's transaction has just inserted
        (PostgreSQL waits for that transaction, then skips the id if it committed), returns
        nothing, so only the claimed events reach their handlers.
        """
        wanted = {e.id: e for e in envelopes if self.subscription.handles(e)}
        if not wanted:
            return 0
        now = utcnow()
        rows = [{"event_id": e.id, "event_type": e.type, "handled_at": now}
                for e in wanted.values()]
        try:
            result = await session.execute(self._claim_statement(session),
                                           rows if len(rows) > 1 else rows[0])
            claimed = set(result.scalars())
        except IntegrityError as exc:
            # A replica handled one of them at the same moment: its effect stands.
            raise _AlreadyHandled(repr(exc)[:200]) from exc
        fresh = [e for e in wanted.values() if e.id in claimed]
        if not fresh:
            return 0
        async with gathered(session):  # what the handlers emit: one insert for the batch
            for hook in self.subscription.hooks:
                await hook(session, fresh)
            for envelope in fresh:
                with _handling(envelope, self.settings.service):
                    await self.subscription.dispatch(session, envelope, self.sealer)
            for hook in self.subscription.after_hooks:
                await hook(session, fresh)
        return len(fresh)

    def _claim_statement(self, session: AsyncSession) -> Insert:
        """The inbox's claiming statement for the session's engine, built once per dialect."""
        dialect = session.get_bind().dialect.name
        claim = self._claims.get(dialect)
        if claim is None:
            claim = self._claims[dialect] = (
                upsert_insert(session, self.inbox)
                .on_conflict_do_nothing(index_elements=[self.inbox.c.event_id])
                .returning(self.inbox.c.event_id))
        return claim

    async def _failed(self, msg: Msg, envelope: Envelope, exc: Exception) -> None:
        if isinstance(exc, _AlreadyHandled):
            log.info("event_already_handled", event_id=envelope.id)
            await msg.ack()
            return
        kind = failure_kind(exc)
        deliveries = msg.metadata.num_delivered if msg.metadata else 1
        deliveries = deliveries or 1
        if kind == "permanent" or deliveries >= self.settings.consumer_max_deliveries:
            try:
                await self.dead_letters.park(envelope, error=_describe(exc), failure=kind,
                                             deliveries=deliveries,
                                             first_seen=_stream_time(msg))
            except Exception as park_exc:  # noqa: BLE001 - database away: keep it on the stream
                log.error("event_not_parked", event_id=envelope.id, error=repr(park_exc))
            else:
                log.error("event_parked", event_id=envelope.id, type=envelope.type,
                          failure=kind, deliveries=deliveries, error=_describe(exc))
                self.failing.pop(envelope.id, None)
                with contextlib.suppress(Exception):
                    await msg.term()
                return
        delay = min(self.settings.consumer_retry_base_s * 2 ** min(deliveries - 1, 10),
                    self.settings.consumer_retry_max_s)
        log.warning("event_not_yet", event_id=envelope.id, type=envelope.type,
                    deliveries=deliveries, error=_describe(exc), redeliver_in_s=delay)
        if len(self.failing) < 1000 or envelope.id in self.failing:
            self.failing[envelope.id] = {"event_id": envelope.id, "type": envelope.type,
                                         "deliveries": deliveries, "error": _describe(exc)}
        with contextlib.suppress(Exception):
            await msg.nak(delay=delay)

    async def _park_unreadable(self, msg: Msg, exc: ValidationError) -> None:
        """Bytes that are no envelope at all: parked whole, never dropped silently."""
        deliveries = (msg.metadata.num_delivered if msg.metadata else 1) or 1
        try:
            await self.dead_letters.park_raw(msg.subject, msg.data, error=_errors(exc),
                                             deliveries=deliveries,
                                             first_seen=_stream_time(msg))
        except Exception as park_exc:  # noqa: BLE001
            log.error("event_not_parked", subject=msg.subject, error=repr(park_exc))
            with contextlib.suppress(Exception):
                await msg.nak(delay=self.settings.consumer_retry_max_s)
            return
        log.error("event_unreadable_parked", subject=msg.subject, error=_errors(exc))
        with contextlib.suppress(Exception):
            await msg.term()


@contextlib.contextmanager
def _handling(envelope: Envelope, service: str) -> Iterator[None]:
    """The system actor and the event's correlation id, for the events a handler emits."""
    tokens = (context.current_actor.set(context.system_actor(service)),
              context.correlation_id.set(envelope.correlationid),
              context.request_id.set(None))
    structlog.contextvars.bind_contextvars(correlation_id=envelope.correlationid,
                                           event_id=envelope.id)
    try:
        yield
    finally:
        context.current_actor.reset(tokens[0])
        context.correlation_id.reset(tokens[1])
        context.request_id.reset(tokens[2])
        structlog.contextvars.unbind_contextvars("event_id")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError):
        return f"database: {exc.orig!r}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def _stream_time(msg: Msg) -> datetime:
    """When the message entered the stream (else now)."""
    metadata = msg.metadata if msg.reply else None
    stamp = getattr(metadata, "timestamp", None) if metadata else None
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.fromtimestamp(time.time(), UTC)
