"""API shapes of checkpoints and proofs: hashes in hex, the checkpoint as its signed note, so a
response saved to a file is what ``python -m tools.logproof`` checks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CheckpointOut(BaseModel):
    """A signed checkpoint of the log's Merkle tree (R-AU-2)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    origin: str
    tree_size: int = Field(description="entries covered: seq 1 … tree_size")
    root_hash: str = Field(description="RFC 6962 tree hash, hex")
    timestamp: datetime
    key_id: str
    note: str = Field(description="the signed note (C2SP tlog-checkpoint, Ed25519)")
    made_by: str


class SigningKeyOut(BaseModel):
    """The public key checkpoints are verified with."""

    origin: str
    key_id: str
    public_key_pem: str
    verifier_key: str = Field(description="signed-note verifier key: name+id+base64 key")


class LogKeyOut(BaseModel):
    """A key the log's checkpoints are signed with: the current one, or one retired by a
    rotation, which verifies what it signed until ``retired_at``."""

    key_id: str
    verifier_key: str = Field(description="signed-note verifier key: name+id+base64 key")
    public_key_pem: str
    current: bool
    retired_at: datetime | None = Field(description="when a rotation took it out of service")


class InclusionProofOut(BaseModel):
    """Entry ``seq`` is leaf ``seq - 1`` of the checkpoint's tree; its leaf hash is SHA-256(0x00
    || the entry's chain hash); ``proof`` is its audit path (RFC 6962), leaf side first."""

    kind: str = "inclusion"
    seq: int
    leaf_index: int
    entry_hash: str = Field(description="the entry's chain hash (hex), the leaf's data")
    leaf_hash: str
    tree_size: int
    proof: list[str]
    checkpoint: str = Field(description="the signed note the proof leads to")


class ConsistencyProofOut(BaseModel):
    """The tree of the first checkpoint is the start of the second's: nothing was changed or
    removed between them (RFC 6962 consistency proof)."""

    kind: str = "consistency"
    old_size: int
    new_size: int
    proof: list[str]
    old_checkpoint: str
    new_checkpoint: str
