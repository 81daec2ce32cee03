"""Initial: outbox, inbox and review cases.

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
        "review_case",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("area", sa.String(10), nullable=False),
        sa.Column("household_size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("review_due_on", sa.Date, nullable=False),
        sa.Column("review_due_provisional", sa.Boolean, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("investigation_id", sa.String(32), nullable=True),
        sa.Column("investigation_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_case"),
        sa.UniqueConstraint("application_id", name="uq_review_case_application_id"),
    )
    op.create_index("ix_review_case_application_number", "review_case", ["application_number"])
    op.create_index("ix_review_case_division", "review_case", ["division"])
    op.create_index("ix_review_case_status", "review_case", ["status"])


def downgrade() -> None:
    op.drop_table("review_case")
    drop_messaging_tables()
