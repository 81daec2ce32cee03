"""Complaints, reports and petitions, the hotline's call log and media cases (R-CO-1 … R-CO-5).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_scheduled_job_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _complaints() -> None:
    op.create_table(
        "complaint",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tracking_number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("concerns", sa.String(20), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("program", sa.String(30), nullable=True),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("household", sa.String(100), nullable=True),
        sa.Column("staff_member", sa.String(100), nullable=True),
        sa.Column("case_reference_id", sa.String(32), nullable=True),
        sa.Column("case_service", sa.String(40), nullable=True),
        sa.Column("case_record_id", sa.String(100), nullable=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("handled_by", sa.String(12), nullable=False),
        sa.Column("routing_reason", sa.String(300), nullable=False),
        sa.Column("contact_name", sa.String(50), nullable=True),
        sa.Column("contact_phone_sealed", sa.Text, nullable=True),
        sa.Column("contact_phone_masked", sa.String(20), nullable=True),
        sa.Column("answer_wanted", sa.Boolean, nullable=False),
        sa.Column("hotline_call_id", sa.String(32), nullable=True),
        sa.Column("filed_by_public", sa.Boolean, nullable=False),
        sa.Column("source_address", sa.String(64), nullable=True),
        sa.Column("check_code_digest", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("registered_by", sa.String(255), nullable=False),
        sa.Column("registered_at", TIME, nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("handling_due_on", sa.Date, nullable=False),
        sa.Column("answer_due_on", sa.Date, nullable=True),
        sa.Column("accepted_by", sa.String(255), nullable=True),
        sa.Column("accepted_at", TIME, nullable=True),
        sa.Column("note_count", sa.Integer, nullable=False),
        sa.Column("substantiated", sa.Boolean, nullable=True),
        sa.Column("finding", sa.Text, nullable=True),
        sa.Column("handling", sa.Text, nullable=True),
        sa.Column("concluded_by", sa.String(255), nullable=True),
        sa.Column("concluded_at", TIME, nullable=True),
        sa.Column("concluded_on", sa.Date, nullable=True),
        sa.Column("rectification_item_id", sa.String(32), nullable=True),
        sa.Column("result_filed_at", TIME, nullable=True),
        sa.Column("answer_text", sa.Text, nullable=True),
        sa.Column("answer_method", sa.String(20), nullable=True),
        sa.Column("answered_by", sa.String(255), nullable=True),
        sa.Column("answered_on", sa.Date, nullable=True),
        sa.Column("handling_overdue_noted_at", TIME, nullable=True),
        sa.Column("answer_overdue_noted_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_complaint"),
        sa.UniqueConstraint("tracking_number", name="uq_complaint_tracking_number"),
    )
    op.create_index("ix_complaint_division", "complaint", ["division"])
    op.create_index("ix_complaint_handled_by", "complaint", ["handled_by"])
    op.create_index("ix_complaint_case_reference_id", "complaint", ["case_reference_id"])
    op.create_index("ix_complaint_registered_id", "complaint", ["registered_at", "id"])
    op.create_index("ix_complaint_status_handling_due", "complaint",
                    ["status", "handling_due_on"])
    op.create_index("ix_complaint_answer_due", "complaint", ["answered_on", "answer_due_on"])
    op.create_index("ix_complaint_public_source", "complaint",
                    ["source_address", "registered_at"])
    for table in ("complaint_note", "complaint_routing"):
        extra = ([sa.Column("note", sa.Text, nullable=False)] if table == "complaint_note" else
                 [sa.Column("level", sa.String(10), nullable=False),
                  sa.Column("handled_by", sa.String(12), nullable=False),
                  sa.Column("reason", sa.Text, nullable=False)])
        op.create_table(
            table,
            sa.Column("id", sa.String(32), nullable=False),
            sa.Column("complaint_id", sa.String(32), nullable=False),
            sa.Column("seq", sa.Integer, nullable=False),
            *extra,
            sa.Column("by", sa.String(255), nullable=False),
            sa.Column("at", TIME, nullable=False),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"],
                                    name=f"fk_{table}_complaint_id_complaint"),
            sa.UniqueConstraint("complaint_id", "seq", name=f"uq_{table}_complaint_id"),
        )
    op.create_table(
        "complaint_tracking_sequence",
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_value", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("county", "year", name="pk_complaint_tracking_sequence"),
    )


def _hotline() -> None:
    op.create_table(
        "hotline_call",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("called_at", TIME, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("in_working_hours", sa.Boolean, nullable=False),
        sa.Column("caller_phone_sealed", sa.Text, nullable=True),
        sa.Column("caller_phone_masked", sa.String(20), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("complaint_id", sa.String(32), nullable=True),
        sa.Column("logged_by", sa.String(255), nullable=False),
        sa.Column("logged_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hotline_call"),
    )
    op.create_index("ix_hotline_call_division", "hotline_call", ["division"])
    op.create_index("ix_hotline_call_complaint_id", "hotline_call", ["complaint_id"])
    op.create_index("ix_hotline_call_called_id", "hotline_call", ["called_at", "id"])


def _media() -> None:
    op.create_table(
        "media_case",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("outlet", sa.String(100), nullable=False),
        sa.Column("headline", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("program", sa.String(30), nullable=True),
        sa.Column("household", sa.String(100), nullable=True),
        sa.Column("disclosed_on", sa.Date, nullable=False),
        sa.Column("investigation_due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("registered_by", sa.String(255), nullable=False),
        sa.Column("registered_at", TIME, nullable=False),
        sa.Column("investigated_on", sa.Date, nullable=True),
        sa.Column("cause", sa.Text, nullable=True),
        sa.Column("course", sa.Text, nullable=True),
        sa.Column("nature", sa.Text, nullable=True),
        sa.Column("responsible_person", sa.String(100), nullable=True),
        sa.Column("proposed_handling", sa.Text, nullable=True),
        sa.Column("similar_found", sa.Integer, nullable=True),
        sa.Column("rectification_item_id", sa.String(32), nullable=True),
        sa.Column("investigated_by", sa.String(255), nullable=True),
        sa.Column("investigated_at", TIME, nullable=True),
        sa.Column("overdue_noted_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media_case"),
    )
    op.create_index("ix_media_case_division", "media_case", ["division"])
    op.create_index("ix_media_case_registered_id", "media_case", ["registered_at", "id"])
    op.create_index("ix_media_case_status_due", "media_case", ["status", "investigation_due_on"])


def upgrade() -> None:
    create_scheduled_job_table()  # the daily note of missed deadlines (complaints/jobs.py)
    _complaints()
    _hotline()
    _media()


def downgrade() -> None:
    op.drop_table("media_case")
    op.drop_table("hotline_call")
    op.drop_table("complaint_tracking_sequence")
    op.drop_table("complaint_routing")
    op.drop_table("complaint_note")
    op.drop_table("complaint")
    op.drop_table("scheduled_job")
