"""Public notices, objections, appraisals and certificates (R-AP-3, R-AP-4).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
ID = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "public_notice",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("confirmation_id", ID, nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("village_name", sa.String(60), nullable=False),
        sa.Column("head_name_masked", sa.String(60), nullable=False),
        sa.Column("household_size", sa.Integer, nullable=False),
        sa.Column("monthly_fen", sa.Integer, nullable=False),
        sa.Column("confirmed_at", TIME, nullable=False),
        sa.Column("posted_on", sa.Date, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False),
        sa.Column("closes_at", TIME, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("ended_at", TIME),
        sa.Column("certificate_number", sa.String(40)),
        sa.Column("effective_month", sa.String(7)),
        sa.PrimaryKeyConstraint("id", name="pk_public_notice"),
        sa.UniqueConstraint("confirmation_id", name="uq_public_notice_confirmation_id"),
        sa.UniqueConstraint("certificate_number", name="uq_public_notice_certificate_number"),
    )
    op.create_index("ix_public_notice_case_id", "public_notice", ["case_id"])
    op.create_index("ix_public_notice_status_closes_at", "public_notice", ["status", "closes_at"])
    op.create_index("ix_public_notice_division_status", "public_notice", ["division", "status"])
    op.create_index("ix_public_notice_confirmed_at_id", "public_notice", ["confirmed_at", "id"])
    op.create_table(
        "notice_objection",
        sa.Column("id", ID, nullable=False),
        sa.Column("receipt_number", sa.String(40), nullable=False),
        sa.Column("notice_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("contact", sa.String(100)),
        sa.Column("filed_by", sa.String(255)),
        sa.Column("form_nonce", sa.String(40)),
        sa.Column("source_address", sa.String(64)),
        sa.Column("filed_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notice_objection"),
        sa.ForeignKeyConstraint(["notice_id"], ["public_notice.id"],
                                name="fk_notice_objection_notice_id_public_notice"),
        sa.UniqueConstraint("receipt_number", name="uq_notice_objection_receipt_number"),
        sa.UniqueConstraint("form_nonce", name="uq_notice_objection_form_nonce"),
    )
    op.create_index("ix_notice_objection_notice_id", "notice_objection", ["notice_id"])
    op.create_index("ix_notice_objection_case_id", "notice_objection", ["case_id"])
    op.create_index("ix_notice_objection_source_filed_at", "notice_objection",
                    ["source_address", "filed_at"])
    op.create_table(
        "objection_review",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("notice_id", ID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("held_on", sa.Date),
        sa.Column("participants", sa.JSON),
        sa.Column("result", sa.Text),
        sa.Column("record", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("decided_by", sa.String(255), nullable=False),
        sa.Column("decided_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_objection_review"),
        sa.ForeignKeyConstraint(["notice_id"], ["public_notice.id"],
                                name="fk_objection_review_notice_id_public_notice"),
        sa.UniqueConstraint("notice_id", name="uq_objection_review_notice_id"),
    )
    op.create_index("ix_objection_review_case_id", "objection_review", ["case_id"])
    op.create_table(
        "certificate_sequence",
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("last_value", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("county", "year", name="pk_certificate_sequence"),
    )


def downgrade() -> None:
    op.drop_table("certificate_sequence")
    op.drop_table("objection_review")
    op.drop_table("notice_objection")
    op.drop_table("public_notice")
