"""How often a beneficiary is re-checked (复核, R-DY-2): plain rules, no database."""

from __future__ import annotations

from datetime import date

from shared.months import add_months_to_day

YEARLY = 12
HALF_YEARLY = 6


def recheck_frequency(
    *, unsteady_income: bool, able_to_work: bool, near_relative: bool
) -> tuple[int, list[str]]:
    """R-DY-2: stable households once a year; unsteady income, members able to work or a filed
    near relative (R-AP-8) every 6 months. Returns the months and the reasons for 6."""
    reasons = [name for name, given in (("unsteady_income", unsteady_income),
                                         ("able_to_work", able_to_work),
                                         ("near_relative", near_relative)) if given]
    return (HALF_YEARLY if reasons else YEARLY), reasons


def next_due(since: date, months: int) -> date:
    """The day the next re-check falls due: ``months`` after ``since`` (R-DY-2)."""
    return add_months_to_day(since, months)
