"""The investigation's work (R-VE-1, R-VE-2, R-VE-5): the household, the team of investigators
and the village committee's helper, every version of the investigation form and its
confirmations, neighbour visits, letters, doubts and evidence files; completion and closing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER = 255  # a token's sub
TIME = sa.DateTime(timezone=True)
INVESTIGATION_COLUMNS = (
    ("village_helper_name", sa.String(50)),
    ("village_helper_title", sa.String(100)),
    ("team_assigned_at", TIME),
    ("check_summary", sa.JSON()),
    ("findings", sa.Text()),
    ("completed_at", TIME),
    ("closed_at", TIME),
    ("closed_reason", sa.String(30)),
    ("closed_note", sa.Text()),
)


def _investigation_id(index: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column("investigation_id", sa.String(32), sa.ForeignKey("investigation.id"),
                     nullable=False, index=index, primary_key=primary_key)


def upgrade() -> None:
    with op.batch_alter_table("investigation") as batch:
        for name, type_ in INVESTIGATION_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "household_member",
        _investigation_id(primary_key=True),
        sa.Column("member_id", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("id_number_masked", sa.String(18), nullable=False),
        sa.Column("relationship", sa.String(30), nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
    )
    op.create_table(
        "investigator",
        _investigation_id(primary_key=True),
        sa.Column("user_id", sa.String(USER), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("assigned_at", TIME, nullable=False),
        sa.Column("assigned_by", sa.String(USER), nullable=False),
    )
    op.create_table(
        "investigation_form",
        _investigation_id(primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("recorded_by", sa.String(USER), nullable=False),
    )
    op.create_table(
        "form_confirmation",
        sa.Column("id", sa.String(32), primary_key=True),
        _investigation_id(index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(USER), nullable=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("relationship", sa.String(30), nullable=True),
        sa.Column("member_id", sa.String(32), nullable=True),
        sa.Column("method", sa.String(30), nullable=False),
        sa.Column("evidence_id", sa.String(32), nullable=True),
        sa.Column("confirmed_at", TIME, nullable=False),
        sa.Column("recorded_by", sa.String(USER), nullable=False),
    )
    op.create_table(
        "neighbour_visit",
        sa.Column("id", sa.String(32), primary_key=True),
        _investigation_id(index=True),
        sa.Column("visited_at", TIME, nullable=False),
        sa.Column("visitors", sa.JSON, nullable=False),
        sa.Column("neighbour_name", sa.String(50), nullable=False),
        sa.Column("neighbour_relation", sa.String(100), nullable=False),
        sa.Column("neighbour_address", sa.String(200), nullable=True),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("recorded_by", sa.String(USER), nullable=False),
    )
    op.create_index("ix_neighbour_visit_visited_at_id", "neighbour_visit", ["visited_at", "id"])
    op.create_table(
        "letter",
        sa.Column("id", sa.String(32), primary_key=True),
        _investigation_id(index=True),
        sa.Column("member_id", sa.String(32), nullable=True),
        sa.Column("addressee", sa.String(100), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("asked", sa.Text, nullable=False),
        sa.Column("sent_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("recorded_by", sa.String(USER), nullable=False),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("answer", sa.Text, nullable=True),
        sa.Column("stated_monthly_income_fen", sa.BigInteger, nullable=True),
        sa.Column("evidence_id", sa.String(32), nullable=True),
        sa.Column("answer_recorded_at", TIME, nullable=True),
        sa.Column("answer_recorded_by", sa.String(USER), nullable=True),
    )
    op.create_index("ix_letter_sent_on_id", "letter", ["sent_on", "id"])
    op.create_table(
        "doubt",
        sa.Column("id", sa.String(32), primary_key=True),
        _investigation_id(index=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("check_result_id", sa.String(64), nullable=True),
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("raised_at", TIME, nullable=False),
        sa.Column("raised_by", sa.String(USER), nullable=False),
        sa.Column("put_at", TIME, nullable=True),
        sa.Column("put_method", sa.String(20), nullable=True),
        sa.Column("put_note", sa.Text, nullable=True),
        sa.Column("late_reason", sa.Text, nullable=True),
        sa.Column("put_by", sa.String(USER), nullable=True),
        sa.Column("effect", sa.String(20), nullable=True),
        sa.Column("income_delta_fen", sa.BigInteger, nullable=True),
        sa.Column("finding", sa.Text, nullable=True),
        sa.Column("evidence_ids", sa.JSON, nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("resolved_by", sa.String(USER), nullable=True),
    )
    op.create_index("ix_doubt_raised_at_id", "doubt", ["raised_at", "id"])
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.String(32), primary_key=True),
        _investigation_id(index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("description", sa.String(100), nullable=True),
        sa.Column("uploaded_at", TIME, nullable=False),
        sa.Column("uploaded_by", sa.String(USER), nullable=False),
        sa.UniqueConstraint("investigation_id", "sha256", name="uq_evidence_file_content"),
    )
    op.create_index("ix_evidence_file_uploaded_at_id", "evidence_file", ["uploaded_at", "id"])


def downgrade() -> None:
    for table in ("evidence_file", "doubt", "letter", "neighbour_visit", "form_confirmation",
                  "investigation_form", "investigator", "household_member"):
        op.drop_table(table)
    with op.batch_alter_table("investigation") as batch:
        for name, _ in reversed(INVESTIGATION_COLUMNS):
            batch.drop_column(name)
