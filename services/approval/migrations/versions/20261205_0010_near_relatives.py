"""The near-relative register and flagged cases (R-AP-8).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TIME = sa.DateTime(timezone=True)
ID = sa.String(32)
USER = sa.String(255)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "near_relative",
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_user_id", USER, nullable=False),
        sa.Column("staff_name", sa.String(50), nullable=False),
        sa.Column("staff_level", sa.String(10), nullable=False),
        sa.Column("staff_division", sa.String(12), nullable=False),
        sa.Column("relative_name", sa.String(50), nullable=False),
        sa.Column("relationship", sa.String(30), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("id_key_id", sa.String(32), nullable=False),
        sa.Column("id_masked", sa.String(18), nullable=False),
        sa.Column("filed_by", USER, nullable=False),
        sa.Column("filed_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_near_relative"),
    )
    op.create_index("ix_near_relative_staff_user_id", "near_relative", ["staff_user_id"])
    op.create_index("ix_near_relative_staff_division", "near_relative", ["staff_division"])
    op.create_index("ix_near_relative_filed_at_id", "near_relative", ["filed_at", "id"])
    op.create_index("ix_near_relative_digest", "near_relative", ["id_key_id", "id_digest"])
    op.create_table(
        "near_relative_withdrawal",
        sa.Column("id", ID, nullable=False),
        sa.Column("near_relative_id", ID, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("withdrawn_by", USER, nullable=False),
        sa.Column("withdrawn_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_near_relative_withdrawal"),
        sa.ForeignKeyConstraint(["near_relative_id"], ["near_relative.id"],
                                name="fk_near_relative_withdrawal_near_relative_id_near_relative"),
        sa.UniqueConstraint("near_relative_id",
                            name="uq_near_relative_withdrawal_near_relative_id"),
    )
    op.create_table(
        "case_member_digest",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("id_key_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_member_digest"),
        sa.UniqueConstraint("case_id", "id_key_id", "id_digest",
                            name="uq_case_member_digest_case_id"),
    )
    op.create_index("ix_case_member_digest_lookup", "case_member_digest",
                    ["id_key_id", "id_digest"])
    op.create_table(
        "near_relative_case",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("archive_apart", sa.Boolean, nullable=False),
        sa.Column("flagged_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_near_relative_case"),
        sa.UniqueConstraint("application_id", name="uq_near_relative_case_application_id"),
    )
    op.create_index("ix_near_relative_case_division", "near_relative_case", ["division"])
    op.create_index("ix_near_relative_case_flagged_at", "near_relative_case",
                    ["flagged_at", "case_id"])
    op.create_table(
        "near_relative_flag",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("near_relative_id", ID, nullable=False),
        sa.Column("staff_user_id", USER, nullable=False),
        sa.Column("found_when", sa.String(20), nullable=False),
        sa.Column("flagged_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_near_relative_flag"),
        sa.ForeignKeyConstraint(["case_id"], ["near_relative_case.case_id"],
                                name="fk_near_relative_flag_case_id_near_relative_case"),
        sa.ForeignKeyConstraint(["near_relative_id"], ["near_relative.id"],
                                name="fk_near_relative_flag_near_relative_id_near_relative"),
        sa.UniqueConstraint("case_id", "near_relative_id",
                            name="uq_near_relative_flag_case_id"),
    )
    op.create_index("ix_near_relative_flag_staff", "near_relative_flag",
                    ["case_id", "staff_user_id"])


def downgrade() -> None:
    op.drop_table("near_relative_flag")
    op.drop_table("near_relative_case")
    op.drop_table("case_member_digest")
    op.drop_table("near_relative_withdrawal")
    op.drop_table("near_relative")
