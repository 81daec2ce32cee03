"""Cases flagged for near relatives: staff kept out of their investigations (R-AP-8).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recusal",
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("staff_user_id", sa.String(255), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("flagged_at", TIME, nullable=False),
        sa.Column("removed_from", sa.String(32), nullable=True),
        sa.Column("removed_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("application_id", "staff_user_id", name="pk_recusal"),
    )


def downgrade() -> None:
    op.drop_table("recusal")
