"""Reads of the log, kept append-only beside it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.audit.guards import append_only_guards, drop_append_only_guards

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("division", sa.String, nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("request_id", sa.String, nullable=True),
        sa.Column("source_address", sa.String, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_log_access"),
    )
    for column in ("at", "user_id", "division"):
        op.create_index(f"ix_log_access_{column}", "log_access", [column])
    for statement in append_only_guards("log_access", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_guards("log_access", dialect):
        op.execute(statement)
    if dialect != "postgresql":
        op.drop_table("log_access")
