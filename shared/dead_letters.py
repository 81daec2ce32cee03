"""Dead letters: events a consumer could not apply, parked instead of retried forever.

An event that fails permanently, or *not yet* past ``consumer_max_deliveries``, is kept here with
its envelope as it travelled, the error, the deliveries and when it was first and last seen; its
message is terminated on the stream. An operator lists them and redrives one, or all of a type,
through the consumer's own inbox path, so a redriven event still takes effect at most once;
every redrive is itself an event (``dead_letter_redriven``) and so an entry of the operation log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import context
from shared.contracts.kit import DeadLetterRedriven
from shared.db import UTCDateTime, probe, unit_of_work, utcnow
from shared.events import Envelope
from shared.outbox import BIGINT, emit
from shared.problems import Conflict, NotFound

if TYPE_CHECKING:
    from shared.inbox import Consumer

log = structlog.get_logger(__name__)

PARKED = "parked"
REDRIVEN = "redriven"


def dead_letter_table(metadata: MetaData) -> Table:
    """Events parked by the service's consumer, one row per event id."""
    return Table(
        "dead_letter",
        metadata,
        Column("id", BIGINT, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False, index=True),
        Column("nats_subject", String(300), nullable=False),
        Column("record_id", String(100), nullable=True),
        Column("payload", Text, nullable=False, comment="the envelope as it travelled"),
        Column("failure", String(20), nullable=False, comment="permanent or not_yet"),
        Column("error", Text, nullable=False),
        Column("deliveries", Integer, nullable=False),
        Column("first_seen", UTCDateTime(), nullable=False),
        Column("last_seen", UTCDateTime(), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("redrives", Integer, nullable=False, default=0),
        Column("redriven_at", UTCDateTime(), nullable=True),
        Column("redriven_by", String(100), nullable=True),
        Column("outcome", String(20), nullable=True),
    )


@dataclass(frozen=True)
class RedriveResult:
    id: int
    event_id: str
    event_type: str
    outcome: str
    error: str | None


@dataclass
class DeadLetters:
    """The dead letters of one service."""

    sessions: async_sessionmaker[AsyncSession]
    table: Table
    consumer: Consumer | None = None

    async def park(self, envelope: Envelope, *, error: str, failure: str, deliveries: int,
                   first_seen: datetime) -> None:
        """Keep a failed event (again, if it was parked and redriven before)."""
        await self._upsert(event_id=envelope.id, event_type=envelope.type,
                           nats_subject=envelope.nats_subject, record_id=envelope.subject,
                           payload=envelope.to_json().decode(), error=error, failure=failure,
                           deliveries=deliveries, first_seen=first_seen)

    async def park_raw(self, subject: str, data: bytes, *, error: str, deliveries: int,
                       first_seen: datetime) -> None:
        """Keep bytes that are no envelope at all, under a made-up id."""
        await self._upsert(event_id=f"unreadable:{context.new_id()}",
                           event_type="(unreadable)", nats_subject=subject, record_id=None,
                           payload=data.decode("utf-8", errors="replace"), error=error,
                           failure="permanent", deliveries=deliveries, first_seen=first_seen)

    async def _upsert(self, *, event_id: str, first_seen: datetime, **values: Any) -> None:
        now = utcnow()
        async with unit_of_work(self.sessions) as session:
            existing = await session.scalar(
                select(self.table.c.id).where(self.table.c.event_id == event_id))
            if existing is None:
                await session.execute(self.table.insert().values(
                    event_id=event_id, first_seen=min(first_seen, now), last_seen=now,
                    status=PARKED, redrives=0, **values))
            else:
                await session.execute(update(self.table).where(self.table.c.id == existing)
                                      .values(last_seen=now, status=PARKED, **values))

    async def summary(self) -> dict[str, Any]:
        """For /readyz: how many are parked and the oldest of them; read beside the queue of
        units of work, so a health check never waits behind them (``shared.db.probe``)."""
        parked: Any = select(func.count(), func.min(self.table.c.first_seen)).where(
            self.table.c.status == PARKED)
        row: Any = await probe(self.sessions.kw["bind"], parked)
        count, oldest = (row[0], row[1]) if row is not None else (0, None)
        return {"count": int(count or 0), "oldest": oldest.isoformat() if oldest else None}

    async def list(self, session: AsyncSession, *, status: str | None, event_type: str | None,
                   limit: int, after_id: int | None) -> Sequence[Any]:
        query = select(self.table).order_by(self.table.c.id).limit(limit)
        if status:
            query = query.where(self.table.c.status == status)
        if event_type:
            query = query.where(self.table.c.event_type == event_type)
        if after_id is not None:
            query = query.where(self.table.c.id > after_id)
        return (await session.execute(query)).mappings().all()

    async def get(self, session: AsyncSession, letter_id: int) -> Any:
        row = (await session.execute(
            select(self.table).where(self.table.c.id == letter_id))).mappings().first()
        if row is None:
            raise NotFound(f"no dead letter {letter_id}")
        return row

    async def redrive(self, session: AsyncSession, letter_id: int) -> RedriveResult:
        """Run a parked event through the consumer's inbox path again, in this transaction.

        Applied: its effect and the letter's new status commit together. Already handled: the
        inbox holds it, nothing changes. Failed: the effect is rolled back to a savepoint, the
        letter keeps its place with the new error. Each outcome is logged as an event.
        """
        if self.consumer is None:
            raise Conflict("this service consumes no events")
        letter = await self.get(session, letter_id)
        try:
            envelope = Envelope.from_json(letter["payload"])
        except ValueError as exc:
            raise Conflict(f"dead letter {letter_id} is no readable event; it cannot be "
                           "redriven", error=str(exc)[:300]) from exc
        error: str | None = None
        try:
            async with session.begin_nested():
                applied = await self.consumer.apply_in(session, [envelope])
            outcome = "applied" if applied else "already_handled"
        except Exception as exc:  # noqa: BLE001 - reported, the letter stays parked
            outcome, error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        actor = context.current_actor.get()
        values: dict[str, Any] = {"redrives": self.table.c.redrives + 1,
                                  "redriven_at": utcnow(), "redriven_by": actor.user_id,
                                  "outcome": outcome}
        if outcome == "failed":
            values["error"] = error
        else:
            values["status"] = REDRIVEN
        await session.execute(update(self.table).where(self.table.c.id == letter_id)
                              .values(**values))
        await emit(session, DeadLetterRedriven(
            dead_letter_id=letter_id, event_id=letter["event_id"],
            event_type=letter["event_type"], outcome=outcome, error=error,
            parked_at=letter["last_seen"],
        ), subject=letter["event_id"], division=envelope.division)
        log.info("dead_letter_redriven", dead_letter_id=letter_id, event_id=letter["event_id"],
                 outcome=outcome)
        return RedriveResult(letter_id, letter["event_id"], letter["event_type"], outcome, error)
