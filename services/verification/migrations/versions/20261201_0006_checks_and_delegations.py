"""Cross-checks (R-VE-4) and delegations between counties (R-VE-3): the people to check (ID
numbers sealed), the departments' data files (ID numbers as keyed digests), check runs and
results; delegations at both ends and the calls still to make to REST peers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER = 255  # a token's sub
TIME = sa.DateTime(timezone=True)
ID = sa.String(32)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _investigation(primary_key: bool = False, index: bool = False) -> sa.Column:
    return sa.Column("investigation_id", ID, sa.ForeignKey("investigation.id"), nullable=False,
                     primary_key=primary_key, index=index)


def upgrade() -> None:
    op.create_table(
        "check_subject",
        _investigation(primary_key=True),
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("relationship", sa.String(30), nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
        sa.Column("id_number_masked", sa.String(18), nullable=False),
        sa.Column("id_number_sealed", sa.Text, nullable=True),
    )
    op.create_table(
        "check_dataset",
        sa.Column("id", ID, primary_key=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data_date", sa.Date, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("loaded_at", TIME, nullable=False),
        sa.Column("loaded_by", sa.String(USER), nullable=False),
        sa.UniqueConstraint("source", "version", name="uq_check_dataset_source"),
    )
    op.create_index("ix_check_dataset_loaded_at_id", "check_dataset", ["loaded_at", "id"])
    op.create_table(
        "check_record",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("dataset_id", ID, sa.ForeignKey("check_dataset.id"), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("item", sa.String(50), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=True),
        sa.Column("quantity", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
    )
    op.create_index("ix_check_record_lookup", "check_record", ["dataset_id", "id_digest"])
    op.create_table(
        "check_run",
        sa.Column("id", ID, primary_key=True),
        _investigation(index=True),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("only_unavailable", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(USER), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("requested_at", TIME, nullable=False),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("tries", sa.Integer, nullable=False),
    )
    op.create_index("ix_check_run_status", "check_run", ["status", "requested_at"])
    op.create_table(
        "check_result",
        sa.Column("id", ID, primary_key=True),
        _investigation(),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("item", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("basis", sa.String(200), nullable=True),
        sa.Column("run_id", ID, nullable=True),
        sa.Column("checked_by", sa.String(USER), nullable=False),
        sa.Column("checked_at", TIME, nullable=False),
        sa.Column("asked", sa.Integer, nullable=False),
        sa.UniqueConstraint("investigation_id", "source", "item",
                            name="uq_check_result_investigation_id"),
    )
    op.create_index("ix_check_result_checked_at_id", "check_result", ["checked_at", "id"])
    op.create_table(
        "check_finding",
        sa.Column("result_id", ID, sa.ForeignKey("check_result.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("amount_fen", sa.BigInteger, nullable=True),
        sa.Column("quantity", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
    )
    op.create_table(
        "delegation",
        sa.Column("id", ID, primary_key=True),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("transport", sa.String(10), nullable=False),
        sa.Column("investigation_id", ID, nullable=True, index=True),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("accepting_county", sa.String(6), nullable=False),
        sa.Column("accepting_division", sa.String(12), nullable=False),
        sa.Column("residence_county", sa.String(6), nullable=False),
        sa.Column("residence_division", sa.String(12), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("tasks", sa.Text, nullable=False),
        sa.Column("members", sa.JSON, nullable=False),
        sa.Column("requested_by", sa.String(USER), nullable=False),
        sa.Column("requested_at", TIME, nullable=False),
        sa.Column("received_at", TIME, nullable=True),
        sa.Column("accepted_by", sa.String(USER), nullable=True),
        sa.Column("accepted_at", TIME, nullable=True),
        sa.Column("answered_by", sa.String(USER), nullable=True),
        sa.Column("answered_at", TIME, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("investigated_on", sa.Date, nullable=True),
        sa.Column("investigators", sa.JSON, nullable=True),
        sa.Column("findings", sa.JSON, nullable=True),
        sa.Column("refusal_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_delegation_requested_at_id", "delegation", ["requested_at", "id"])
    op.create_table(
        "delegation_delivery",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("delegation_id", ID, nullable=False, index=True),
        sa.Column("peer_county", sa.String(6), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("delivered_at", TIME, nullable=True),
    )
    op.create_index("ix_delegation_delivery_due", "delegation_delivery",
                    ["state", "next_attempt_at"])


def downgrade() -> None:
    for table in ("delegation_delivery", "delegation", "check_finding", "check_result",
                  "check_run", "check_record", "check_dataset", "check_subject"):
        op.drop_table(table)
