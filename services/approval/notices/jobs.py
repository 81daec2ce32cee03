"""The notices' scheduled job (shared.scheduler): closing the notices whose 7 days ended."""

from __future__ import annotations

from datetime import timedelta

from services.approval.notices.outcome import close_due_notices
from shared.scheduler import Every, Job

CLOSE_NOTICES = Job(
    "close_public_notices", close_due_notices, Every(timedelta(minutes=5)),
    description="R-AP-3, R-AP-4: closes the public notices whose 7 days ended (24:00 of D+7, "
    "Asia/Shanghai) and approves the cases without objection; every 5 minutes, so 00:05 too")
