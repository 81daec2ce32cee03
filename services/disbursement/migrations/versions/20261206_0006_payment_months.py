"""Payment months (发放月): the month's state and history, ledger lines (台账) and the
corrections of frozen months carried into a later one (R-DI-2), the scheduled jobs' table.

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


def upgrade() -> None:
    op.create_table(
        "payment_month",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("cutoff_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("arrears_fen", sa.BigInteger, nullable=False),
        sa.Column("recovery_fen", sa.BigInteger, nullable=False),
        sa.Column("recovery_lines", sa.Integer, nullable=False),
        sa.Column("changes_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(255), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(255), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(255), nullable=True),
        sa.Column("roster_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("roster_by", sa.String(255), nullable=True),
        sa.Column("payments", sa.Integer, nullable=False),
        sa.Column("payments_ready", sa.Integer, nullable=False),
        sa.Column("payments_held", sa.Integer, nullable=False),
        sa.Column("payments_fen", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_month"),
        sa.UniqueConstraint("county", "month", name="uq_payment_month_county"),
    )
    op.create_index("ix_payment_month_state", "payment_month", ["state"])
    op.create_index("ix_payment_month_month_id", "payment_month", ["month", "id"])
    op.create_table(
        "payment_month_step",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("payment_month_id", sa.String(32), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["payment_month_id"], ["payment_month.id"],
                                name="fk_payment_month_step_payment_month_id_payment_month"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_month_step"),
    )
    op.create_index("ix_payment_month_step_payment_month_id", "payment_month_step",
                    ["payment_month_id"])
    op.create_table(
        "ledger_line",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("payment_month_id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("payee_id", sa.String(32), nullable=False),
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("arrears_fen", sa.Integer, nullable=False),
        sa.Column("recovery_fen", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_line"),
        sa.UniqueConstraint("payee_id", "month", name="uq_ledger_line_payee_id"),
    )
    op.create_index("ix_ledger_line_payment_month_id_id", "ledger_line",
                    ["payment_month_id", "id"])
    op.create_table(
        "ledger_correction",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("payment_month_id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("payee_id", sa.String(32), nullable=False),
        sa.Column("for_month", sa.String(7), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_correction"),
    )
    op.create_index("ix_ledger_correction_payment_month_id", "ledger_correction",
                    ["payment_month_id"])
    op.create_index("ix_ledger_correction_payee_id_for_month", "ledger_correction",
                    ["payee_id", "for_month"])
    op.create_index("ix_payee_change_recorded_at", "payee_change", ["recorded_at"])
    create_scheduled_job_table()


def downgrade() -> None:
    op.drop_table("scheduled_job")
    op.drop_index("ix_payee_change_recorded_at", table_name="payee_change")
    op.drop_table("ledger_correction")
    op.drop_table("ledger_line")
    op.drop_table("payment_month_step")
    op.drop_table("payment_month")
