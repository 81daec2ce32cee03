"""Initial: outbox, inbox and case references.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "case_reference",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=False),
        sa.Column("division", sa.String(12), nullable=True),
        sa.Column("application_id", sa.String(64), nullable=True),
        sa.Column("application_number", sa.String(64), nullable=True),
        sa.Column("program", sa.String(30), nullable=True),
        sa.Column("last_event_type", sa.String(200), nullable=False),
        sa.Column("last_event_id", sa.String(64), nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_reference"),
        sa.UniqueConstraint("service", "record_id", name="uq_case_reference_service"),
    )
    for column in ("record_id", "division", "application_id", "application_number"):
        op.create_index(f"ix_case_reference_{column}", "case_reference", [column])


def downgrade() -> None:
    op.drop_table("case_reference")
    drop_messaging_tables()
