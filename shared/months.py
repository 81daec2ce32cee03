"""Months as ``YYYY-MM`` text (the payment month of R-DI, the effective month of R-DY-3) and
the arithmetic on them, shared by approval's roll and disbursement's payment months."""

from __future__ import annotations

import calendar
from datetime import date


def month_of(day: date) -> str:
    """The month a day lies in: 2026-12-05 → ``2026-12``."""
    return f"{day:%Y-%m}"


def add_months(month: str, count: int) -> str:
    """``2026-12`` + 1 → ``2027-01``; a negative count goes back."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def months_between(start: str, end: str) -> int:
    """How many months from ``start`` to ``end`` (``end`` − ``start``)."""
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7])


def add_months_to_day(day: date, count: int) -> date:
    """The same day ``count`` months later, the month's last day where it has fewer days
    (2026-08-31 + 6 → 2027-02-28)."""
    month = add_months(month_of(day), count)
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, min(day.day, calendar.monthrange(year, number)[1]))
