"""Scheduled jobs and their leases (shared.scheduler).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

from shared.migrations import create_scheduled_job_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_scheduled_job_table()


def downgrade() -> None:
    op.drop_table("scheduled_job")
