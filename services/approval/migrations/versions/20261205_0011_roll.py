"""The roll: beneficiaries, adjustments, re-checks, tekun care, the low-income register (R-DY).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
ID = sa.String(32)
USER = sa.String(255)
MONTH = sa.String(7)


def upgrade() -> None:
    op.create_table(
        "beneficiary",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("area", sa.String(10), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("head_name_masked", sa.String(60), nullable=False),
        sa.Column("household_size", sa.Integer, nullable=False),
        sa.Column("monthly_fen", sa.Integer, nullable=False),
        sa.Column("amount_from", MONTH, nullable=False),
        sa.Column("effective_month", MONTH, nullable=False),
        sa.Column("certificate_number", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stop_month", MONTH, nullable=True),
        sa.Column("stop_reason", sa.Text, nullable=True),
        sa.Column("exit_from_month", MONTH, nullable=True),
        sa.Column("stop_emitted", sa.Boolean, nullable=False),
        sa.Column("recheck_months", sa.Integer, nullable=False),
        sa.Column("recheck_reasons", sa.JSON, nullable=False),
        sa.Column("unsteady_income", sa.Boolean, nullable=False),
        sa.Column("able_to_work", sa.Boolean, nullable=False),
        sa.Column("near_relative", sa.Boolean, nullable=False),
        sa.Column("next_recheck_due", sa.Date, nullable=False),
        sa.Column("last_recheck_on", sa.Date, nullable=True),
        sa.Column("approved_at", TIME, nullable=False),
        sa.Column("approved_by", USER, nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_beneficiary"),
        sa.UniqueConstraint("case_id", name="uq_beneficiary_case_id"),
    )
    op.create_index("ix_beneficiary_application_id", "beneficiary", ["application_id"])
    op.create_index("ix_beneficiary_program", "beneficiary", ["program"])
    op.create_index("ix_beneficiary_division", "beneficiary", ["division"])
    op.create_index("ix_beneficiary_status", "beneficiary", ["status"])
    op.create_index("ix_beneficiary_approved_id", "beneficiary", ["approved_at", "id"])
    op.create_index("ix_beneficiary_recheck_due_id", "beneficiary", ["next_recheck_due", "id"])
    op.create_table(
        "beneficiary_member",
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=True),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name="fk_beneficiary_member_beneficiary_id_beneficiary"),
        sa.PrimaryKeyConstraint("beneficiary_id", "member_id", name="pk_beneficiary_member"),
    )
    op.create_table(
        "beneficiary_change",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=True),
        sa.Column("effective_month", MONTH, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("reference", ID, nullable=True),
        sa.Column("actor", USER, nullable=True),
        sa.Column("at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name="fk_beneficiary_change_beneficiary_id_beneficiary"),
        sa.PrimaryKeyConstraint("id", name="pk_beneficiary_change"),
    )
    op.create_index("ix_beneficiary_change_beneficiary_id", "beneficiary_change",
                    ["beneficiary_id", "id"])
    op.create_table(
        "temporary_aid_grant",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("head_name_masked", sa.String(60), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("member_ids", sa.JSON, nullable=True),
        sa.Column("granted_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_temporary_aid_grant"),
        sa.UniqueConstraint("case_id", name="uq_temporary_aid_grant_case_id"),
    )
    op.create_index("ix_temporary_aid_grant_application_id", "temporary_aid_grant",
                    ["application_id"])
    op.create_index("ix_temporary_aid_grant_division", "temporary_aid_grant", ["division"])
    op.create_table(
        "low_income_person",
        sa.Column("id", ID, nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("id_number_masked", sa.String(18), nullable=True),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("beneficiary_id", ID, nullable=True),
        sa.Column("application_id", ID, nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("ended_reason", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_by", USER, nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_low_income_person"),
    )
    op.create_index("ix_low_income_person_category", "low_income_person", ["category"])
    op.create_index("ix_low_income_person_division", "low_income_person", ["division"])
    op.create_index("ix_low_income_person_active", "low_income_person", ["active"])
    op.create_index("ix_low_income_person_recorded_id", "low_income_person",
                    ["recorded_at", "id"])
    op.create_index("ix_low_income_person_beneficiary", "low_income_person",
                    ["beneficiary_id", "category"])

    op.create_table(
        "recheck",
        sa.Column("id", ID, nullable=False),
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("frequency_months", sa.Integer, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", TIME, nullable=False),
        sa.Column("requested_by", USER, nullable=False),
        sa.Column("task_id", ID, nullable=True),
        sa.Column("visited_on", sa.Date, nullable=True),
        sa.Column("completed_at", TIME, nullable=True),
        sa.Column("completed_by", USER, nullable=True),
        sa.Column("findings", sa.Text, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("assessed_fen", sa.Integer, nullable=True),
        sa.Column("assessment", sa.JSON, nullable=True),
        sa.Column("adjustment_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name="fk_recheck_beneficiary_id_beneficiary"),
        sa.PrimaryKeyConstraint("id", name="pk_recheck"),
    )
    op.create_index("ix_recheck_division", "recheck", ["division"])
    op.create_index("ix_recheck_status", "recheck", ["status"])
    op.create_index("ix_recheck_due_id", "recheck", ["due_on", "id"])
    op.create_index("ix_recheck_beneficiary_status", "recheck", ["beneficiary_id", "status"])
    op.create_table(
        "adjustment",
        sa.Column("id", ID, nullable=False),
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("recheck_id", ID, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("current_fen", sa.Integer, nullable=False),
        sa.Column("new_fen", sa.Integer, nullable=True),
        sa.Column("effective_month", MONTH, nullable=False),
        sa.Column("stop_month", MONTH, nullable=True),
        sa.Column("policy_version_id", ID, nullable=True),
        sa.Column("found", sa.JSON, nullable=True),
        sa.Column("assessment", sa.JSON, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", USER, nullable=False),
        sa.Column("proposed_at", TIME, nullable=False),
        sa.Column("decided_by", USER, nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name="fk_adjustment_beneficiary_id_beneficiary"),
        sa.PrimaryKeyConstraint("id", name="pk_adjustment"),
    )
    op.create_index("ix_adjustment_division", "adjustment", ["division"])
    op.create_index("ix_adjustment_status", "adjustment", ["status"])
    op.create_index("ix_adjustment_proposed_id", "adjustment", ["proposed_at", "id"])
    op.create_index("ix_adjustment_beneficiary_status", "adjustment", ["beneficiary_id", "status"])
    op.create_table(
        "care_agreement",
        sa.Column("id", ID, nullable=False),
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("self_care", sa.String(20), nullable=False),
        sa.Column("caregiver_name", sa.String(50), nullable=True),
        sa.Column("caregiver_relationship", sa.String(50), nullable=True),
        sa.Column("institution", sa.String(100), nullable=True),
        sa.Column("document_ref", sa.String(100), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("recorded_by", USER, nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("superseded_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name="fk_care_agreement_beneficiary_id_beneficiary"),
        sa.PrimaryKeyConstraint("id", name="pk_care_agreement"),
    )
    op.create_index("ix_care_agreement_division", "care_agreement", ["division"])
    op.create_index("ix_care_agreement_beneficiary_recorded", "care_agreement",
                    ["beneficiary_id", "recorded_at"])


def downgrade() -> None:
    for table in ("care_agreement", "adjustment", "recheck", "low_income_person",
                  "temporary_aid_grant", "beneficiary_change", "beneficiary_member",
                  "beneficiary"):
        op.drop_table(table)
