"""What ``/readyz`` reports, fast under load: one probe at a time, its answer shared.

A load balancer or ``make run`` asks often, and must get an answer at once even while the
service is busy. So a readiness check never queues: the database ping and the backlog counts
read beside the units of work (``shared.db.probe``), each bounded by ``PROBE_TIMEOUT_S``; every
request shares the probe in flight instead of starting its own; and a request whose probe is
not back within ``ANSWER_WITHIN_S`` (or that finds one already running longer than that) gets
the last finished probe instead, if it is under ``STALE_AFTER_S`` old: a cache of about a
second, used only while probes are slow. ``checked_ms_ago`` says how old the figures are. What
costs nothing to know — whether NATS is connected, the events waiting for redelivery — is read
when the answer is made.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.db import ping

if TYPE_CHECKING:
    from shared.service import ServiceKit

ANSWER_WITHIN_S = 0.020
"""How long a request waits for the probe before it takes the last recent one."""
STALE_AFTER_S = 1.0
"""A finished probe older than this is never answered in place of a fresh one."""
PROBE_TIMEOUT_S = 2.0
"""A dependency that has not answered the probe by then is unreachable."""
FAILING_SHOWN = 20


@dataclass(frozen=True)
class Snapshot:
    """One probe's findings: the database, and the backlog read from it."""

    database: str
    outbox_unsent: int | None
    dead_letters: dict[str, Any] | None
    jobs: dict[str, list[str]] | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Answer:
    """What /readyz says: the last probe, and what is known without one."""

    snapshot: Snapshot
    nats: str
    failing: list[Any]

    @property
    def checks(self) -> dict[str, str]:
        return {"database": self.snapshot.database, "nats": self.nats}

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    def body(self) -> dict[str, Any]:
        """The fields of the /readyz answer, with the probe's age in ms."""
        jobs = {"jobs": self.snapshot.jobs} if self.snapshot.jobs is not None else {}
        return {"checks": self.checks, "outbox_unsent": self.snapshot.outbox_unsent,
                "events_failing": self.failing[:FAILING_SHOWN],
                "events_failing_count": len(self.failing),
                "dead_letters": self.snapshot.dead_letters, **jobs,
                "checked_ms_ago": round((time.monotonic() - self.snapshot.at) * 1000)}


class Readiness:
    """The probes of one running service."""

    def __init__(self, kit: ServiceKit) -> None:
        self.kit = kit
        self._probe: asyncio.Task[Snapshot] | None = None
        self._probe_started = 0.0
        self._last: Snapshot | None = None

    @property
    def probing(self) -> bool:
        """A probe is in flight."""
        return self._probe is not None and not self._probe.done()

    async def answer(self) -> Answer:
        """The answer to /readyz, at once (see the module's docstring)."""
        snapshot = await self.snapshot()
        consumer = self.kit.consumer
        return Answer(snapshot=snapshot, nats="ok" if self.kit.bus.connected else "unreachable",
                      failing=list(consumer.failing.values()) if consumer else [])

    async def snapshot(self) -> Snapshot:
        """A fresh probe if it is back within ``ANSWER_WITHIN_S``, else the last one if it is
        recent; with neither, wait for the probe (bounded by ``PROBE_TIMEOUT_S``)."""
        now = time.monotonic()
        if not self.probing:
            self._probe = asyncio.create_task(self._run(), name="readiness-probe")
            self._probe_started = now
        probe, last = self._probe, self._last
        assert probe is not None
        recent = last is not None and now - last.at < STALE_AFTER_S
        if last is not None and recent and now - self._probe_started > ANSWER_WITHIN_S:
            return last  # a probe is slow already: no wait
        done, _ = await asyncio.wait({probe}, timeout=ANSWER_WITHIN_S)
        if last is not None and recent and not done:
            return last
        return await asyncio.shield(probe)  # bounded: every step of _run has a timeout

    async def _run(self) -> Snapshot:
        scheduler = self.kit.scheduler
        database, unsent, parked, jobs = await asyncio.gather(
            self._database(), self._bounded(self.kit.relay.pending_count()),
            self._bounded(self.kit.dead_letters.summary()),
            self._bounded(scheduler.summary()) if scheduler else asyncio.sleep(0))
        self._last = Snapshot(database=database, outbox_unsent=unsent, dead_letters=parked,
                              jobs=jobs)
        return self._last
    async def _database(self) -> str:
        try:
            await asyncio.wait_for(ping(self.kit.engine), PROBE_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return f"unreachable: {exc!r}"[:300]
        return "ok"

    @staticmethod
    async def _bounded(read: Any) -> Any:
        """A backlog figure, or None when it cannot be read in time (the database check
        already says why)."""
        try:
            return await asyncio.wait_for(read, PROBE_TIMEOUT_S)
        except Exception:  # noqa: BLE001
            return None
