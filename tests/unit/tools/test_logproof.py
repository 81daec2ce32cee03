"""R-AU-2: the standalone verifier on proofs made here with shared.transparency alone: what holds
exits 0, a checkpoint file in which the log shrank or forked exits 1, a bad command line 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.transparency import (
    Checkpoint,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_of,
    sign_checkpoint,
    split_notes,
)
from tools.logproof import main

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
ORIGIN = "assist/230722/audit"
LEAVES = [leaf_hash(bytes([i]) * 32) for i in range(20)]


def note(size: int, leaves: list[bytes] = LEAVES, minute: int = 0) -> str:
    at = datetime(2026, 12, 6, 1, minute, tzinfo=UTC)
    return sign_checkpoint(Checkpoint(ORIGIN, size, root_of(leaves[:size]), at), KEY)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.pem"
    path.write_bytes(KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_r_au_2_the_checkpoint_file_is_read_note_by_note(tmp_path: Path, key_file: Path) -> None:
    """R-AU-2: the operator's file, one note after another, checks; a shrunk log or two roots
    for one size (a fork) fail."""
    good = tmp_path / "checkpoints.txt"
    good.write_text(note(5) + "\n" + note(12, minute=1) + "\n" + note(12, minute=2) + "\n")
    assert len(split_notes(good.read_text())) == 3
    assert main(["checkpoint", "--key", str(key_file), str(good)]) == 0
    shrunk = tmp_path / "shrunk.txt"
    shrunk.write_text(note(12) + "\n" + note(5, minute=1) + "\n")
    assert main(["checkpoint", "--key", str(key_file), str(shrunk)]) == 1
    forked = list(LEAVES)
    forked[3] = leaf_hash(b"rewritten")
    fork = tmp_path / "fork.txt"
    fork.write_text(note(12) + "\n" + note(12, forked, minute=1) + "\n")
    assert main(["checkpoint", "--key", str(key_file), str(fork)]) == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert main(["checkpoint", "--key", str(key_file), str(empty)]) == 1


def test_r_au_2_inclusion_and_consistency_files(tmp_path: Path, key_file: Path) -> None:
    """R-AU-2: proofs in the API's JSON shape verify; the wrong index, size or entry fail."""
    proof: dict[str, Any] = {
        "seq": 8, "leaf_index": 7, "leaf_hash": LEAVES[7].hex(), "tree_size": 13,
        "proof": [p.hex() for p in inclusion_proof(7, LEAVES[:13])], "checkpoint": note(13)}
    path = tmp_path / "inclusion.json"
    path.write_text(json.dumps(proof))
    assert main(["inclusion", "--key", str(key_file), str(path)]) == 0
    for change in ({"leaf_index": 6}, {"tree_size": 14}, {"leaf_hash": LEAVES[6].hex()},
                   {"proof": proof["proof"][:-1]}, {"proof": "zz"}):
        path.write_text(json.dumps(proof | change))
        assert main(["inclusion", "--key", str(key_file), str(path)]) == 1
    consistency = {"old_size": 6, "new_size": 17, "old_checkpoint": note(6),
                   "new_checkpoint": note(17),
                   "proof": [p.hex() for p in consistency_proof(6, LEAVES[:17])]}
    path.write_text(json.dumps(consistency))
    assert main(["consistency", "--key", str(key_file), str(path)]) == 0
    forked = list(LEAVES)
    forked[2] = leaf_hash(b"rewritten")
    path.write_text(json.dumps(consistency | {
        "new_checkpoint": note(17, forked),
        "proof": [p.hex() for p in consistency_proof(6, forked[:17])]}))
    assert main(["consistency", "--key", str(key_file), str(path)]) == 1
    with pytest.raises(SystemExit) as exited:
        main(["inclusion", str(path)])
    assert exited.value.code == 2
