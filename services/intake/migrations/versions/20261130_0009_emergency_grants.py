"""Emergency temporary aid granted first, its missing materials tracked (R-IN-5).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "emergency_grant",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("circumstances", sa.Text, nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_on", sa.Date, nullable=False),
        sa.Column("granted_by", sa.String(255), nullable=False),
        sa.Column("materials_complete_on", sa.Date, nullable=True, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_emergency_grant"),
        sa.UniqueConstraint("application_id", name="uq_emergency_grant_application_id"),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name="fk_emergency_grant_application_id_application"),
    )
    op.create_index("ix_emergency_grant_granted_id", "emergency_grant", ["granted_at", "id"])


def downgrade() -> None:
    op.drop_table("emergency_grant")
