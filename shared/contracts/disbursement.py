"""Events the disbursement service publishes (资金发放, R-DI): payment months, ledgers and
rosters, payments and bank results, reconciliations and their sign-offs, the one-card account
register, proxies and the temporary-aid reserve. Bank account numbers are ``Personal`` and travel
sealed."""

from __future__ import annotations

from typing import ClassVar

from shared.contracts.base import EventContract


class DisbursementEvent(EventContract):
    service: ClassVar[str] = "disbursement"


# --- payment months, ledgers, rosters, payments (services/disbursement/months, payments) ------


# --- payment files, bank results, reconciliation (services/disbursement/bank_files, ----------
# --- reconciliation) ---------------------------------------------------------------------------


# --- one card, proxies, reserve, work funds (services/disbursement/accounts, proxies, ---------
# --- reserves, reports) ------------------------------------------------------------------------
