"""Personal data in logged events: opened with the installation's keys, shown masked (R-SE-2).

The log keeps each event as it travelled, personal fields sealed (shared.sealing), and the chain
covers that ciphertext. What leaves the log is made here: the event data with every personal
field opened and masked by its kind (``shared.masking``), or — for a role entitled to it and a
stated purpose — opened in full, with the dotted paths of what was opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import structlog
from pydantic import BaseModel

from shared.contracts.base import PersonalKind, contract_for, personal_paths
from shared.digests import digest_keys, id_digest, id_digests
from shared.masking import (
    MASK,
    mask_bank_account,
    mask_id_number,
    mask_personal_data,
    mask_phone,
)
from shared.sealing import Sealer, SealError, is_sealed

log = structlog.get_logger(__name__)

DIGEST_PURPOSE = "audit-person-index"
"""The purpose the person index's digest key is derived for (shared.digests)."""

MASKERS: dict[PersonalKind, Callable[[str], str]] = {
    "id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account,
}

PERSONAL_KEYS = frozenset({"id_number", "phone", "contact_phone", "bank_account"})
"""Keys shared.masking masks wherever they are."""

Path = tuple[str, ...]


def contract_of(envelope: dict[str, Any]) -> type[BaseModel] | None:
    """The contract of a logged envelope (its type assist.<service>.<event>), if known."""
    parts = str(envelope.get("type", "")).split(".")
    if len(parts) < 3:
        return None
    return contract_for(parts[1], parts[2], int(envelope.get("schemaversion") or 1))


def values_at(node: Any, path: Path, at: Path = ()) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every value found at ``path`` (``[]`` for list items)."""
    if not path:
        if node is not None:
            yield ".".join(at), node
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from values_at(item, rest, (*at, str(i)))
    elif isinstance(node, dict) and head in node:
        yield from values_at(node[head], rest, (*at, head))


def replace_at(node: Any, path: Path, change: Callable[[Any], Any]) -> Any:
    """A copy of ``node`` with ``change`` applied to every value at ``path``."""
    if not path:
        return node if node is None else change(node)
    head, rest = path[0], path[1:]
    if head == "[]":
        return [replace_at(item, rest, change) for item in node] if isinstance(node, list) \
            else node
    if not isinstance(node, dict) or node.get(head) is None:
        return node
    return {**node, head: replace_at(node[head], rest, change)}


@dataclass
class Shown:
    """Event data as shown to a reader, and the dotted paths of sealed values opened in full."""

    data: dict[str, Any]
    opened: list[str] = field(default_factory=list)


def _open(envelope: dict[str, Any], sealer: Sealer | None
          ) -> tuple[dict[str, Any], type[BaseModel] | None]:
    """The event data with its sealed fields opened (as stored when they cannot be)."""
    data = envelope.get("data") or {}
    contract = contract_of(envelope)
    if contract is None or sealer is None:
        return data, contract
    try:
        return sealer.open(contract, data, event_id=str(envelope.get("id"))), contract
    except SealError as exc:
        log.warning("audit_personal_not_opened", event_id=envelope.get("id"), error=str(exc))
        return data, contract


def _masker(kind: PersonalKind) -> Callable[[Any], Any]:
    """Masks an opened value of ``kind``; leaves a sealed one (shown ``(sealed)`` later)."""
    mask = MASKERS[kind]
    return lambda value: mask(value) if isinstance(value, str) and not is_sealed(value) \
        else value


def masked(envelope: dict[str, Any], sealer: Sealer | None) -> dict[str, Any]:
    """The event data for every reader: personal fields opened then masked by kind; any value
    that cannot be opened shows ``(sealed)``; ID numbers, phones, bank accounts named so are
    masked wherever they are (R-SE-2)."""
    data, contract = _open(envelope, sealer)
    if contract is not None:
        for path, kind in personal_paths(contract):
            data = replace_at(data, path, _masker(kind))
    shown = mask_personal_data(data)
    return shown if isinstance(shown, dict) else {}


def in_full(envelope: dict[str, Any], sealer: Sealer | None) -> Shown:
    """The event data with its sealed personal fields opened, and the dotted paths of every
    personal value it shows in full — opened, or in clear in an event from before sealing —
    (the record endpoint's full read, for an entitled role; the caller logs it)."""
    data, contract = _open(envelope, sealer)
    opened: set[str] = set(_clear_paths_by_key(data))
    if contract is not None:
        for path, _kind in personal_paths(contract):
            opened.update(dotted for dotted, value in values_at(data, path) if _clear(value))
    return Shown(data=data, opened=sorted(opened))


def _clear_paths_by_key(value: Any, at: Path = ()) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PERSONAL_KEYS and _clear(item):
                yield ".".join((*at, key))
            else:
                yield from _clear_paths_by_key(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _clear_paths_by_key(item, (*at, str(i)))


def holds_clear_personal_data(envelope: dict[str, Any]) -> bool:
    """Whether a stored envelope holds a personal value in clear (an event from before sealing):
    a string neither sealed nor masked (no ``*``) at a personal path or under a personal key."""
    data = envelope.get("data") or {}
    contract = contract_of(envelope)
    if contract is not None:
        for path, _kind in personal_paths(contract):
            if any(_clear(v) for _, v in values_at(data, path)):
                return True
    return _clear_by_key(data)


def _clear(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not is_sealed(value) and MASK not in value


def _clear_by_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any((key in PERSONAL_KEYS and _clear(item)) or _clear_by_key(item)
                   for key, item in value.items())
    if isinstance(value, list):
        return any(_clear_by_key(item) for item in value)
    return False


def index_digest(sealer: Sealer, id_number: str) -> tuple[str, str]:
    """(key id, digest) of an ID number under the current key, as the index stores it (the
    keys derived once per keyring: ``shared.digests.digest_keys``)."""
    keyring = sealer.keyring
    return keyring.current, id_digest(digest_keys(keyring, DIGEST_PURPOSE)[keyring.current],
                                      id_number)


def search_digests(sealer: Sealer, id_number: str) -> list[tuple[str, str]]:
    """(key id, digest) of an ID number under every key, so entries indexed before a key
    rotation are still found."""
    return list(id_digests(digest_keys(sealer.keyring, DIGEST_PURPOSE), id_number).items())


@cache
def _id_number_paths(contract: type[BaseModel]) -> tuple[tuple[str, ...], ...]:
    """Where a contract holds ID numbers: read once per contract (every event is indexed)."""
    return tuple(path for path, kind in personal_paths(contract) if kind == "id_number")


def sealed_id_numbers(envelope: dict[str, Any], sealer: Sealer) -> list[tuple[str, str]]:
    """(dotted path, ID number) of every sealed ID-number field of an event, opened."""
    contract = contract_of(envelope)
    if contract is None:
        return []
    paths = _id_number_paths(contract)
    if not paths:
        return []
    stored = envelope.get("data") or {}
    data, _ = _open(envelope, sealer)
    found = []
    for path in paths:
        before = dict(values_at(stored, path))
        found += [(dotted, value) for dotted, value in values_at(data, path)
                  if isinstance(value, str) and is_sealed(before.get(dotted))
                  and not is_sealed(value)]
    return found
