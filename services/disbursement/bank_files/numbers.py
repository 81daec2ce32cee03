"""Account numbers for finance's and the bank's files: the register's seal opened in full, and
the keyed digest a file's account is matched by (``shared.digests``, one pinned key)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from services.disbursement.bank_files.service import Digest, OpenNumber
from shared.contracts.base import EventData, Personal
from shared.digests import ACCOUNT_PURPOSE, normalise_account, pinned_key
from shared.sealing import Keyring, Sealer


class _SealedNumber(EventData):
    """The register keeps an account number sealed like an event's personal field, bound to the
    account's id (the seal opens for that account only)."""

    account_number: Annotated[str, Personal("bank_account")]


def _bound_to(account_id: str) -> str:
    return f"bank-account:{account_id}"


def seal_number(sealer: Sealer, account_id: str, number: str) -> str:
    """The account number sealed at rest for ``bank_account.account_sealed``."""
    sealed: str = sealer.seal(_SealedNumber, {"account_number": normalise_account(number)},
                              event_id=_bound_to(account_id))["account_number"]
    return sealed


def number_opener(sealer: Sealer) -> OpenNumber:
    """Opens ``bank_account.account_sealed`` in full (for finance's files only)."""

    def open_number(account_id: str, sealed: str) -> str:
        number: str = sealer.open(_SealedNumber, {"account_number": sealed},
                                  event_id=_bound_to(account_id))["account_number"]
        return number

    return open_number


def account_hasher(keyring: Keyring) -> Digest:
    """The keyed digest of account numbers, as ``shared.digests.account_digest`` gives it, with
    the key derived once (a file's million lines are digested with it)."""
    key = pinned_key(keyring, ACCOUNT_PURPOSE)[1]

    def digest(number: str) -> str:
        return hmac.new(key, normalise_account(number).encode("ascii"),
                        hashlib.sha256).hexdigest()

    return digest
