"""The service's clock: the time every rule reads, injectable so tests can move days ahead.

One :class:`Clock` per running service (``kit.clock``). It reads the system time until a test
(or a demo) sets it to an instant or moves it forward; from then on it runs from there, so
deadlines, notices that close at the end of day 7 and the months of the roll can be tried
without waiting. Set ``frozen``, it stands still at that instant instead, for a test that must
read it exactly however long its steps take (the last second of a day, say). Rules reach it
from what they already hold: a request through the ``Now`` and ``Today`` dependencies, a service
function or an event handler through its session (:func:`now_of`, :func:`today_of`), a
scheduled job through the kit.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.workdays import SHANGHAI

SESSION_KEY = "clock"


class Clock:
    """System time, or system time shifted to a chosen instant (``set``, ``advance``), or a
    chosen instant held still (``set(at, frozen=True)``)."""

    def __init__(self, at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: datetime | None = None
        if at is not None:
            self.set(at)

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        return datetime.fromtimestamp(time.time() + self._offset, UTC)

    def today(self) -> date:
        """The current day in the Asia/Shanghai calendar (the day every deadline counts in)."""
        return self.now().astimezone(SHANGHAI).date()

    def set(self, at: datetime, *, frozen: bool = False) -> None:
        """From now on the clock reads ``at`` and runs on from there; ``frozen``, it stands
        still at ``at`` (``advance`` moves it, still frozen) until set again or resumed."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("the clock is set to a timezone-aware instant")
        with self._lock:
            self._offset = at.timestamp() - time.time()
            self._frozen_at = at.astimezone(UTC) if frozen else None

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward (a negative ``by`` moves it back); returns the new instant. A
        frozen clock stays frozen, at the new instant."""
        with self._lock:
            self._offset += by.total_seconds()
            if self._frozen_at is not None:
                self._frozen_at += by
        return self.now()

    def resume_system_time(self) -> None:
        """Read the system time again (a frozen clock runs again)."""
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None

    @property
    def shifted(self) -> bool:
        return self._offset != 0.0 or self._frozen_at is not None


def session_clock(info: dict[str, Any]) -> Clock:
    """The clock a sessionmaker's ``info`` carries (the system clock if none was given)."""
    clock = info.get(SESSION_KEY)
    return clock if isinstance(clock, Clock) else _SYSTEM


def now_of(session: Any) -> datetime:
    """The service's current instant, from a session of the service (rules, handlers)."""
    return session_clock(session.info).now()


def today_of(session: Any) -> date:
    """The service's current Asia/Shanghai day, from a session of the service."""
    return session_clock(session.info).today()


_SYSTEM = Clock()
