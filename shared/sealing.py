"""Personal data in events travels sealed: field-level AES-GCM (R-SE-2).

The fields a contract marks ``Personal`` (``shared.contracts.base.personal_paths``) are replaced
in the event's data by ``sealed:v1:<kid>:<urlsafe base64 of nonce + ciphertext + tag>``. The
associated data is ``<event id>|<dotted path>`` (list items by index, ``members.0.id_number``),
so a sealed value opens only in the event and at the place it was sealed for.

The keys (``Keyring``) come from ``ASSIST_EVENT_KEYS`` (JSON ``{"current": kid, "keys": {kid:
urlsafe base64 of 32 bytes}}``), else from ``<data_dir>/event-keys.json`` of the same shape,
created with one fresh key on first use. Every service of an installation must use the same
keys; ``rotate_keys`` adds a key and makes it current, and old keys stay so old events open.

Personal values kept at rest in a row are sealed the same way, the row in place of the event
(``shared.at_rest``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel

from shared.contracts.base import personal_paths
from shared.settings import Settings

PREFIX = "sealed:"
"""Every sealed value starts with this; ``open`` refuses such a value it cannot read."""
VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class SealError(Exception):
    """A sealed value cannot be opened: unknown key id (after one reload), tampered or moved
    ciphertext, malformed token. Permanent: the same event will never open."""


class KeyringError(ValueError):
    """The keys cannot be read: malformed JSON, a bad key id or key, no current key."""


def _b64decode(text: str) -> bytes:
    """Strict urlsafe base64, padding optional."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


class Keyring:
    """Key id -> 32-byte AES key, plus the id of the current key (the one that seals)."""

    def __init__(self, keys: Mapping[str, bytes], current: str, *, source: str = "memory"
                 ) -> None:
        for kid, key in keys.items():
            if not KEY_ID.fullmatch(kid):
                raise KeyringError(f"{source}: key id {kid!r} is not [A-Za-z0-9_-]{{1,32}}")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"{source}: key {kid} is {len(key)} bytes, not {KEY_BYTES}")
        if current not in keys:
            raise KeyringError(f"{source}: the current key {current!r} is not among its keys")
        self.current = current
        self.source = source
        self._keys = dict(keys)
        self._ciphers = {kid: AESGCM(key) for kid, key in self._keys.items()}

    def __repr__(self) -> str:  # never the keys
        return f"Keyring(source={self.source!r}, current={self.current!r}, ids={self.ids()!r})"

    def ids(self) -> list[str]:
        return list(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def cipher(self, kid: str) -> AESGCM:
        """The AES-GCM of a key id; KeyError if the keyring lacks it."""
        return self._ciphers[kid]

    def derived_key(self, purpose: str, kid: str | None = None) -> tuple[str, bytes]:
        """A 32-byte key for ``purpose`` derived (HKDF-SHA256) from key ``kid`` (default: the
        current one), and that key's id; KeyError if the keyring lacks it. For keyed digests of
        personal data kept at rest: only the installation's keys can compute or match them."""
        kid = kid or self.current
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                    info=f"assist:{purpose}".encode())
        return kid, hkdf.derive(self._keys[kid])

    def to_json(self) -> str:
        keys = {kid: _b64encode(key) for kid, key in self._keys.items()}
        return json.dumps({"current": self.current, "keys": keys}, indent=2) + "\n"

    def with_new_key(self) -> Keyring:
        """This keyring plus a fresh key ``k<N+1>``, made current."""
        numbers = [int(kid[1:]) for kid in self._keys if re.fullmatch(r"k[0-9]{1,30}", kid)]
        kid = f"k{max(numbers, default=0) + 1}"
        keys = {**self._keys, kid: secrets.token_bytes(KEY_BYTES)}
        return Keyring(keys, kid, source=self.source)

    @classmethod
    def generate(cls, *, source: str = "memory") -> Keyring:
        """One fresh key, ``k1``."""
        return cls({"k1": secrets.token_bytes(KEY_BYTES)}, "k1", source=source)

    @classmethod
    def from_json(cls, text: str, *, source: str) -> Keyring:
        """Parse ``{"current": kid, "keys": {kid: urlsafe base64}}``; KeyringError if invalid."""
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise KeyringError(f"{source}: not JSON ({exc.__class__.__name__})") from None
        if not isinstance(value, dict):
            raise KeyringError(f"{source}: expected an object {{current, keys}}")
        current, keys = value.get("current"), value.get("keys")
        if not isinstance(current, str) or not isinstance(keys, dict) or not keys:
            raise KeyringError(f"{source}: expected {{\"current\": id, \"keys\": {{id: key}}}}")
        raw: dict[str, bytes] = {}
        for kid, encoded in keys.items():
            if not isinstance(encoded, str):
                raise KeyringError(f"{source}: key {kid!r} is not a base64 string")
            try:
                raw[kid] = _b64decode(encoded)
            except (binascii.Error, ValueError):
                raise KeyringError(f"{source}: key {kid!r} is not urlsafe base64") from None
        return cls(raw, current, source=source)

    @classmethod
    def from_settings(cls, settings: Settings, *, create: bool = True) -> Keyring:
        """From ``settings.event_keys`` (ASSIST_EVENT_KEYS), else ``settings.event_keys_file``.

        Without either, the file is created with one fresh key (``create``), race-free: every
        process that starts at the same moment ends up with the same key.
        """
        if settings.event_keys:
            return cls.from_json(settings.event_keys, source="ASSIST_EVENT_KEYS")
        path = settings.event_keys_file
        if create and not path.exists():
            _create_exclusive(path, cls.generate().to_json())
        return _read_file(path)


def _read_file(path: Path) -> Keyring:
    """The keyring in ``path``; waits a moment for a writer that could not link atomically."""
    deadline = time.monotonic() + 2.0
    while True:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyringError(f"{path}: no such file (the keys that seal personal data in "
                               "events; restore it from the backup of the data folder)") from None
        try:
            json.loads(text)
        except ValueError:  # empty or cut short: a writer may be at it
            if time.monotonic() < deadline:
                time.sleep(0.02)
                continue
        return Keyring.from_json(text, source=str(path))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_temp(folder: Path, text: str) -> Path:
    """A new file in ``folder`` (mode 0600) holding ``text``, on the disk."""
    fd, name = tempfile.mkstemp(prefix=".event-keys.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def _create_exclusive(path: Path, text: str) -> None:
    """Create ``path`` holding ``text`` unless it exists; never visible half-written.

    The text goes to a temp file first, then ``os.link`` puts it in place only if nothing is
    there yet: of processes racing, one wins and the others read its file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(path.parent, text)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: exclusive create, readers wait
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    _fsync_dir(path.parent)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file now at ``path`` (rotations one at a time)."""
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:  # not replaced while we waited
                yield
                return
        finally:
            os.close(fd)


def rotate_keys(settings: Settings) -> str:
    """Add a fresh key to ``<data_dir>/event-keys.json`` and make it current; returns its id.

    Old keys stay, so events sealed before still open. Running services seal with the new key
    after a restart, and reload the file when they meet an event sealed with a key they lack.
    Creating the file (when there is none) counts as the rotation.
    """
    if settings.event_keys:
        raise KeyringError("the keys come from ASSIST_EVENT_KEYS: add a new key there, make it "
                           "current and restart every service with the new value")
    path = settings.event_keys_file
    if not path.exists():
        _create_exclusive(path, Keyring.generate().to_json())
        created = _read_file(path)
        return created.current
    with _locked(path):
        rotated = _read_file(path).with_new_key()
        temp = _write_temp(path.parent, rotated.to_json())
        try:
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_dir(path.parent)
    return rotated.current


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a sealed token (a string starting with ``sealed:``)."""
    return isinstance(value, str) and value.startswith(PREFIX)


FieldPath = tuple[str, ...]


@lru_cache(maxsize=512)
def _paths(contract: type[BaseModel]) -> tuple[FieldPath, ...]:
    return tuple(path for path, _kind in personal_paths(contract))


def _transform(node: Any, path: FieldPath, at: tuple[str, ...], change: Callable[[Any, str], Any]
               ) -> Any:
    """``node`` with ``change(value, dotted path)`` applied at ``path``; copies what it changes.

    A missing key, a None, or a value of the wrong shape on the way is left as it is.
    """
    if not path:
        return node if node is None else change(node, ".".join(at))
    head, rest = path[0], path[1:]
    if head == "[]":
        if not isinstance(node, list):
            return node
        return [_transform(item, rest, (*at, str(i)), change) for i, item in enumerate(node)]
    if not isinstance(node, dict) or node.get(head) is None:
        return node
    return {**node, head: _transform(node[head], rest, (*at, head), change)}


class Sealer:
    """Seals the personal fields of an event's data for the stream, and opens them again."""

    def __init__(self, keyring: Keyring, *, reload: Callable[[], Keyring] | None = None) -> None:
        """``reload`` reads the keys again from their source (when an unknown key id comes)."""
        self._keyring = keyring
        self._reload = reload

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """The installation's keys (creating the file on first use); reloads from the same."""
        return cls(Keyring.from_settings(settings),
                   reload=lambda: Keyring.from_settings(settings, create=False))

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    def keyring_having(self, kid: str) -> Keyring:
        """The keyring, read again from its source first if it lacks ``kid`` (a key another
        replica's rotation added since this one read it); KeyError if it still lacks it."""
        if kid not in self._keyring and self._reload is not None:
            self._keyring = self._reload()
        if kid not in self._keyring:
            raise KeyError(f"no key {kid!r} in the keyring "
                           f"(keys: {', '.join(self._keyring.ids())})")
        return self._keyring

    def seal(self, contract: type[BaseModel], data: dict[str, Any], *, event_id: str
             ) -> dict[str, Any]:
        """A copy of ``data`` with every personal field of ``contract`` sealed with the current
        key for this event; TypeError if such a field holds something else than a string."""

        def seal_one(value: Any, dotted: str) -> str:
            if not isinstance(value, str):
                raise TypeError(f"personal field {dotted} holds {type(value).__name__}, "
                                "not a string: cannot seal it")
            return self.seal_value(value, event_id=event_id, dotted=dotted)

        out = dict(data)
        for path in _paths(contract):
            out = _transform(out, path, (), seal_one)
        return out

    def open(self, contract: type[BaseModel], data: dict[str, Any], *, event_id: str
             ) -> dict[str, Any]:
        """A copy of ``data`` with every sealed personal field opened; values that are not
        sealed (events from before sealing) stay as they are. SealError if one cannot open.
        The keys are read again at most once per event (for a key id they lack)."""
        may_reload = True

        def open_one(value: Any, dotted: str) -> Any:
            nonlocal may_reload
            if not is_sealed(value):
                return value
            before = self._keyring
            try:
                return self._open_token(value, event_id=event_id, dotted=dotted,
                                        may_reload=may_reload)
            finally:
                may_reload = may_reload and self._keyring is before

        out = dict(data)
        for path in _paths(contract):
            out = _transform(out, path, (), open_one)
        return out

    def seal_value(self, value: str, *, event_id: str, dotted: str) -> str:
        """One value sealed with the current key, bound to ``event_id`` and the field at
        ``dotted``: what :meth:`seal` puts in place of a personal field."""
        kid = self._keyring.current
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._keyring.cipher(kid).encrypt(nonce, value.encode("utf-8"),
                                                   _aad(event_id, dotted))
        return f"{PREFIX}{VERSION}:{kid}:{_b64encode(nonce + sealed)}"

    def open_value(self, value: str, *, event_id: str, dotted: str) -> str:
        """One value of :meth:`seal_value` opened (a value that is not sealed stays as it is);
        SealError if it cannot open."""
        if not is_sealed(value):
            return value
        return self._open_token(value, event_id=event_id, dotted=dotted, may_reload=True)

    def _open_token(self, value: str, *, event_id: str, dotted: str, may_reload: bool) -> str:
        parts = value.split(":", 3)
        if len(parts) != 4 or parts[1] != VERSION or not KEY_ID.fullmatch(parts[2]):
            raise SealError(f"{dotted} of event {event_id}: not a sealed:{VERSION} token")
        kid, body = parts[2], parts[3]
        try:
            raw = _b64decode(body)
        except (binascii.Error, ValueError):
            raise SealError(f"{dotted} of event {event_id}: malformed sealed value") from None
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise SealError(f"{dotted} of event {event_id}: sealed value too short")
        if kid not in self._keyring and may_reload and self._reload is not None:
            self._keyring = self._reload()
        if kid not in self._keyring:
            raise SealError(f"{dotted} of event {event_id}: unknown key id {kid!r} "
                            f"(keys: {', '.join(self._keyring.ids())})")
        try:
            clear = self._keyring.cipher(kid).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(event_id, dotted))
        except InvalidTag:
            raise SealError(f"{dotted} of event {event_id}: does not open with key {kid} "
                            "(tampered, or sealed for another event or field)") from None
        try:
            return clear.decode("utf-8")
        except UnicodeDecodeError:
            raise SealError(f"{dotted} of event {event_id}: not UTF-8 text") from None


def _aad(event_id: str, dotted: str) -> bytes:
    return f"{event_id}|{dotted}".encode()
