"""R-AP-7: working days follow the official calendar; unknown years are provisional."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.workdays import (
    SHANGHAI,
    Deadline,
    WorkingCalendar,
    YearCalendar,
    today_in_shanghai,
)

# A made-up 2027 (the State Council has not published it): New Year Friday 1 to Sunday 3.
YEAR_2027 = {"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": []}

package_ships_2027 = pytest.mark.skipif(
    WorkingCalendar().knows_year(2027),
    reason="chinese_calendar now ships 2027: move this test to its first unknown year",
)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_r_ap_7_known_years_come_from_the_package(calendar: WorkingCalendar) -> None:
    assert calendar.knows_year(2004)
    assert calendar.knows_year(2026)
    assert not calendar.knows_year(2003)
    assert not calendar.knows_year(2030)


def test_r_ap_7_national_day_2026_holidays_are_off(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(date(2026, 9, 25))  # Mid-Autumn, a Friday
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 10, 8))


def test_r_ap_7_adjusted_weekend_days_are_working_days(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert not calendar.is_working_day(date(2026, 10, 11))  # ordinary Sunday
    assert calendar.add_working_days(date(2026, 10, 9), 1) == Deadline(date(2026, 10, 10), False)


def test_r_ap_7_count_starts_the_day_after(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2026, 11, 2), 1) == Deadline(date(2026, 11, 3), False)
    assert calendar.add_working_days(date(2026, 9, 18), 1) == Deadline(date(2026, 9, 20), False)
    assert calendar.add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), False)


def test_r_ap_7_twenty_days_across_national_day_2026(calendar: WorkingCalendar) -> None:
    # 9-20(Sun), 21–24, 28–30, 10-08, 09, 10(Sat), 12–16, 19–22: twenty working days.
    assert calendar.add_working_days(date(2026, 9, 18), 20) == Deadline(date(2026, 10, 22), False)


def test_r_ap_7_unknown_year_counts_weekdays_and_is_provisional(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.is_working_day(date(2030, 1, 1))  # New Year, but no calendar for 2030
    assert not calendar.is_working_day(date(2030, 1, 5))
    assert calendar.add_working_days(date(2030, 1, 1), 10) == Deadline(date(2030, 1, 15), True)


@package_ships_2027
def test_r_ap_7_running_into_an_unknown_year_is_provisional(calendar: WorkingCalendar) -> None:
    # Dec 21–31 give 9 days; 2027-01-01 counts as a weekday; Jan 4–8 and 11–15 give 10 more.
    assert calendar.add_working_days(date(2026, 12, 20), 20) == Deadline(date(2027, 1, 15), True)


def test_r_ap_7_loaded_year_running_into_an_unknown_one_is_provisional() -> None:
    year_2040 = YearCalendar(2040, frozenset({date(2040, 12, 31)}))
    calendar = WorkingCalendar([year_2040])
    # 2040-12-31 (Monday) is off; 2041-01-01 and -02 are counted as weekdays.
    assert calendar.add_working_days(date(2040, 12, 28), 2) == Deadline(date(2041, 1, 2), True)
    assert calendar.add_working_days(date(2040, 12, 27), 1) == Deadline(date(2040, 12, 28), False)


def test_r_ap_7_start_day_in_an_unknown_year_is_not_examined(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2003, 12, 31), 1) == Deadline(date(2004, 1, 2), False)


def test_r_ap_7_unknown_day_inside_the_period_keeps_it_provisional(
    calendar: WorkingCalendar,
) -> None:
    # 2003-12-31 (no calendar, a Wednesday) is day 1; 2004-01-02 is day 2 in a known year.
    assert calendar.add_working_days(date(2003, 12, 30), 2) == Deadline(date(2004, 1, 2), True)


def test_r_ap_7_loaded_2027_makes_the_deadline_final(tmp_path: Path) -> None:
    (tmp_path / "2027.json").write_text(json.dumps(YEAR_2027), encoding="utf-8")
    calendar = WorkingCalendar.from_directory(tmp_path)
    assert calendar.knows_year(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.add_working_days(date(2026, 12, 20), 20) == Deadline(date(2027, 1, 18), False)


def test_r_ap_7_loaded_year_overrides_the_package() -> None:
    calendar = WorkingCalendar([YearCalendar(2026, workdays=frozenset({date(2026, 10, 11)}))])
    assert calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert calendar.is_working_day(date(2026, 10, 11))


def test_r_ap_7_missing_directory_loads_no_years(tmp_path: Path) -> None:
    assert not WorkingCalendar.from_directory(tmp_path / "absent").knows_year(2030)
    assert not WorkingCalendar.from_directory(None).knows_year(2030)


def test_r_ap_7_ends_at_24_00_shanghai_of_the_last_day() -> None:
    deadline = Deadline(date(2026, 10, 22), provisional=False)
    assert deadline.ends_at == datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
    assert deadline.ends_at == datetime(2026, 10, 23, 0, 0, tzinfo=SHANGHAI)
    assert deadline.ends_at.tzinfo is not None


def test_r_ap_7_overdue_from_24_00_on() -> None:
    deadline = Deadline(date(2026, 10, 22), provisional=False)
    assert not deadline.is_overdue(datetime(2026, 10, 22, 23, 59, 59, tzinfo=SHANGHAI))
    assert deadline.is_overdue(datetime(2026, 10, 22, 16, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline.is_overdue(datetime(2026, 10, 23, 9, 0))


def test_r_ap_7_today_in_shanghai() -> None:
    assert today_in_shanghai(datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == date(2026, 10, 1)
    assert today_in_shanghai(datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == date(2026, 9, 30)
    with pytest.raises(ValueError):
        today_in_shanghai(datetime(2026, 9, 30, 12, 0))


def test_r_ap_7_period_needs_a_working_day(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(date(2026, 1, 5), 0)


def test_r_ap_7_year_from_json() -> None:
    year = YearCalendar.from_json(
        {"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}
    )
    assert year == YearCalendar(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 2, 6)}))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({**YEAR_2027, "holidays": ["2026-12-31"]}, "outside the year"),
        ({**YEAR_2027, "workdays": ["2027-01-02"]}, "both holiday and working day"),
        ({**YEAR_2027, "workdays": ["2027-01-04"]}, "Saturday or Sunday"),
        ({**YEAR_2027, "holidays": ["2027-02-30"]}, "not an ISO date"),
        ({**YEAR_2027, "holidays": "2027-01-01"}, "must be a list"),
        ({"year": 2027, "holidays": []}, "missing \\['workdays'\\]"),
        ({**YEAR_2027, "holiday": []}, "unknown \\['holiday'\\]"),
        ({**YEAR_2027, "year": "2027"}, "'year' must be an integer"),
    ],
)
def test_r_ap_7_invalid_year_json_is_rejected(data: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        YearCalendar.from_json(data)


def test_r_ap_7_invalid_year_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "2027.json").write_text('{"year": 2027, "holidays": [', encoding="utf-8")
    with pytest.raises(ValueError, match="2027.json"):
        WorkingCalendar.from_directory(tmp_path)


def test_r_ap_7_same_year_loaded_twice_is_rejected(tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(YEAR_2027), encoding="utf-8")
    with pytest.raises(ValueError, match="year 2027 is loaded twice"):
        WorkingCalendar.from_directory(tmp_path)
