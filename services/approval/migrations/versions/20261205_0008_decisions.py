"""Initial opinions, confirmations, meetings, refusals and deadline extensions (R-AP-1, 2, 5, 6, 7).

Also what the decision computes from on the review case (its members, ID numbers masked, and
the completed investigation's figures), and emergency aid granted first at intake (R-IN-5).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("review_case", sa.Column("members", sa.JSON))
    op.add_column("review_case", sa.Column("investigation", sa.JSON))
    op.add_column("review_case", sa.Column("review_extended", sa.Boolean, nullable=False,
                                           server_default=sa.false()))
    op.create_table(
        "initial_opinion",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("proposal", sa.String(10), nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("benefit_month", sa.String(7), nullable=False),
        sa.Column("policy_version_id", sa.String(32)),
        sa.Column("policy_version", sa.Integer),
        sa.Column("reason_code", sa.String(50)),
        sa.Column("reasons", sa.JSON),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("circumstances", sa.JSON, nullable=False),
        sa.Column("adjustments", sa.JSON, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("assessment", sa.JSON, nullable=False),
        sa.Column("case_by_case", sa.JSON),
        sa.Column("investigation_id", sa.String(32)),
        sa.Column("written_by", sa.String(255), nullable=False),
        sa.Column("written_by_name", sa.String(50)),
        sa.Column("written_at", _AT, nullable=False),
        sa.Column("superseded_at", _AT),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"],
                                name="fk_initial_opinion_case_id_review_case"),
        sa.PrimaryKeyConstraint("id", name="pk_initial_opinion"),
        sa.UniqueConstraint("case_id", "version", name="uq_initial_opinion_case_id"),
    )
    op.create_index("ix_initial_opinion_case_id", "initial_opinion", ["case_id"])
    op.create_table(
        "confirmation_meeting",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("place", sa.String(100)),
        sa.Column("chair_user_id", sa.String(255), nullable=False),
        sa.Column("chair_name", sa.String(50), nullable=False),
        sa.Column("attendees", sa.JSON, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(255), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_confirmation_meeting"),
    )
    op.create_index("ix_confirmation_meeting_division", "confirmation_meeting", ["division"])
    op.create_index("ix_confirmation_meeting_held_on_id", "confirmation_meeting",
                    ["held_on", "id"])
    op.create_table(
        "meeting_referral",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("opinion_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("referred_by", sa.String(255), nullable=False),
        sa.Column("referred_at", _AT, nullable=False),
        sa.Column("meeting_id", sa.String(32)),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"],
                                name="fk_meeting_referral_case_id_review_case"),
        sa.ForeignKeyConstraint(["opinion_id"], ["initial_opinion.id"],
                                name="fk_meeting_referral_opinion_id_initial_opinion"),
        sa.ForeignKeyConstraint(["meeting_id"], ["confirmation_meeting.id"],
                                name="fk_meeting_referral_meeting_id_confirmation_meeting"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_referral"),
    )
    op.create_index("ix_meeting_referral_case_id", "meeting_referral", ["case_id"])
    op.create_table(
        "confirmation",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("opinion_id", sa.String(32), nullable=False),
        sa.Column("opinion_version", sa.Integer, nullable=False),
        sa.Column("by", sa.String(10), nullable=False),
        sa.Column("meeting_id", sa.String(32)),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("reason_code", sa.String(50)),
        sa.Column("reasons", sa.JSON),
        sa.Column("note", sa.Text),
        sa.Column("case_by_case", sa.Boolean, nullable=False),
        sa.Column("hardship", sa.Text),
        sa.Column("confirmed_by", sa.String(255), nullable=False),
        sa.Column("confirmed_by_name", sa.String(50)),
        sa.Column("recorded_by", sa.String(255), nullable=False),
        sa.Column("confirmed_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"],
                                name="fk_confirmation_case_id_review_case"),
        sa.ForeignKeyConstraint(["opinion_id"], ["initial_opinion.id"],
                                name="fk_confirmation_opinion_id_initial_opinion"),
        sa.ForeignKeyConstraint(["meeting_id"], ["confirmation_meeting.id"],
                                name="fk_confirmation_meeting_id_confirmation_meeting"),
        sa.PrimaryKeyConstraint("id", name="pk_confirmation"),
    )
    op.create_index("ix_confirmation_case_id", "confirmation", ["case_id"])
    op.create_index("ix_confirmation_meeting_id", "confirmation", ["meeting_id"])
    op.create_table(
        "refusal",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("confirmation_id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("reason_code", sa.String(50), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("decided_at", _AT, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("notice_due_on", sa.Date, nullable=False),
        sa.Column("notice_due_provisional", sa.Boolean, nullable=False),
        sa.Column("delivered_at", _AT),
        sa.Column("delivery_method", sa.String(20)),
        sa.Column("delivered_to", sa.String(50)),
        sa.Column("delivery_note", sa.Text),
        sa.Column("delivery_recorded_by", sa.String(255)),
        sa.Column("delivery_recorded_at", _AT),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"],
                                name="fk_refusal_case_id_review_case"),
        sa.ForeignKeyConstraint(["confirmation_id"], ["confirmation.id"],
                                name="fk_refusal_confirmation_id_confirmation"),
        sa.PrimaryKeyConstraint("id", name="pk_refusal"),
        sa.UniqueConstraint("case_id", name="uq_refusal_case_id"),
    )
    op.create_index("ix_refusal_division", "refusal", ["division"])
    op.create_index("ix_refusal_due_on_id", "refusal", ["notice_due_on", "id"])
    op.create_table(
        "review_extension",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("previous_due_on", sa.Date, nullable=False),
        sa.Column("review_due_on", sa.Date, nullable=False),
        sa.Column("review_due_provisional", sa.Boolean, nullable=False),
        sa.Column("extended_by", sa.String(255), nullable=False),
        sa.Column("extended_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"],
                                name="fk_review_extension_case_id_review_case"),
        sa.PrimaryKeyConstraint("id", name="pk_review_extension"),
        sa.UniqueConstraint("case_id", name="uq_review_extension_case_id"),
    )
    op.create_table(
        "emergency_aid",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("granted_at", _AT, nullable=False),
        sa.Column("granted_on", sa.Date, nullable=False),
        sa.Column("circumstances", sa.Text, nullable=False),
        sa.Column("outstanding_materials", sa.JSON, nullable=False),
        sa.Column("cap_fen", sa.BigInteger),
        sa.Column("within_cap", sa.Boolean),
        sa.Column("cap_detail", sa.JSON),
        sa.Column("policy_version_id", sa.String(32)),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_emergency_aid"),
        sa.UniqueConstraint("application_id", name="uq_emergency_aid_application_id"),
    )
    op.create_index("ix_emergency_aid_division", "emergency_aid", ["division"])


def downgrade() -> None:
    for table in ("emergency_aid", "review_extension", "refusal", "confirmation",
                  "meeting_referral", "confirmation_meeting", "initial_opinion"):
        op.drop_table(table)
    with op.batch_alter_table("review_case") as batch:
        for name in ("review_extended", "investigation", "members"):
            batch.drop_column(name)
