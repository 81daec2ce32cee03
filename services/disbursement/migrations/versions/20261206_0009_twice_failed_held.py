"""Payments the bank failed twice are held, not failed (R-DI-6): rows written before, which
stayed ``failed`` with their ``hold_reason``, are moved to ``held`` as new ones are. Downgrade
puts them back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE payment SET status = 'held' "
               "WHERE status = 'failed' AND attempts >= 2 AND hold_reason IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE payment SET status = 'failed' "
               "WHERE status = 'held' AND attempts >= 2 AND failure_reason IS NOT NULL")
