"""The calendar of a payment month (R-DI-2, R-DI-3): plain functions of a month and an instant.

The ledger (台账) of month P is frozen at 00:00 Asia/Shanghai on the 24th of P−1 (its cut-off);
the roster (发放名册) of P is due before 00:00 on the 1st of P."""

from __future__ import annotations

from datetime import UTC, datetime, time

from shared.months import add_months, first_day
from shared.workdays import SHANGHAI

CUTOFF_DAY = 24
"""The ledger of P is submitted before 00:00 on the 24th of P−1 (R-DI-2)."""


def cutoff_of(month: str) -> datetime:
    """The cut-off of the ledger of ``month`` (UTC): 2027-01 → 2026-12-24 00:00 Asia/Shanghai,
    that is 2026-12-23 16:00 UTC."""
    before = first_day(add_months(month, -1)).replace(day=CUTOFF_DAY)
    return datetime.combine(before, time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)


def roster_due(month: str) -> datetime:
    """The roster of ``month`` is generated before this instant: 00:00 on its 1st (R-DI-3)."""
    return datetime.combine(first_day(month), time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)


def is_frozen(month: str, at: datetime) -> bool:
    """Whether the ledger of ``month`` is past its cut-off at ``at`` (R-DI-2)."""
    return at >= cutoff_of(month)


def open_month(at: datetime) -> str:
    """The first month whose ledger is still open at ``at``: before the 24th the next month,
    from the 24th on the month after it (2026-12-23 → 2027-01; 2026-12-24 → 2027-02)."""
    local = at.astimezone(SHANGHAI)
    month = add_months(f"{local:%Y-%m}", 1)
    return month if not is_frozen(month, at) else add_months(month, 1)

