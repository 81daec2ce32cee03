"""Keyed digests of ID numbers kept at rest instead of the numbers (R-SE-2).

An HMAC-SHA256 with a key derived for one purpose from the installation's event keys
(``shared.sealing.Keyring.derived_key``): only this installation can compute or match it, and a
digest of one purpose matches nothing of another. Used by verification's data files (R-VE-4) and
approval's near-relative register (R-AP-8).
"""

from __future__ import annotations

import hashlib
import hmac

from shared.sealing import Keyring


def id_digest(key: bytes, id_number: str) -> str:
    """The keyed digest (HMAC-SHA256) an ID number is matched by."""
    return hmac.new(key, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()


def digest_keys(keyring: Keyring, purpose: str) -> dict[str, bytes]:
    """The digest key of ``purpose`` under every key of the keyring (key id → key)."""
    return {kid: keyring.derived_key(purpose, kid)[1] for kid in keyring.ids()}


def id_digests(keys: dict[str, bytes], id_number: str) -> dict[str, str]:
    """The digest of ``id_number`` under each of ``keys`` (key id → digest, see
    :func:`digest_keys`), so a record digested before a key rotation is still matched."""
    return {kid: id_digest(key, id_number) for kid, key in keys.items()}
