"""Scheduled jobs of payment months (shared.scheduler), on the service's clock: the draft
ledger ahead, the cut-off, the roster (R-DI-2, R-DI-3)."""

from __future__ import annotations

from datetime import time

from services.disbursement.months.service import draft_ledgers, freeze_ledgers
from services.disbursement.payments.service import generate_rosters
from shared.scheduler import Daily, Job

JOBS = [
    Job("freeze_ledgers", freeze_ledgers, Daily(time(0, 0)),
        description="R-DI-2: at 00:00 on the 24th, the cut-off, generate again and freeze the "
        "ledgers of next month not submitted by an officer"),
    Job("draft_ledgers", draft_ledgers, Daily(time(0, 10)),
        description="R-DI-2: the draft ledger of the open month for each county, to review and "
        "submit before the cut-off; payees whose stop month came marked stopped"),
    Job("generate_rosters", generate_rosters, Daily(time(0, 20)),
        description="R-DI-3: the roster of every submitted ledger, before the 1st of its month"),
]
