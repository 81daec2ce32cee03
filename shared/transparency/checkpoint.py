"""Signed checkpoints of a log (签名检查点): the C2SP tlog-checkpoint text, signed as a C2SP
signed note with Ed25519 (R-AU-2).

The text::

    assist/230722/audit
    1024
    <root hash, standard base64>
    timestamp 2026-12-06T00:15:00Z

    — assist/230722/audit <base64(key id, 4 bytes || Ed25519 signature, 64 bytes)>

The signature covers the body (the lines before the blank line, each ending in a newline). The
key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key), as in the
signed-note spec; the key name is the log's origin. Other signature lines (a witness's
cosignature) may follow and are kept, not checked here. Pure: the standard library and
``cryptography``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.transparency.merkle import HASH_SIZE

ED25519 = b"\x01"
"""The signed-note signature type of Ed25519."""
DASH = "\u2014"
ORIGIN = re.compile(r"^[!-~]+$")
"""An origin (and key name): printable ASCII, no space; '+' is refused too (verifier keys)."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or whose signature does not hold."""


class SignatureBroken(CheckpointError):
    """The key's signature is on the checkpoint and does not hold: the note was altered."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's size and root at a moment, as its operator signs it."""

    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: datetime

    def __post_init__(self) -> None:
        if not ORIGIN.match(self.origin) or "+" in self.origin:
            raise CheckpointError(f"origin {self.origin!r}: printable ASCII, no space or +")
        if self.tree_size < 0:
            raise CheckpointError("a tree size is not negative")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"a root hash is {HASH_SIZE} bytes")
        if self.timestamp.tzinfo is None:
            raise CheckpointError("a checkpoint's time is timezone-aware")

    def body(self) -> str:
        """The signed text: origin, size, root (base64), timestamp; one line each."""
        moment = self.timestamp.astimezone(UTC).strftime(TIME_FORMAT)
        root = base64.b64encode(self.root_hash).decode("ascii")
        return f"{self.origin}\n{self.tree_size}\n{root}\ntimestamp {moment}\n"


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key id: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + raw).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The key as a signed-note verifier key: ``name+<key id hex>+<base64(0x01 || key)>``."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + raw).decode()}"


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note, signed by the log's key under its origin's name."""
    body = checkpoint.body()
    signature = private_key.sign(body.encode("utf-8"))
    stamp = base64.b64encode(key_id(checkpoint.origin, private_key.public_key()) + signature)
    return f"{body}\n{DASH} {checkpoint.origin} {stamp.decode('ascii')}\n"


def load_public_key(key: Ed25519PublicKey | bytes | str) -> tuple[str | None, Ed25519PublicKey]:
    """A public key given as a key, 32 raw bytes, PEM, or a verifier key (which names it)."""
    if isinstance(key, Ed25519PublicKey):
        return None, key
    text = key.decode("ascii", "replace") if isinstance(key, bytes) else key
    if isinstance(key, bytes) and len(key) == 32:
        return None, Ed25519PublicKey.from_public_bytes(key)
    if "-----BEGIN" in text:
        loaded = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(loaded, Ed25519PublicKey):
            raise CheckpointError("the public key is not an Ed25519 key")
        return None, loaded
    parts = text.strip().split("+", 2)
    if len(parts) == 3:
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error as exc:
            raise CheckpointError("the verifier key is not base64") from exc
        if len(raw) != 33 or raw[:1] != ED25519:
            raise CheckpointError("the verifier key is not an Ed25519 key")
        public = Ed25519PublicKey.from_public_bytes(raw[1:])
        if key_id(parts[0], public).hex() != parts[1]:
            raise CheckpointError("the verifier key's id does not match its key")
        return parts[0], public
    raise CheckpointError("a public key is PEM, 32 raw bytes or a verifier key name+id+key")


def parse_checkpoint(note: str | bytes) -> tuple[Checkpoint, list[tuple[str, bytes]]]:
    """The checkpoint of a signed note and its signature lines (name, key id || signature),
    unchecked."""
    try:
        text = note.decode("utf-8") if isinstance(note, bytes) else note
    except UnicodeDecodeError as exc:
        raise CheckpointError("a checkpoint is UTF-8 text") from exc
    body, sep, signatures = text.partition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise CheckpointError("a signed note is its text, a blank line and signature lines")
    lines = body.split("\n")
    if len(lines) < 4 or not lines[3].startswith("timestamp "):
        raise CheckpointError("a checkpoint is origin, size, root hash and timestamp lines")
    origin, size, root, stamp = lines[0], lines[1], lines[2], lines[3][len("timestamp "):]
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
        raise CheckpointError(f"tree size {size!r} is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
        moment = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError(f"a checkpoint line cannot be read: {exc}") from exc
    checkpoint = Checkpoint(origin, int(size), root_hash, moment)
    if checkpoint.body() != "\n".join(lines[:4]) + "\n":
        raise CheckpointError("the checkpoint is not in its canonical form")
    found = []
    for line in signatures[:-1].split("\n"):
        match = re.fullmatch(rf"{DASH} (\S+) ([A-Za-z0-9+/=]+)", line)
        if match is None:
            raise CheckpointError(f"not a signature line: {line[:80]!r}")
        stamp_bytes = base64.b64decode(match.group(2))
        if len(stamp_bytes) < 5:
            raise CheckpointError("a signature line is too short")
        found.append((match.group(1), stamp_bytes))
    return checkpoint, found


def verify_checkpoint(note: str | bytes, public_key: Ed25519PublicKey | bytes | str
                      ) -> Checkpoint:
    """The checkpoint of ``note`` if the log's key signed it, else :class:`CheckpointError`.

    The signature looked for is the one named by the key (a verifier key's name, else the
    checkpoint's origin) with the key's id; the whole signed text is what it covers, extension
    lines included.
    """
    checkpoint, signatures = parse_checkpoint(note)
    text = note.decode("utf-8") if isinstance(note, bytes) else note
    signed = text.partition("\n\n")[0] + "\n"
    name, key = load_public_key(public_key)
    name = name or checkpoint.origin
    wanted = key_id(name, key)
    for signer, stamp in signatures:
        if signer == name and stamp[:4] == wanted:
            try:
                key.verify(stamp[4:], signed.encode("utf-8"))
            except InvalidSignature as exc:
                raise SignatureBroken("the checkpoint's signature does not hold") from exc
            return checkpoint
    raise CheckpointError(f"no signature of {name} with that key on the checkpoint")

@dataclass(frozen=True)
class LogKey:
    """One of a log's keys: its name (a verifier key's, else the checkpoint's origin is
    looked for), the key, and when a rotation retired it, if it did."""

    name: str | None
    key: Ed25519PublicKey
    retired_at: datetime | None = None


def load_key_file(text: str) -> list[LogKey]:
    """The keys of a key file: one PEM public key, or verifier keys one a line, each followed,
    if a rotation retired it, by the time it was (RFC 3339); lines starting with ``#`` are
    not read. ``python -m tools.auditkey show`` and ``GET …/audit/checkpoints/keys`` give
    such a file."""
    if "-----BEGIN" in text:
        name, key = load_public_key(text)
        return [LogKey(name, key)]
    keys: list[LogKey] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) > 2:
            raise CheckpointError(f"key file, line {number}: a verifier key and at most the "
                                  "time it was retired")
        try:
            name, key = load_public_key(fields[0])
            retired_at = datetime.fromisoformat(fields[1]) if len(fields) == 2 else None
        except (CheckpointError, ValueError) as exc:
            raise CheckpointError(f"key file, line {number}: {exc}") from exc
        if retired_at is not None and retired_at.tzinfo is None:
            raise CheckpointError(f"key file, line {number}: the time retired has no zone")
        keys.append(LogKey(name, key, retired_at and retired_at.astimezone(UTC)))
    if not keys:
        raise CheckpointError("no public key in the key file")
    return keys


def verify_checkpoint_with(note: str | bytes, keys: Sequence[LogKey]) -> Checkpoint:
    """The checkpoint of ``note`` if one of a log's keys signed it, a retired one before it was
    retired; else :class:`CheckpointError`. A log whose key was rotated is checked so, with
    the current key and the retired ones."""
    parse_checkpoint(note)  # a note that cannot be read says so, whatever the keys
    errors: list[str] = []
    for log_key in keys:
        try:
            checkpoint = verify_checkpoint(
                note, log_key.key if log_key.name is None
                else verifier_key(log_key.name, log_key.key))
        except SignatureBroken:  # that key's signature is there and does not hold
            raise
        except CheckpointError as exc:
            errors.append(str(exc))
            continue
        if log_key.retired_at is not None and checkpoint.timestamp > log_key.retired_at:
            raise CheckpointError(
                f"signed at {checkpoint.timestamp.isoformat()} by a key retired at "
                f"{log_key.retired_at.isoformat()}")
        return checkpoint
    if len(errors) == 1:
        raise CheckpointError(errors[0])
    raise CheckpointError(f"no signature of the log's {len(keys)} keys on the checkpoint")


def split_notes(text: str) -> list[str]:
    """The signed notes of a file, one after another: each is its text, a blank line and its
    signature lines; a blank line (or the end) closes it."""
    notes: list[str] = []
    current: list[str] = []
    signing = False
    for line in text.splitlines(keepends=True):
        if signing and line.strip() == "":
            notes.append("".join(current))
            current, signing = [], False
            continue
        if not current and line.strip() == "":
            continue
        current.append(line)
        if line == "\n":
            signing = True
    if current:
        notes.append("".join(current))
    return notes
