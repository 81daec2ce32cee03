"""The staff register (R-DI-5, R-OV-4): assistance staff and village cadres, ID numbers as digests.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_member",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("title", sa.String(60), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.String(200), nullable=True),
        sa.Column("registered_by", sa.String(255), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(255), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_member"),
    )
    op.create_index("ix_staff_member_kind", "staff_member", ["kind"])
    op.create_index("ix_staff_member_division", "staff_member", ["division"])
    op.create_index("ix_staff_member_registered_at_id", "staff_member", ["registered_at", "id"])
    op.create_index("ix_staff_member_id_digest_kind", "staff_member", ["id_digest", "kind"])
    op.create_index("uq_staff_member_open_post", "staff_member", ["id_digest", "kind", "division"],
                    unique=True, sqlite_where=sa.text("valid_until IS NULL"),
                    postgresql_where=sa.text("valid_until IS NULL"))


def downgrade() -> None:
    op.drop_table("staff_member")
