"""Events the audit service publishes: its signed checkpoints, so each is in the log itself."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract


class AuditEvent(EventContract):
    service: ClassVar[str] = "audit"


class CheckpointSigned(AuditEvent):
    """The log signed a checkpoint of its Merkle tree (R-AU-2): its size and root at a moment,
    sent out to the operator's file and the witness. The subject is ``checkpoint/<id>``."""

    event: ClassVar[str] = "checkpoint_signed"
    checkpoint_id: int
    origin: str = Field(description="the log's name, e.g. assist/230722/audit")
    tree_size: int = Field(ge=0, description="entries covered: seq 1 … tree_size")
    root_hash: str = Field(description="RFC 6962 tree hash, hex")
    timestamp: AwareDatetime
    key_id: str = Field(description="the signing key's signed-note id, hex")
    note: str = Field(description="the checkpoint as a signed note (C2SP tlog-checkpoint)")
    made_by: str = Field(description="system:audit for the scheduled ones, else the user id")
