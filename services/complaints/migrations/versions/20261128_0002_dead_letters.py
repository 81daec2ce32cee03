"""Dead letters: events the consumer parked instead of retrying forever (shared.dead_letters).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

from shared.migrations import create_dead_letter_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_dead_letter_table()


def downgrade() -> None:
    op.drop_table("dead_letter")
