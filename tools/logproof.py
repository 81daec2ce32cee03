"""Check the audit log's proofs with nothing of the service (R-AU-2): the public key, a
checkpoint and a proof are all it needs. It imports only ``shared.transparency``.

    python -m tools.logproof checkpoint --key audit.pub checkpoints.txt
    python -m tools.logproof inclusion --key audit.pub proof.json [--checkpoint cp.txt]
    python -m tools.logproof consistency --key audit.pub consistency.json

``checkpoint`` checks every signed note in a file (the operator's checkpoint file holds one after
another) and that none is smaller than the one before. ``inclusion`` checks a proof saved from
``GET /api/v1/audit/entries/{seq}/proof``; with ``--checkpoint`` its checkpoint must be that one
(one kept outside); with ``--entry-hash`` the leaf must be that entry's hash (from an export).
``consistency`` checks one saved from ``GET /api/v1/audit/checkpoints/consistency``. The key file
is the PEM or the verifier key of ``GET /api/v1/audit/checkpoints/key``; after a rotation, the
log's verifier keys one a line, each retired one followed by the time it was retired (``python
-m tools.auditkey show``): a checkpoint a retired key signed after that time fails. Exit status
0 when everything holds, 1 with the reason on stderr when not, 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.transparency import (
    Checkpoint,
    CheckpointError,
    ProofError,
    leaf_hash,
    load_key_file,
    split_notes,
    verify_checkpoint_with,
    verify_consistency,
    verify_inclusion,
)


class Failed(Exception):
    """What does not hold."""




def check_note(note: str, key: str) -> Checkpoint:
    """The checkpoint of ``note`` if a key of the key file ``key`` (its text) signed it: the
    current key, or a retired one before the time its line gives."""
    try:
        return verify_checkpoint_with(note, load_key_file(key))
    except CheckpointError as exc:
        raise Failed(f"checkpoint: {exc}") from exc


def _hashes(values: Any, what: str) -> list[bytes]:
    try:
        return [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise Failed(f"{what}: not a list of hex hashes") from exc


def check_checkpoints(text: str, key: str) -> list[Checkpoint]:
    notes = split_notes(text)
    if not notes:
        raise Failed("no checkpoint in the file")
    checked = [check_note(note, key) for note in notes]
    for before, after in zip(checked, checked[1:], strict=False):
        if after.tree_size < before.tree_size:
            raise Failed(f"the log shrank: {before.tree_size} entries, then {after.tree_size}")
        if after.tree_size == before.tree_size and after.root_hash != before.root_hash:
            raise Failed(f"two roots for {after.tree_size} entries: the log was rewritten")
    return checked


def check_inclusion(proof: dict[str, Any], key: str, *, outside: str | None = None,
                    entry_hash: str | None = None) -> Checkpoint:
    checkpoint = check_note(str(proof["checkpoint"]), key)
    if outside is not None:
        kept = check_note(outside, key)
        if (kept.tree_size, kept.root_hash) != (checkpoint.tree_size, checkpoint.root_hash):
            raise Failed(f"the proof's checkpoint ({checkpoint.tree_size} entries) is not the "
                         f"one kept outside ({kept.tree_size})")
    if int(proof["tree_size"]) != checkpoint.tree_size:
        raise Failed("the proof's tree size is not its checkpoint's")
    leaf = bytes.fromhex(str(proof["leaf_hash"]))
    if entry_hash is not None and leaf != leaf_hash(bytes.fromhex(entry_hash)):
        raise Failed("the proof is not of that entry: its leaf is another hash")
    if "entry_hash" in proof and leaf != leaf_hash(bytes.fromhex(str(proof["entry_hash"]))):
        raise Failed("the leaf hash is not SHA-256(0x00 || entry hash)")
    try:
        verify_inclusion(leaf, int(proof["leaf_index"]), checkpoint.tree_size,
                         _hashes(proof["proof"], "proof"), checkpoint.root_hash)
    except ProofError as exc:
        raise Failed(f"inclusion: {exc}") from exc
    return checkpoint


def check_consistency(proof: dict[str, Any], key: str) -> tuple[Checkpoint, Checkpoint]:
    old = check_note(str(proof["old_checkpoint"]), key)
    new = check_note(str(proof["new_checkpoint"]), key)
    if (int(proof["old_size"]), int(proof["new_size"])) != (old.tree_size, new.tree_size):
        raise Failed("the proof's sizes are not its checkpoints'")
    try:
        verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash,
                           _hashes(proof["proof"], "proof"))
    except ProofError as exc:
        raise Failed(f"consistency: {exc}") from exc
    return old, new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.logproof", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("checkpoint", "inclusion", "consistency"):
        command = commands.add_parser(name)
        command.add_argument("--key", required=True, type=Path,
                             help="the log's public key (PEM or verifier key), or its "
                             "verifier keys one a line after a rotation")
        command.add_argument("file", type=Path)
        if name == "inclusion":
            command.add_argument("--checkpoint", type=Path, help="a checkpoint kept outside")
            command.add_argument("--entry-hash", help="the entry's chain hash (hex)")
    args = parser.parse_args(argv)
    try:
        key = args.key.read_text(encoding="utf-8").strip()
        text = args.file.read_text(encoding="utf-8")
        if args.command == "checkpoint":
            checked = check_checkpoints(text, key)
            last = checked[-1]
            print(f"ok: {len(checked)} checkpoint(s) of {last.origin}, the last of "
                  f"{last.tree_size} entries, root {last.root_hash.hex()}")
        elif args.command == "inclusion":
            proof = json.loads(text)
            outside = args.checkpoint.read_text(encoding="utf-8") if args.checkpoint else None
            cp = check_inclusion(proof, key, outside=outside, entry_hash=args.entry_hash)
            print(f"ok: entry {int(proof['leaf_index']) + 1} is in the log of {cp.tree_size} "
                  f"entries signed at {cp.timestamp.isoformat()}")
        else:
            old, new = check_consistency(json.loads(text), key)
            print(f"ok: the log of {old.tree_size} entries is the start of the log of "
                  f"{new.tree_size}")
    except (Failed, OSError, ValueError, KeyError, TypeError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
