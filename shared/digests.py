"""Keyed digests of ID numbers kept at rest instead of the numbers (R-SE-2).

An HMAC-SHA256 with a key derived for one purpose from the installation's event keys
(``shared.sealing.Keyring.derived_key``): only this installation can compute or match it, and a
digest of one purpose matches nothing of another. Used by verification's data files (R-VE-4) and
approval's near-relative register (R-AP-8).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from types import MappingProxyType
from weakref import WeakKeyDictionary

from shared.sealing import Keyring


def id_digest(key: bytes, id_number: str) -> str:
    """The keyed digest (HMAC-SHA256) an ID number is matched by."""
    return hmac.new(key, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()


_digest_keys: WeakKeyDictionary[Keyring, dict[str, Mapping[str, bytes]]] = WeakKeyDictionary()
""":func:`digest_keys` by keyring, then purpose."""


def digest_keys(keyring: Keyring, purpose: str) -> Mapping[str, bytes]:
    """The digest key of ``purpose`` under every key of the keyring (key id → key, read-only).

    Derived once per keyring and purpose (an HKDF a key, on every acceptance, filing or
    follow-up otherwise): a keyring never changes, a rotation makes a new one (a restart reads
    the file again, ``Sealer`` reloads it into a new object when an event names a key it
    lacks), and that one's keys are derived when it is first asked."""
    by_purpose = _digest_keys.get(keyring)
    if by_purpose is None:
        by_purpose = _digest_keys[keyring] = {}
    keys = by_purpose.get(purpose)
    if keys is None:
        keys = by_purpose[purpose] = MappingProxyType(
            {kid: keyring.derived_key(purpose, kid)[1] for kid in keyring.ids()})
    return keys


def id_digests(keys: Mapping[str, bytes], id_number: str) -> dict[str, str]:
    """The digest of ``id_number`` under each of ``keys`` (key id → digest, see
    :func:`digest_keys`), so a record digested before a key rotation is still matched."""
    return {kid: id_digest(key, id_number) for kid, key in keys.items()}


# --- digests joined in SQL: one key for every row, whatever the rotation ------------------------

PERSON_PURPOSE = "person"
"""Disbursement's people (payee holders, card holders, proxies, staff): one purpose, so a proxy's
digest matches a staff member's and a payee's holder matches a card's holder in one column."""

ACCOUNT_PURPOSE = "bank-account"
"""Bank account numbers (one card, payment and bank files: R-DI-4, R-DI-7)."""


def pinned_key(keyring: Keyring, purpose: str) -> tuple[str, bytes]:
    """The digest key of ``purpose`` derived from the keyring's *first* key (the installation's
    original, kept for ever because old events must still open), and that key's id.

    For digests joined in SQL by one column (``a.digest = b.digest``): every row of every table
    is digested with the same key, so a rotation of the event keys (which makes a new key
    current) changes no digest and breaks no join. Retiring that first key means re-digesting
    the tables from their sealed values; the key id is returned so tables can record it."""
    kid = keyring.ids()[0]
    return keyring.derived_key(purpose, kid)


def person_digest(keyring: Keyring, id_number: str) -> str:
    """The keyed digest a person is joined by (``PERSON_PURPOSE``, :func:`pinned_key`)."""
    return id_digest(pinned_key(keyring, PERSON_PURPOSE)[1], id_number)


def normalise_account(number: str) -> str:
    """An account number as digested and masked: digits (and letters) only, upper case."""
    return "".join(ch for ch in number if ch.isalnum()).upper()


def account_digest(keyring: Keyring, account_number: str) -> str:
    """The keyed digest a bank account number is joined by (``ACCOUNT_PURPOSE``)."""
    return account_digester(keyring)(account_number)


def account_digester(keyring: Keyring) -> Callable[[str], str]:
    """:func:`account_digest` with its key derived once and its HMAC pads computed once: for
    a file's million account numbers."""
    keyed = hmac.new(pinned_key(keyring, ACCOUNT_PURPOSE)[1], digestmod=hashlib.sha256)

    def digest(account_number: str) -> str:
        one = keyed.copy()
        one.update((account_number if account_number.isdigit()
                    else normalise_account(account_number)).encode("ascii"))
        return one.hexdigest()

    return digest
