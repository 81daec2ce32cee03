"""Initial: outbox, inbox and investigations.

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
        "investigation",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("application_id", sa.String(32), nullable=False, unique=True),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("household_size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("review_due_on", sa.Date, nullable=False),
        sa.Column("review_due_provisional", sa.Boolean, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("investigation")
    drop_messaging_tables()
