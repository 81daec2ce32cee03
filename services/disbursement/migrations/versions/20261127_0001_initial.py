"""Initial: outbox, inbox, payees and their changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "payee",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("payment", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("amount_from", sa.String(7), nullable=False),
        sa.Column("start_month", sa.String(7), nullable=False),
        sa.Column("stopped_from", sa.String(7), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("last_event_id", sa.String(64), nullable=False),
        sa.Column("last_event_type", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payee"),
        sa.UniqueConstraint("beneficiary_id", name="uq_payee_beneficiary_id"),
    )
    op.create_index("ix_payee_application_id", "payee", ["application_id"])
    op.create_index("ix_payee_division", "payee", ["division"])
    op.create_index("ix_payee_status", "payee", ["status"])
    op.create_table(
        "payee_change",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("payee_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=True),
        sa.Column("effective_month", sa.String(7), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payee_change"),
        sa.ForeignKeyConstraint(["payee_id"], ["payee.id"],
                                name="fk_payee_change_payee_id_payee"),
        sa.UniqueConstraint("event_id", name="uq_payee_change_event_id"),
    )
    op.create_index("ix_payee_change_payee_id", "payee_change", ["payee_id"])


def downgrade() -> None:
    op.drop_table("payee_change")
    op.drop_table("payee")
    drop_messaging_tables()
