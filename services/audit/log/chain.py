"""The hash chain of the operation log (操作日志): canonical form, entry hash and verification.

Plain functions over plain mappings, so an exported log can be checked offline with no database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of entry 1."""

HASHED_COLUMNS = (
    "seq", "event_id", "event_type", "service", "record_id", "division", "actor_user",
    "actor_role", "correlation_id", "request_id", "source_address", "occurred_at",
    "recorded_at", "payload", "prev_hash",
)
"""Every stored column except ``hash``: changing any of them breaks the entry."""

HASH_MISMATCH = "hash_mismatch"
PREV_HASH_MISMATCH = "prev_hash_mismatch"
SEQ_GAP = "seq_gap"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 characters kept: one text for one value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_time(moment: datetime) -> str:
    """A timestamp as UTC ISO 8601 with microseconds; naive times are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; the log keeps times in UTC")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_record(entry: Mapping[str, Any],
                  columns: tuple[str, ...] = HASHED_COLUMNS) -> dict[str, Any]:
    """The columns the hash covers, times in canonical text (exported entries keep that text)."""
    record: dict[str, Any] = {}
    for column in columns:
        value = entry[column]
        record[column] = canonical_time(value) if isinstance(value, datetime) else value
    return record


def entry_hash(entry: Mapping[str, Any], columns: tuple[str, ...] = HASHED_COLUMNS) -> str:
    """SHA-256 (hex) of the canonical JSON of every hashed column of ``entry``."""
    return hashlib.sha256(canonical_json(hashed_record(entry, columns)).encode("utf-8")
                          ).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain no longer holds, and why."""

    seq: int
    event_id: str
    reason: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "event_id": self.event_id, "reason": self.reason,
                "detail": self.detail}


class ChainVerifier:
    """Checks entries fed in ``seq`` order, one batch after another, keeping only the last hash."""

    def __init__(self, columns: tuple[str, ...] = HASHED_COLUMNS, key: str = "seq",
                 label: str = "event_id") -> None:
        """``columns`` hashed, ``key`` numbers the rows, ``label`` names a bad one (the read
        log ``log_access`` is checked by the same verifier with its own columns)."""
        self.columns, self.key, self.label = columns, key, label
        self.entries = 0
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.breaks = 0
        self.first_break: ChainBreak | None = None

    def check(self, entry: Mapping[str, Any]) -> ChainBreak | None:
        """Check one entry against its own hash and its predecessor; remember the first break."""
        self.entries += 1
        found = self._find_break(entry)
        if found is not None:
            self.breaks += 1
            self.first_break = self.first_break or found
        self.expected_seq = int(entry[self.key]) + 1
        self.prev_hash = str(entry["hash"])
        return found

    def _find_break(self, entry: Mapping[str, Any]) -> ChainBreak | None:
        seq, event_id = int(entry[self.key]), str(entry[self.label])
        if seq != self.expected_seq:
            if seq < self.expected_seq:
                missing = f"seq {seq} comes after seq {self.expected_seq - 1}"
            elif seq == self.expected_seq + 1:
                missing = f"entry {self.expected_seq} is missing"
            else:
                missing = f"entries {self.expected_seq}..{seq - 1} are missing"
            return ChainBreak(seq, event_id, SEQ_GAP, f"seq gap (entry removed): {missing}")
        if entry_hash(entry, self.columns) != entry["hash"]:
            return ChainBreak(seq, event_id, HASH_MISMATCH,
                              "hash mismatch (entry altered): the stored columns no longer "
                              "give the stored hash")
        if entry["prev_hash"] != self.prev_hash:
            return ChainBreak(seq, event_id, PREV_HASH_MISMATCH,
                              "prev_hash mismatch (chain broken): it is not the hash of "
                              f"entry {seq - 1}")
        return None


def verify_chain(entries: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    """The first break in a whole log given in ``seq`` order, or None if the chain holds."""
    verifier = ChainVerifier()
    for entry in entries:
        if verifier.check(entry) is not None:
            break
    return verifier.first_break


def seal(fields: Mapping[str, Any], *, previous: tuple[int, str] | None) -> dict[str, Any]:
    """The entry after ``previous`` (seq, hash), or the first one: numbered, linked, hashed."""
    seq, prev_hash = (previous[0] + 1, previous[1]) if previous else (1, GENESIS_HASH)
    record = {**fields, "seq": seq, "prev_hash": prev_hash}
    record["hash"] = entry_hash(record)
    return record
