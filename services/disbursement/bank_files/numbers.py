"""Account numbers for finance's and the bank's files: the register's seal opened in full
(``accounts.service``), and the keyed digest a file's account is matched by
(``shared.digests.account_digest``, one pinned key, derived once per file)."""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple, cast

from services.disbursement.accounts.models import BankAccount
from services.disbursement.accounts.service import open_account_number, seal_account_number
from services.disbursement.bank_files.service import Digest, OpenNumber
from shared.digests import ACCOUNT_PURPOSE, normalise_account, pinned_key
from shared.sealing import Keyring, Sealer


class _Sealed(NamedTuple):
    """What ``open_account_number`` reads of an account: its id and its sealed number (a row
    of a payment file's query, not an ORM object per line)."""

    id: str
    account_sealed: str


def seal_number(sealer: Sealer, account_id: str, number: str) -> str:
    """The account number sealed at rest as the register keeps it (tests, the bench)."""
    return seal_account_number(sealer, account_id, normalise_account(number))


def number_opener(sealer: Sealer) -> OpenNumber:
    """Opens ``bank_account.account_sealed`` in full, for finance's files only."""

    def open_number(account_id: str, sealed: str) -> str:
        return open_account_number(sealer, cast(BankAccount, _Sealed(account_id, sealed)))

    return open_number


def account_hasher(keyring: Keyring) -> Digest:
    """The keyed digest of account numbers, as ``shared.digests.account_digest`` gives it, with
    the key derived once (a file's million lines are digested with it)."""
    keyed = hmac.new(pinned_key(keyring, ACCOUNT_PURPOSE)[1], digestmod=hashlib.sha256)

    def digest(number: str) -> str:
        one = keyed.copy()  # the key's inner and outer pads computed once, not per number
        one.update((number if number.isdigit() else normalise_account(number)).encode("ascii"))
        return one.hexdigest()

    return digest
