"""Checking an exported log offline (R-AU-3): with nothing but the export and the log's public
key. Pure: the chain's hashing and shared.transparency, no database, no service."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.audit.log.chain import entry_hash
from shared.transparency import (
    CheckpointError,
    ProofError,
    verify_checkpoint,
    verify_inclusion,
)
from shared.transparency.merkle import leaf_hash

TRAILER = "checkpoint"


class ExportError(ValueError):
    """An export that does not check: the first problem found, and where."""


@dataclass(frozen=True)
class CheckedExport:
    """An export that checks: how many entries, and the checkpoint (size) they are proven in."""

    entries: int
    tree_size: int
    origin: str


def verify_export(lines: Iterable[str], public_key: Ed25519PublicKey | bytes | str
                  ) -> CheckedExport:
    """Check an export: the trailer's checkpoint is signed by the log's key; every entry's hash
    is that of its columns (unless its payload had to be masked, ``payload_masked``) and its
    inclusion proof puts it, at its seq, in the checkpoint's tree. ExportError otherwise."""
    records = [json.loads(line) for line in lines if line.strip()]
    if not records or TRAILER not in records[-1]:
        raise ExportError("no checkpoint line at the end: the export is cut short")
    trailer, entries = records[-1], records[:-1]
    if trailer[TRAILER] is None:
        raise ExportError("the export carries no checkpoint (none was signed yet)")
    try:
        checkpoint = verify_checkpoint(trailer[TRAILER]["note"], public_key)
    except CheckpointError as exc:
        raise ExportError(f"checkpoint: {exc}") from exc
    if trailer.get("entries") != len(entries):
        raise ExportError(f"{len(entries)} entries, the checkpoint line says "
                          f"{trailer.get('entries')}")
    for entry in entries:
        seq = int(entry["seq"])
        if not entry.get("payload_masked") and entry_hash(entry) != entry["hash"]:
            raise ExportError(f"entry {seq}: its columns do not give its hash (altered)")
        try:
            verify_inclusion(leaf_hash(bytes.fromhex(entry["hash"])), seq - 1,
                             checkpoint.tree_size,
                             [bytes.fromhex(node) for node in entry.get("inclusion", [])],
                             checkpoint.root_hash)
        except (ProofError, ValueError) as exc:
            raise ExportError(f"entry {seq}: not in the signed checkpoint ({exc})") from exc
    return CheckedExport(entries=len(entries), tree_size=checkpoint.tree_size,
                         origin=checkpoint.origin)
