"""The hash chain of the operation log, with no database (R-AU-2, R-AU-3)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.audit.log.chain import (
    GENESIS_HASH,
    HASH_MISMATCH,
    HASHED_COLUMNS,
    PREV_HASH_MISMATCH,
    SEQ_GAP,
    ChainBreak,
    ChainVerifier,
    canonical_json,
    canonical_time,
    entry_hash,
    hashed_record,
    seal,
    verify_chain,
)

T0 = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)


def fields(n: int) -> dict[str, object]:
    """The columns of an event's entry, all but seq, prev_hash and hash."""
    return {
        "event_id": f"ev{n:030d}", "event_type": "assist.intake.application_accepted",
        "service": "intake", "record_id": f"app-{n}", "division": "230722100001",
        "actor_user": "caseworker-1", "actor_role": "caseworker", "correlation_id": f"c{n}",
        "request_id": f"r{n}", "source_address": "10.1.2.3",
        "occurred_at": T0 + timedelta(seconds=n),
        "recorded_at": T0 + timedelta(seconds=n, milliseconds=1),
        "payload": canonical_json({"id": f"ev{n}", "data": {"姓名": "张三", "n": n}}),
    }


def make_chain(length: int) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for n in range(1, length + 1):
        previous = (entries[-1]["seq"], entries[-1]["hash"]) if entries else None
        entries.append(seal(fields(n), previous=previous))  # type: ignore[arg-type]
    return entries


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": [1, {"d": None, "c": "低保"}]}) == (
        '{"a":[1,{"c":"低保","d":null}],"b":1}'
    )


def test_canonical_time_is_utc_with_microseconds():
    shanghai = timezone(timedelta(hours=8))
    assert canonical_time(datetime(2026, 11, 27, 9, 0, tzinfo=shanghai)) == (
        "2026-11-27T01:00:00.000000+00:00"
    )
    with pytest.raises(ValueError, match="naive"):
        canonical_time(datetime(2026, 11, 27, 9, 0))


def test_entry_hash_is_sha256_of_the_canonical_record_R_AU_2():
    """The hash is SHA-256 over sorted-key compact UTF-8 JSON of every column but ``hash``."""
    entry = seal(fields(1), previous=None)
    record = {k: entry[k] for k in HASHED_COLUMNS}
    record["occurred_at"] = "2026-11-27T01:02:04.456789+00:00"
    record["recorded_at"] = "2026-11-27T01:02:04.457789+00:00"
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry["hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert set(HASHED_COLUMNS) == set(entry) - {"hash"}


@pytest.mark.parametrize("column", HASHED_COLUMNS)
def test_changing_any_stored_column_changes_the_hash_R_AU_2(column):
    entry = seal(fields(1), previous=None)
    changed = dict(entry)
    value = entry[column]
    if isinstance(value, int):
        changed[column] = value + 1
    elif isinstance(value, datetime):
        changed[column] = value + timedelta(microseconds=1)
    else:
        changed[column] = str(value) + "x"
    assert entry_hash(changed) != entry["hash"]
    assert entry_hash(entry) == entry["hash"]


def test_a_missing_division_is_hashed_as_null():
    entry = seal({**fields(1), "division": None}, previous=None)
    assert entry_hash({**entry, "division": ""}) != entry["hash"]


def test_exported_entries_with_text_times_hash_the_same_R_AU_3():
    """An NDJSON line (times as canonical text) checks against the stored hash offline."""
    entry = seal(fields(1), previous=None)
    line = json.loads(canonical_json(hashed_record(entry) | {"hash": entry["hash"]}))
    assert entry_hash(line) == entry["hash"]
    assert verify_chain([json.loads(canonical_json(hashed_record(e) | {"hash": e["hash"]}))
                         for e in make_chain(3)]) is None


def test_seal_numbers_from_one_and_links_to_the_previous_hash():
    first, second, third = make_chain(3)
    assert (first["seq"], first["prev_hash"]) == (1, GENESIS_HASH)
    assert (second["seq"], second["prev_hash"]) == (2, first["hash"])
    assert (third["seq"], third["prev_hash"]) == (3, second["hash"])
    assert len({first["hash"], second["hash"], third["hash"]}) == 3


def test_an_intact_chain_verifies_and_an_empty_log_too():
    assert verify_chain(make_chain(5)) is None
    assert verify_chain([]) is None


def test_an_altered_entry_is_named_by_hash_mismatch_R_AU_2():
    entries = make_chain(3)
    entries[1] = {**entries[1], "actor_user": "someone-else"}
    found = verify_chain(entries)
    assert found is not None
    assert (found.seq, found.event_id, found.reason) == (2, entries[1]["event_id"], HASH_MISMATCH)


def test_an_altered_and_rehashed_entry_breaks_the_link_of_the_next_R_AU_2():
    entries = make_chain(3)
    forged = {**entries[1], "record_id": "app-forged"}
    forged["hash"] = entry_hash(forged)
    entries[1] = forged
    found = verify_chain(entries)
    assert found is not None
    assert (found.seq, found.reason) == (3, PREV_HASH_MISMATCH)


@pytest.mark.parametrize(("removed", "named"), [(0, 2), (1, 3), (2, 4)])
def test_a_removed_entry_is_a_seq_gap_R_AU_2(removed, named):
    entries = make_chain(4)
    del entries[removed]
    found = verify_chain(entries)
    assert found is not None
    assert (found.seq, found.reason) == (named, SEQ_GAP)
    assert f"entry {removed + 1} is missing" in found.detail


def test_a_first_entry_not_linked_to_genesis_is_a_broken_chain():
    entry = seal(fields(1), previous=(0, "f" * 64))
    found = verify_chain([entry])
    assert found is not None
    assert (found.seq, found.reason) == (1, PREV_HASH_MISMATCH)


def test_the_verifier_carries_the_chain_across_batches_and_counts_breaks():
    entries = make_chain(6)
    entries[1] = {**entries[1], "payload": "{}"}
    entries[4] = {**entries[4], "payload": "{}"}
    verifier = ChainVerifier()
    for batch in (entries[:2], entries[2:4], entries[4:]):
        for entry in batch:
            verifier.check(entry)
    assert verifier.entries == 6
    assert verifier.breaks == 2
    assert verifier.first_break == ChainBreak(2, str(entries[1]["event_id"]), HASH_MISMATCH,
                                              verifier.first_break.detail)
