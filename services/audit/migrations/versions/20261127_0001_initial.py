"""Initial: outbox, inbox and the append-only operation log with its guard triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.audit.guards import append_only_guards, drop_append_only_guards
from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("service", sa.String, nullable=False),
        sa.Column("record_id", sa.String, nullable=False),
        sa.Column("division", sa.String, nullable=True),
        sa.Column("actor_user", sa.String, nullable=False),
        sa.Column("actor_role", sa.String, nullable=False),
        sa.Column("correlation_id", sa.String, nullable=False),
        sa.Column("request_id", sa.String, nullable=True),
        sa.Column("source_address", sa.String, nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entry"),
        sa.UniqueConstraint("event_id", name="uq_audit_entry_event_id"),
    )
    op.create_index("ix_audit_entry_record_id_seq", "audit_entry", ["record_id", "seq"])
    op.create_index("ix_audit_entry_actor_user_seq", "audit_entry", ["actor_user", "seq"])
    for column in ("event_type", "division", "correlation_id", "occurred_at"):
        op.create_index(f"ix_audit_entry_{column}", "audit_entry", [column])
    for statement in append_only_guards("audit_entry", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_guards("audit_entry", dialect):
        op.execute(statement)
    if dialect != "postgresql":
        op.drop_table("audit_entry")
    drop_messaging_tables()
