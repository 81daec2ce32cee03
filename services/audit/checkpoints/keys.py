"""The log's signing key (Ed25519): given (ASSIST_AUDIT_SIGNING_KEY, a PEM or the path of one),
else generated into the data folder on first start, readable by the service's user only.

A key can be rotated (``python -m tools.auditkey rotate``): a fresh key takes its place, and the
old one's public half is kept in the retired keys (ASSIST_AUDIT_RETIRED_KEYS, else
``<data_dir>/audit-retired-keys.txt``) with the time it was retired. The checkpoints it signed
until then still verify (R-AU-2); one it signed after is refused, as anything signed by a key
taken out of service must be.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.settings import Settings
from shared.transparency import (
    Checkpoint,
    CheckpointError,
    LogKey,
    key_id,
    load_key_file,
    verifier_key,
    verify_checkpoint_with,
)

KEY_FILE = "audit-signing-key.pem"
RETIRED_FILE = "audit-retired-keys.txt"


def key_path(settings: Settings) -> Path:
    """Where the generated key is kept: ``<data_dir>/audit-signing-key.pem``."""
    return settings.data_dir / KEY_FILE


def retired_path(settings: Settings) -> Path:
    """Where a rotation keeps the retired keys: ``<data_dir>/audit-retired-keys.txt``."""
    return settings.data_dir / RETIRED_FILE


def _load(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the audit signing key is not an Ed25519 private key")
    return key


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The key checkpoints are signed with: the one given, else the data folder's, made once
    (mode 0600, created exclusively so two processes starting together keep one)."""
    given = settings.audit_signing_key
    if given:
        text = given.strip()
        return _load(text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes())
    path = key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(_pem(Ed25519PrivateKey.generate()))
    return _load(path.read_bytes())


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


@dataclass(frozen=True)
class RetiredKey:
    """A key the log signed with before a rotation, and when it was taken out of service."""

    name: str
    public_key: Ed25519PublicKey
    retired_at: datetime

    @property
    def key_id(self) -> str:
        return key_id(self.name, self.public_key).hex()

    def line(self) -> str:
        """Its line in the retired keys: the verifier key, then the time it was retired."""
        return (f"{verifier_key(self.name, self.public_key)} "
                f"{self.retired_at.astimezone(UTC).isoformat().replace('+00:00', 'Z')}")


def parse_retired(text: str) -> list[RetiredKey]:
    """The retired keys of a file's text: a line each, ``<verifier key> <time retired>``; blank
    lines and lines starting with ``#`` are skipped (``shared.transparency.load_key_file``). A
    line that cannot be read is an error that names it: a key left out would make the
    checkpoints it signed look forged."""
    if not any(line.strip() and not line.lstrip().startswith("#")
               for line in text.splitlines()):
        return []
    try:
        keys = load_key_file(text)
    except CheckpointError as exc:
        raise ValueError(f"retired audit keys: {exc}") from exc
    retired = []
    for key in keys:
        if key.name is None or key.retired_at is None:
            raise ValueError("retired audit keys: a line is '<verifier key> <time retired>'")
        retired.append(RetiredKey(key.name, key.key, key.retired_at))
    return retired


def retired_keys(settings: Settings) -> list[RetiredKey]:
    """The retired keys given (ASSIST_AUDIT_RETIRED_KEYS, the lines or a file's path), else
    those of the data folder's file, else none."""
    given = (settings.audit_retired_keys or "").strip()
    if given:
        lines = re.match(r"\S+\+[0-9a-f]{8}\+\S+\s", given) is not None
        return parse_retired(given if lines else Path(given).read_text("utf-8"))
    path = retired_path(settings)
    return parse_retired(path.read_text("utf-8")) if path.exists() else []


@dataclass(frozen=True)
class LogKeys:
    """Every key the log has signed with: the current one and the retired ones."""

    origin: str
    current: Ed25519PublicKey
    retired: Sequence[RetiredKey] = ()

    def check(self, note: str) -> Checkpoint:
        """The checkpoint of ``note`` if one of the log's keys signed it, and a retired key
        before it was retired; else :class:`CheckpointError`."""
        return verify_checkpoint_with(note, [
            LogKey(self.origin, self.current),
            *(LogKey(k.name, k.public_key, k.retired_at) for k in self.retired)])


class KeyFiles:
    """The log's keys as the settings and the data folder hold them, each file read again when
    it changes: the audit service takes a rotation up at its next checkpoint, no restart."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._signing: tuple[tuple[int, int] | None, Ed25519PrivateKey] | None = None
        self._retired: tuple[tuple[int, int] | None, tuple[RetiredKey, ...]] | None = None

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_ino

    def signing_key(self) -> Ed25519PrivateKey:
        """The current key (:func:`signing_key`), read again if its file was replaced."""
        given = bool(self.settings.audit_signing_key)
        stamp = None if given else self._stamp(key_path(self.settings))
        if self._signing is None or (not given and self._signing[0] != stamp):
            key = signing_key(self.settings)
            self._signing = (None if given else self._stamp(key_path(self.settings)), key)
        return self._signing[1]

    def retired(self) -> tuple[RetiredKey, ...]:
        """The retired keys (:func:`retired_keys`), read again if their file changed."""
        given = bool(self.settings.audit_retired_keys)
        stamp = None if given else self._stamp(retired_path(self.settings))
        if self._retired is None or (not given and self._retired[0] != stamp):
            self._retired = (stamp, tuple(retired_keys(self.settings)))
        return self._retired[1]


def log_origin(settings: Settings) -> str:
    """The log's name in its checkpoints (the signed note's origin line and signer)."""
    return f"assist/{settings.county}/audit"


def log_keys(settings: Settings) -> LogKeys:
    """The log's keys as the settings and the data folder hold them now."""
    return LogKeys(log_origin(settings), signing_key(settings).public_key(),
                   tuple(retired_keys(settings)))


def rotate_signing_key(settings: Settings, *, now: datetime | None = None
                       ) -> tuple[RetiredKey, Ed25519PrivateKey]:
    """A fresh key in the data folder in place of the current one, which joins the retired
    keys: its line is written (and synced) first, then the new key file replaces the old one
    in one rename, so a failure between the two leaves the old key in service and merely
    listed as retired from a moment it kept on signing: retire it again. Refused when the key
    is given (ASSIST_AUDIT_SIGNING_KEY) or the retired keys are (ASSIST_AUDIT_RETIRED_KEYS):
    the operator rotates those where they keep them."""
    if settings.audit_signing_key or settings.audit_retired_keys:
        raise ValueError("the audit keys are given by ASSIST_AUDIT_SIGNING_KEY or "
                         "ASSIST_AUDIT_RETIRED_KEYS: rotate them where they are kept")
    path = key_path(settings)
    if not path.exists():
        raise ValueError(f"no signing key at {path} yet (the audit service makes it at its "
                         "first start)")
    old = _load(path.read_bytes())
    # Checkpoints carry whole seconds: retired at the next one, so that one the service signs
    # with the old key while the new file is being put in place still counts as before.
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    retired = RetiredKey(log_origin(settings), old.public_key(), moment)
    listed = retired_path(settings)
    with open(listed, "a", encoding="utf-8") as out:
        if out.tell() == 0:
            out.write("# The audit log's retired checkpoint keys (R-AU-2): verifier key, time "
                      "retired.\n# Keep this file: without it, the checkpoints they signed "
                      "no longer verify.\n")
        out.write(retired.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    fresh = Ed25519PrivateKey.generate()
    staged = path.with_name(f".{path.name}.new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(_pem(fresh))
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, path)
    return retired, fresh
