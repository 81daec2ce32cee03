"""The Merkle tree over the log and its signed checkpoints (检查点), kept append-only (R-AU-2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.db import Base
from shared.db import UTCDateTime

BIG = BigInteger().with_variant(Integer(), "sqlite")


class MerkleNode(Base):
    """A complete subtree of the tree over the log: ``2^level`` leaves from ``position·2^level``;
    level 1 and up (a leaf's hash comes from its entry's hash). Written with the entries."""

    __tablename__ = "merkle_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A signed checkpoint: the tree's size and root at a moment, and the signed note."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(200))
    tree_size: Mapped[int] = mapped_column(BIG, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(100), comment="system:audit or the user's id")


class DeliveryState(StrEnum):
    pending = "pending"
    delivered = "delivered"


class CheckpointDelivery(Base):
    """A checkpoint on its way out: appended to the operator's file, or POSTed to the witness;
    tried again until it is accepted."""

    __tablename__ = "audit_checkpoint_delivery"
    __table_args__ = (Index("ix_audit_checkpoint_delivery_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(BIG, index=True)
    target: Mapped[str] = mapped_column(String(10), comment="file or witness")
    destination: Mapped[str] = mapped_column(Text, comment="the file's path or witness URL")
    state: Mapped[str] = mapped_column(String(10), default=DeliveryState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
