"""Account numbers for finance's and the bank's files: the register's seal opened in full
(``accounts.service.account_context``, ``shared.at_rest``), and the keyed digest a file's account
is matched by (``shared.digests.account_digester``, one pinned key, derived once per file)."""

from __future__ import annotations

from services.disbursement.accounts.service import account_context
from services.disbursement.bank_files.service import OpenNumber
from shared.at_rest import open_at_rest, seal_at_rest
from shared.digests import normalise_account
from shared.sealing import Sealer


def seal_number(sealer: Sealer, account_id: str, number: str) -> str:
    """The account number sealed at rest as the register keeps it (tests, the bench)."""
    return seal_at_rest(sealer, "bank_account", account_context(account_id),
                        normalise_account(number))


def number_opener(sealer: Sealer) -> OpenNumber:
    """Opens ``bank_account.account_sealed`` in full, for finance's files only."""

    def open_number(account_id: str, sealed: str) -> str:
        return open_at_rest(sealer, "bank_account", account_context(account_id), sealed)

    return open_number
