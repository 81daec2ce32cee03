"""What ``/readyz`` reports, fast under load: one probe at a time, its answer shared.

A load balancer or ``make run`` asks often, and must get an answer at once even while the
service is busy. So a readiness check never queues: the database ping and the backlog counts
read beside the units of work (``shared.db.probe``), every request shares the probe in flight
instead of starting its own, and a request that would wait longer than ``ANSWER_WITHIN_S``
gets the last finished probe instead, marked with its age, as long as that one is recent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.db import ping

if TYPE_CHECKING:
    from shared.service import ServiceKit

ANSWER_WITHIN_S = 0.010
"""How long a request waits for the probe in flight before it takes the last finished one."""
STALE_AFTER_S = 2.0
"""A finished probe older than this is never answered in place of a fresh one."""
PROBE_TIMEOUT_S = 2.0
"""A dependency that has not answered the probe by then is unreachable."""
FAILING_SHOWN = 20


@dataclass(frozen=True)
class Snapshot:
    """One probe's findings."""

    checks: dict[str, str]
    backlog: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    def body(self) -> dict[str, Any]:
        """The fields of the /readyz answer, with the probe's age in ms."""
        age_ms = round((time.monotonic() - self.at) * 1000)
        return {"checks": self.checks, **self.backlog, "checked_ms_ago": age_ms}


class Readiness:
    """The probes of one running service."""

    def __init__(self, kit: ServiceKit) -> None:
        self.kit = kit
        self._probe: asyncio.Task[Snapshot] | None = None
        self._last: Snapshot | None = None

    async def snapshot(self) -> Snapshot:
        """A fresh probe if it answers within ``ANSWER_WITHIN_S``, else the last recent one;
        with neither, wait for the probe (bounded by ``PROBE_TIMEOUT_S``)."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._run(), name="readiness-probe")
        probe = self._probe
        done, _ = await asyncio.wait({probe}, timeout=ANSWER_WITHIN_S)
        if not done and self._last is not None \
                and time.monotonic() - self._last.at < STALE_AFTER_S:
            return self._last
        return await asyncio.shield(probe)  # bounded: every step of _run has a timeout

    async def _run(self) -> Snapshot:
        database, unsent, parked = await asyncio.gather(
            self._database(), self._bounded(self.kit.relay.pending_count()),
            self._bounded(self.kit.dead_letters.summary()))
        checks = {"database": database,
                  "nats": "ok" if self.kit.bus.connected else "unreachable"}
        consumer = self.kit.consumer
        failing = list(consumer.failing.values()) if consumer else []
        snapshot = Snapshot(checks=checks, backlog={
            "outbox_unsent": unsent, "events_failing": failing[:FAILING_SHOWN],
            "events_failing_count": len(failing), "dead_letters": parked})
        self._last = snapshot
        return snapshot

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
