"""Referrals of people in need (R-IN-2), and the referral an application follows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
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
        "referral",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("person_name", sa.String(50), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=True, index=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("situation", sa.Text, nullable=False),
        sa.Column("reported_by", sa.String(50), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referred_on", sa.Date, nullable=False),
        sa.Column("referred_by", sa.String(255), nullable=False),
        sa.Column("referred_by_role", sa.String(30), nullable=False),
        sa.Column("followup_due_on", sa.Date, nullable=False),
        sa.Column("followup_due_provisional", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("contacted_on", sa.Date, nullable=True),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contacted_by", sa.String(255), nullable=True),
        sa.Column("contact_note", sa.Text, nullable=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(255), nullable=True),
        sa.Column("end_reason_code", sa.String(50), nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.Column("application_id", sa.String(32), nullable=True, index=True),
        sa.Column("application_number", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral"),
    )
    op.create_index("ix_referral_due_referred_id", "referral",
                    ["followup_due_on", "referred_at", "id"])
    op.add_column("application", sa.Column("referral_id", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.drop_column("referral_id")
    op.drop_table("referral")
