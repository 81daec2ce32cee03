"""Review cases closed when their application ends at intake (refused, withdrawn).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("review_case", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("review_case", sa.Column("closed_reason", sa.String(40)))
    op.add_column("review_case", sa.Column("closed_detail", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("review_case") as batch:
        for name in ("closed_detail", "closed_reason", "closed_at"):
            batch.drop_column(name)
