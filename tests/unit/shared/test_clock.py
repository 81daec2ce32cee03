"""The injectable clock (shared.clock): set, frozen, moved ahead, read through a session's
info."""

import time
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from shared.clock import SESSION_KEY, Clock, now_of, today_of


def test_a_set_clock_reads_the_instant_and_runs_on() -> None:
    clock = Clock(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC))
    first = clock.now()
    assert datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC) <= first
    assert first - datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC) < timedelta(seconds=5)
    assert clock.now() >= first
    assert clock.shifted


def test_a_frozen_clock_stands_still_until_set_again_and_advances_frozen() -> None:
    """The last second of a day stays the last second, however long the steps after it take."""
    last_second = datetime(2026, 12, 15, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))
    clock = Clock()
    clock.set(last_second, frozen=True)
    first = clock.now()
    time.sleep(0.01)
    assert clock.now() == first == last_second and first.tzinfo is UTC
    assert clock.today() == date(2026, 12, 15)
    assert clock.shifted
    assert clock.advance(timedelta(seconds=1)) == datetime(2026, 12, 15, 16, 0, tzinfo=UTC)
    time.sleep(0.01)
    assert clock.now() == datetime(2026, 12, 15, 16, 0, tzinfo=UTC)  # still frozen
    clock.set(last_second)  # runs on from there
    time.sleep(0.01)
    assert last_second < clock.now() < last_second + timedelta(seconds=5)
    clock.set(last_second, frozen=True)
    clock.resume_system_time()
    assert not clock.shifted
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_today_is_the_shanghai_day() -> None:
    """23:30 UTC on the 31st is already the 1st in Asia/Shanghai (R-AP-7 counts there)."""
    clock = Clock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2027, 1, 1)


def test_advance_moves_days_ahead_and_resume_reads_system_time() -> None:
    clock = Clock(datetime(2026, 12, 1, 4, 0, tzinfo=UTC))
    moved = clock.advance(timedelta(days=8))
    assert moved.date() == date(2026, 12, 9)
    clock.resume_system_time()
    assert not clock.shifted
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(datetime(2026, 12, 1))


def test_sessions_read_the_clock_they_carry_or_the_system_time() -> None:
    clock = Clock(datetime(2030, 6, 1, 1, 0, tzinfo=UTC))
    with_clock = SimpleNamespace(info={SESSION_KEY: clock})
    assert today_of(with_clock) == date(2030, 6, 1)
    assert now_of(with_clock).year == 2030
    without = SimpleNamespace(info={})
    assert abs(now_of(without) - datetime.now(UTC)) < timedelta(seconds=5)
