"""When a scheduled job runs next (shared.scheduler.rules): daily at a local time in
Asia/Shanghai, on a grid of an interval, monthly on a day with the month's end, and the job's
own checks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from shared.scheduler import Daily, Every, Job, Monthly
from shared.workdays import SHANGHAI


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


async def nothing(session) -> None:
    return None


def test_daily_at_00_05_shanghai_is_16_05_utc_the_day_before():
    daily = Daily(time(0, 5))
    assert daily.next_after(local(2026, 12, 5, 0, 0)) == datetime(2026, 12, 4, 16, 5, tzinfo=UTC)
    assert daily.next_after(local(2026, 12, 5, 0, 4, 59)) == local(2026, 12, 5, 0, 5)


def test_daily_is_strictly_after_the_instant():
    """At the run's own instant the next run is tomorrow's: a run never repeats itself."""
    daily = Daily(time(0, 5))
    assert daily.next_after(local(2026, 12, 5, 0, 5)) == local(2026, 12, 6, 0, 5)
    assert daily.next_after(local(2026, 12, 5, 23, 59)) == local(2026, 12, 6, 0, 5)


def test_daily_counts_days_in_shanghai_not_in_utc():
    """20:00 UTC on the 5th is already 04:00 on the 6th in Shanghai: next is 00:05 on the 7th."""
    daily = Daily(time(0, 5))
    assert daily.next_after(datetime(2026, 12, 5, 20, 0, tzinfo=UTC)) == local(2026, 12, 7, 0, 5)
    # 16:04 UTC on the 5th is 00:04 on the 6th: 00:05 on the 6th is a minute away
    assert daily.next_after(datetime(2026, 12, 5, 16, 4, tzinfo=UTC)) == local(2026, 12, 6, 0, 5)


def test_daily_over_the_year_end_and_a_leap_day():
    daily = Daily(time(0, 5))
    assert daily.next_after(local(2026, 12, 31, 12, 0)) == local(2027, 1, 1, 0, 5)
    assert daily.next_after(local(2028, 2, 28, 12, 0)) == local(2028, 2, 29, 0, 5)


def test_an_interval_runs_on_a_grid_from_a_local_midnight():
    every = Every(timedelta(hours=6))
    assert every.next_after(local(2026, 12, 5, 7, 30)) == local(2026, 12, 5, 12, 0)
    assert every.next_after(local(2026, 12, 5, 12, 0)) == local(2026, 12, 5, 18, 0)
    assert every.next_after(local(2026, 12, 5, 23, 0)) == local(2026, 12, 6, 0, 0)


def test_a_short_interval_is_the_next_step_of_its_grid():
    every = Every(timedelta(minutes=5))
    at = local(2026, 12, 5, 10, 2, 30)
    assert every.next_after(at) == local(2026, 12, 5, 10, 5)
    assert every.next_after(every.next_after(at)) == local(2026, 12, 5, 10, 10)
    assert Every(timedelta(seconds=1)).next_after(at) == at + timedelta(seconds=1)


def test_monthly_on_a_day_and_at_a_time():
    monthly = Monthly(10, time(2, 0))
    assert monthly.next_after(local(2026, 12, 5)) == local(2026, 12, 10, 2, 0)
    assert monthly.next_after(local(2026, 12, 10, 2, 0)) == local(2027, 1, 10, 2, 0)
    assert monthly.next_after(local(2026, 12, 31, 23, 0)) == local(2027, 1, 10, 2, 0)


def test_monthly_on_the_31st_runs_on_each_month_s_last_day():
    """Month ends: a month shorter than the day runs on its last day (28, 29, 30)."""
    monthly = Monthly(31, time(0, 5))
    runs, at = [], local(2027, 1, 1)
    for _ in range(5):
        at = monthly.next_after(at)
        runs.append(at.astimezone(SHANGHAI).date().isoformat())
    assert runs == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    assert Monthly(30).next_after(local(2028, 2, 1)) == local(2028, 2, 29)
    assert Monthly(29).next_after(local(2028, 2, 29, 0, 0)) == local(2028, 3, 29)


def test_monthly_on_the_first_at_00_05_seen_from_utc():
    """16:10 UTC on 31 January is 00:10 on 1 February in Shanghai: that run has passed."""
    monthly = Monthly(1, time(0, 5))
    assert monthly.next_after(datetime(2027, 1, 31, 16, 0, tzinfo=UTC)) == local(2027, 2, 1, 0, 5)
    assert monthly.next_after(datetime(2027, 1, 31, 16, 10, tzinfo=UTC)) == local(2027, 3, 1, 0, 5)


def test_the_description_names_the_schedule():
    assert Daily(time(0, 5)).describe() == "daily at 00:05:00 Asia/Shanghai"
    assert Every(timedelta(minutes=5)).describe() == "every 0:05:00"
    assert "or the month's last" in Monthly(31).describe()
    assert "or the month's last" not in Monthly(28).describe()


@pytest.mark.parametrize("make", [
    lambda: Every(timedelta(0)),
    lambda: Monthly(0),
    lambda: Monthly(32),
    lambda: Daily(time(0, 5, tzinfo=UTC)),
])
def test_impossible_schedules_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Daily().next_after(datetime(2026, 12, 5))


@pytest.mark.parametrize("name", ["", "Close", "1st", "close-notices", "x" * 65])
def test_a_job_name_is_a_plain_identifier(name):
    with pytest.raises(ValueError, match="job name"):
        Job(name, nothing, Daily())


def test_a_job_s_catch_up_and_timeout_are_checked():
    assert Job("close_notices", nothing, Daily(time(0, 5))).catch_up == "once"
    with pytest.raises(ValueError):
        Job("x", nothing, Daily(), catch_up="all")
    with pytest.raises(ValueError):
        Job("x", nothing, Daily(), timeout=timedelta(0))
