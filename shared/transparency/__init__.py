"""Proofs a third party can check (R-AU-2, 可验证的日志): RFC 6962 Merkle trees, inclusion and
consistency proofs, and Ed25519-signed checkpoints in the C2SP signed-note form.

Pure: the standard library and ``cryptography`` only, so ``tools/logproof`` (and anyone holding
the public key, a checkpoint and a proof) can check the audit log with nothing of the service.
"""

from shared.transparency.checkpoint import (
    Checkpoint,
    CheckpointError,
    LogKey,
    SignatureBroken,
    key_id,
    load_key_file,
    load_public_key,
    parse_checkpoint,
    sign_checkpoint,
    split_notes,
    verifier_key,
    verify_checkpoint,
    verify_checkpoint_with,
)
from shared.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    ProofError,
    consistency_proof,
    consistency_ranges,
    fold,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    range_nodes,
    root_from_inclusion,
    root_of,
    root_of_data,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT", "HASH_SIZE", "Checkpoint", "CheckpointError", "ProofError", "SignatureBroken",
    "consistency_proof", "consistency_ranges", "fold", "inclusion_proof", "inclusion_ranges",
    "LogKey", "key_id", "leaf_hash", "load_key_file", "load_public_key", "node_hash",
    "parse_checkpoint", "range_nodes", "root_from_inclusion", "root_of", "root_of_data",
    "sign_checkpoint", "split_notes", "verifier_key", "verify_checkpoint",
    "verify_checkpoint_with", "verify_consistency", "verify_inclusion",
]
