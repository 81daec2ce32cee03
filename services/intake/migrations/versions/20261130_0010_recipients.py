"""The register of recipients (R-IN-4), kept from approval's events.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recipient",
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False, index=True),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("since_month", sa.String(7), nullable=False),
        sa.Column("stopped_from", sa.String(7), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("beneficiary_id", name="pk_recipient"),
    )
    op.create_table(
        "recipient_member",
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("head_id_number", sa.String(18), nullable=False),
        sa.PrimaryKeyConstraint("beneficiary_id", "id_number", name="pk_recipient_member"),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["recipient.beneficiary_id"],
                                name="fk_recipient_member_beneficiary_id_recipient"),
    )
    op.create_index("ix_recipient_member_id_number_program", "recipient_member",
                    ["id_number", "program"])


def downgrade() -> None:
    op.drop_table("recipient_member")
    op.drop_table("recipient")
