"""The list of applications seeks along an index of its order (submitted_at, number).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_application_submitted_number", "application", ["submitted_at", "number"])


def downgrade() -> None:
    op.drop_index("ix_application_submitted_number", table_name="application")
