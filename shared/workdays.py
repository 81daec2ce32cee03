"""Working-day calendar of R-AP-7: official holidays and adjusted working days (调休).

Years come from the `chinese_calendar` package, overridden by years an administrator loads as
JSON (one file per year: {"year": 2027, "holidays": [...], "workdays": [...]}). A year known to
neither is counted on weekdays, and any deadline that touches it is provisional.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
_SATURDAY = 5
_YEAR_KEYS = frozenset({"year", "holidays", "workdays"})


def _require_aware(value: datetime, name: str) -> None:
    """Reject naive datetimes, whose instant is ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def today_in_shanghai(now: datetime | None = None) -> date:
    """Return the calendar date in Asia/Shanghai at `now` (default: the current time)."""
    if now is None:
        return datetime.now(SHANGHAI).date()
    _require_aware(now, "now")
    return now.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Deadline:
    """Last day of a working-day period; provisional if it touched a year with no calendar."""

    last_day: date
    provisional: bool

    @property
    def ends_at(self) -> datetime:
        """24:00 Asia/Shanghai of the last day, i.e. 00:00 of the next day there."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=SHANGHAI)

    def is_overdue(self, at: datetime) -> bool:
        """True once the timezone-aware instant `at` has reached the end of the period."""
        _require_aware(at, "at")
        return at >= self.ends_at


@dataclass(frozen=True)
class YearCalendar:
    """One year's official holidays and adjusted weekend working days (调休)."""

    year: int
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        """Check that every date is inside the year and listed once, workdays on weekends."""
        outside = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if outside:
            raise ValueError(f"year {self.year}: dates outside the year: {_iso_list(outside)}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(
                f"year {self.year}: dates both holiday and working day: {_iso_list(both)}"
            )
        on_weekdays = sorted(d for d in self.workdays if d.weekday() < _SATURDAY)
        if on_weekdays:
            raise ValueError(
                f"year {self.year}: adjusted working days must fall on a Saturday or Sunday: "
                f"{_iso_list(on_weekdays)}"
            )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build a year from its JSON form, raising ValueError with the reason if invalid."""
        if not isinstance(data, Mapping):
            raise ValueError("a year calendar must be a JSON object")
        unknown = sorted(set(data) - _YEAR_KEYS)
        missing = sorted(_YEAR_KEYS - set(data))
        if unknown or missing:
            raise ValueError(f"year calendar keys: missing {missing}, unknown {unknown}")
        year = data["year"]
        if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9998:
            raise ValueError(f"'year' must be an integer year, got {year!r}")
        return cls(year, _parse_dates(data, "holidays"), _parse_dates(data, "workdays"))

    def is_working_day(self, day: date) -> bool:
        """True on adjusted working days and on Monday–Friday that are not holidays."""
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays


def _iso_list(days: Iterable[date]) -> str:
    """Format dates as a comma-separated ISO list for error messages."""
    return ", ".join(d.isoformat() for d in days)


def _parse_dates(data: Mapping[str, Any], key: str) -> frozenset[date]:
    """Parse the list of ISO dates under `key`."""
    values = data[key]
    if not isinstance(values, list):
        raise ValueError(f"'{key}' must be a list of ISO dates (YYYY-MM-DD)")
    days: set[date] = set()
    for value in values:
        try:
            days.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise ValueError(f"'{key}': {value!r} is not an ISO date (YYYY-MM-DD)") from None
    return frozenset(days)


@cache
def _package_years() -> dict[int, YearCalendar]:
    """The years covered by `chinese_calendar`, derived from its data."""
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return {
        year: YearCalendar(
            year,
            frozenset(d for d in chinese_calendar.holidays if d.year == year),
            frozenset(d for d in chinese_calendar.workdays if d.year == year),
        )
        for year in range(first, last + 1)
    }


class WorkingCalendar:
    """Official working days: package data, overridden year by year by loaded calendars."""

    def __init__(self, extra_years: Iterable[YearCalendar] = ()) -> None:
        loaded: dict[int, YearCalendar] = {}
        for year_calendar in extra_years:
            if year_calendar.year in loaded:
                raise ValueError(f"year {year_calendar.year} is loaded twice")
            loaded[year_calendar.year] = year_calendar
        self._years: dict[int, YearCalendar] = {**_package_years(), **loaded}

    @classmethod
    def from_directory(cls, path: Path | None) -> Self:
        """Load every `*.json` year file in `path`; a missing directory adds no years."""
        if path is None or not path.exists():
            return cls()
        if not path.is_dir():
            raise ValueError(f"{path} is not a directory")
        years = []
        for file in sorted(path.glob("*.json")):
            try:
                years.append(YearCalendar.from_json(json.loads(file.read_text(encoding="utf-8"))))
            except ValueError as exc:
                raise ValueError(f"{file}: {exc}") from exc
        return cls(years)

    def knows_year(self, year: int) -> bool:
        """True if the year's official calendar is known (package or loaded data)."""
        return year in self._years

    def is_working_day(self, day: date) -> bool:
        """True if `day` is a working day; in an unknown year, Monday to Friday."""
        year_calendar = self._years.get(day.year)
        if year_calendar is None:
            return day.weekday() < _SATURDAY
        return year_calendar.is_working_day(day)

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (start itself not counted), R-AP-7."""
        if n < 1:
            raise ValueError(f"a period needs at least 1 working day, got {n}")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            provisional = provisional or not self.knows_year(day.year)
            if self.is_working_day(day):
                counted += 1
        return Deadline(day, provisional)
