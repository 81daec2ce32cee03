"""When a scheduled job runs next: every interval, daily at a local time, monthly on a day.

Pure functions of an instant (no clock, no database). Local times are Asia/Shanghai, the
calendar every deadline counts in; instants are timezone-aware and come back in UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from shared.workdays import SHANGHAI

ANCHOR = datetime(2000, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
"""Where the grid of an interval starts: a local midnight, so ``Every(hours=6)`` runs at
00:00, 06:00, 12:00 and 18:00 Asia/Shanghai."""


class Schedule(Protocol):
    """When a job runs."""

    def next_after(self, instant: datetime) -> datetime:
        """The first run strictly after ``instant`` (UTC)."""
        ...

    def describe(self) -> str:
        """In words; stored with the job, so a changed schedule is noticed."""
        ...


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a schedule counts from a timezone-aware instant")
    return instant.astimezone(UTC)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI).astimezone(UTC)


def _check_time(at: time) -> None:
    if at.tzinfo is not None:
        raise ValueError("a job's time of day is local (Asia/Shanghai): give it without a zone")


@dataclass(frozen=True)
class Every:
    """Every ``interval``, on a grid from a local midnight (not from the last run)."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval < timedelta(seconds=1):
            raise ValueError("a job's interval is one second at least")

    def next_after(self, instant: datetime) -> datetime:
        periods = (_aware(instant) - ANCHOR) // self.interval
        return ANCHOR + (periods + 1) * self.interval

    def describe(self) -> str:
        return f"every {self.interval}"


@dataclass(frozen=True)
class Daily:
    """Every day at ``at`` Asia/Shanghai time."""

    at: time = time(0, 0)

    def __post_init__(self) -> None:
        _check_time(self.at)

    def next_after(self, instant: datetime) -> datetime:
        instant = _aware(instant)
        day = instant.astimezone(SHANGHAI).date()
        while (candidate := _local(day, self.at)) <= instant:
            day += timedelta(days=1)
        return candidate

    def describe(self) -> str:
        return f"daily at {self.at.isoformat()} Asia/Shanghai"


@dataclass(frozen=True)
class Monthly:
    """Every month on ``day`` at ``at`` Asia/Shanghai time; a month shorter than ``day`` runs
    on its last day (``day=31``: the last day of every month)."""

    day: int
    at: time = time(0, 0)

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError("a monthly job's day is 1 to 31")
        _check_time(self.at)

    def on(self, year: int, month: int) -> datetime:
        """This month's run."""
        last = calendar.monthrange(year, month)[1]
        return _local(date(year, month, min(self.day, last)), self.at)

    def next_after(self, instant: datetime) -> datetime:
        instant = _aware(instant)
        local = instant.astimezone(SHANGHAI)
        year, month = local.year, local.month
        while (candidate := self.on(year, month)) <= instant:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return candidate

    def describe(self) -> str:
        last = " (or the month's last)" if self.day > 28 else ""
        return f"monthly on day {self.day}{last} at {self.at.isoformat()} Asia/Shanghai"
