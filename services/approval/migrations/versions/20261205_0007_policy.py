"""Policy parameters per county and area, versioned from a date (R-BE).

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


def upgrade() -> None:
    op.create_table(
        "policy_version",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("area", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("published_by", sa.String(255), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(255), nullable=True),
        sa.Column("withdrawn_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_policy_version"),
        sa.UniqueConstraint("county", "area", "version",
                            name="uq_policy_version_county_area_version"),
    )
    op.create_index("ix_policy_version_in_force", "policy_version",
                    ["county", "area", "effective_from"])
    op.create_index("ix_policy_version_list", "policy_version",
                    ["county", "area", "version", "id"])


def downgrade() -> None:
    op.drop_table("policy_version")
