"""Merkle checkpoints of the log, signed, and their witnesses (R-AU-2).

The tree's stored subtrees (merkle_node) and the checkpoints are append-only like the log (on
PostgreSQL only their owner may change them); the deliveries of checkpoints (file, witness) are
a courier's work queue. The tree over entries already logged is built here, in one pass.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.audit.guards import (
    append_only_guards,
    drop_append_only_guards,
    refuse_changes_to_others,
)
from shared.migrations import create_scheduled_job_table
from shared.transparency import leaf_hash, node_hash

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("merkle_node", "audit_checkpoint")


def upgrade() -> None:
    op.create_table(
        "merkle_node",
        sa.Column("level", sa.SmallInteger, nullable=False, autoincrement=False),
        sa.Column("position", BIG, nullable=False, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name="pk_merkle_node"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("tree_size", BIG, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("made_by", sa.String(100), nullable=False,
                  comment="system:audit or the user's id"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoint"),
    )
    op.create_index("ix_audit_checkpoint_tree_size", "audit_checkpoint", ["tree_size"])
    op.create_table(
        "audit_checkpoint_delivery",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("checkpoint_id", BIG, nullable=False),
        sa.Column("target", sa.String(10), nullable=False, comment="file or witness"),
        sa.Column("destination", sa.Text, nullable=False,
                  comment="the file's path or witness URL"),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoint_delivery"),
    )
    op.create_index("ix_audit_checkpoint_delivery_checkpoint_id", "audit_checkpoint_delivery",
                    ["checkpoint_id"])
    op.create_index("ix_audit_checkpoint_delivery_state_id", "audit_checkpoint_delivery",
                    ["state", "id"])
    create_scheduled_job_table()
    _build_tree()
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_guards(table, dialect):
            op.execute(statement)
        if dialect == "postgresql":  # the service's role: INSERT and SELECT only
            op.execute(refuse_changes_to_others(table))


def _build_tree() -> None:
    """The stored subtrees of the entries logged before this revision (leaf = SHA-256(0x00 ||
    entry hash)), read in seq order, written in batches."""
    bind = op.get_bind()
    nodes = sa.table("merkle_node", sa.column("level"), sa.column("position"),
                     sa.column("hash", sa.LargeBinary))
    frontier: list[tuple[int, int, bytes]] = []
    after = 0
    while True:
        rows = bind.execute(sa.text("SELECT seq, hash FROM audit_entry WHERE seq > :after "
                                    "ORDER BY seq LIMIT 5000"), {"after": after}).all()
        if not rows:
            return
        pending: list[dict[str, object]] = []
        for seq, entry_hash in rows:
            level, position, value = 0, seq - 1, leaf_hash(bytes.fromhex(entry_hash))
            while frontier and frontier[-1][0] == level:
                _, left_position, left = frontier.pop()
                level, position, value = level + 1, left_position >> 1, node_hash(left, value)
                pending.append({"level": level, "position": position, "hash": value})
            frontier.append((level, position, value))
        if pending:
            bind.execute(nodes.insert(), pending)
        after = rows[-1][0]


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("scheduled_job")
    op.drop_table("audit_checkpoint_delivery")
    for table in APPEND_ONLY:
        for statement in drop_append_only_guards(table, dialect):
            op.execute(statement)
        if dialect != "postgresql":
            op.drop_table(table)
