"""The one-card register and payments: bank accounts per person (R-DI-4), one payment per
beneficiary, program and month (R-DI-6), and who a payee is paid to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payee") as batch:
        batch.add_column(sa.Column("holder_member_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("holder_digest", sa.String(64), nullable=True))
    op.create_index("ix_payee_holder_digest", "payee", ["holder_digest"])
    op.create_table(
        "bank_account",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("holder_digest", sa.String(64), nullable=False),
        sa.Column("holder_name_masked", sa.String(60), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("bank_name", sa.String(60), nullable=False),
        sa.Column("account_sealed", sa.Text, nullable=False),
        sa.Column("account_masked", sa.String(40), nullable=False),
        sa.Column("account_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("registered_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(255), nullable=True),
        sa.Column("closed_reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bank_account"),
    )
    op.create_index("ix_bank_account_holder_digest", "bank_account", ["holder_digest"])
    op.create_index("ix_bank_account_division", "bank_account", ["division"])
    op.create_index("ix_bank_account_account_digest", "bank_account", ["account_digest"])
    op.create_index("ix_bank_account_created_at_id", "bank_account", ["created_at", "id"])
    op.create_index("uq_bank_account_active_holder", "bank_account", ["holder_digest"],
                    unique=True, sqlite_where=sa.text("status = 'active'"),
                    postgresql_where=sa.text("status = 'active'"))
    op.create_table(
        "payment",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("payee_id", sa.String(32), nullable=False),
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("arrears_fen", sa.Integer, nullable=False),
        sa.Column("holder_digest", sa.String(64), nullable=True),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("account_masked", sa.String(40), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("hold_reason", sa.String(200), nullable=True),
        sa.Column("failure_reason", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("file_id", sa.String(32), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment"),
        sa.UniqueConstraint("beneficiary_id", "program", "month",
                            name="uq_payment_beneficiary_program_month"),
    )
    op.create_index("ix_payment_month_division", "payment", ["month", "division"])
    op.create_index("ix_payment_created_at_id", "payment", ["created_at", "id"])
    op.create_index("ix_payment_payee_id", "payment", ["payee_id"])
    op.create_index("ix_payment_status", "payment", ["status"])


def downgrade() -> None:
    op.drop_table("payment")
    op.drop_table("bank_account")
    op.drop_index("ix_payee_holder_digest", table_name="payee")
    with op.batch_alter_table("payee") as batch:
        batch.drop_column("holder_digest")
        batch.drop_column("holder_member_id")
