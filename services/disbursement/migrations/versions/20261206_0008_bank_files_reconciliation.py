"""Payment files, the bank's result files and three-way reconciliations (R-DI-6, R-DI-7).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payment_file",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("format", sa.String(4), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("made_by", sa.String(255), nullable=False),
        sa.Column("made_at", _TZ, nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_file"),
    )
    op.create_index("ix_payment_file_county", "payment_file", ["county"])
    op.create_index("ix_payment_file_made_at_id", "payment_file", ["made_at", "id"])
    op.create_table(
        "payment_file_line",
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("line", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("payment_id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("account_digest", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("result", sa.String(10), nullable=True),
        sa.Column("result_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "line", name="pk_payment_file_line"),
        sa.UniqueConstraint("file_id", "payment_id", name="uq_payment_file_line_file_payment"),
    )
    op.create_index("ix_payment_file_line_payment_id", "payment_file_line", ["payment_id"])
    op.create_table(
        "bank_result",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("format", sa.String(4), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("paid", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("received_by", sa.String(255), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank_result"),
        sa.UniqueConstraint("file_id", "sha256", name="uq_bank_result_file_sha256"),
    )
    op.create_index("ix_bank_result_file_id", "bank_result", ["file_id"])
    op.create_index("ix_bank_result_received_at_id", "bank_result", ["received_at", "id"])
    op.create_table(
        "bank_result_line",
        sa.Column("result_id", sa.String(32), nullable=False),
        sa.Column("line", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("payment_id", sa.String(32), nullable=False),
        sa.Column("account_digest", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("result_id", "line", name="pk_bank_result_line"),
    )
    op.create_table(
        "reconciliation",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("system_rows", sa.Integer, nullable=False),
        sa.Column("system_fen", sa.BigInteger, nullable=False),
        sa.Column("finance_rows", sa.Integer, nullable=False),
        sa.Column("finance_fen", sa.BigInteger, nullable=False),
        sa.Column("finance_sha256", sa.String(64), nullable=False),
        sa.Column("bank_rows", sa.Integer, nullable=False),
        sa.Column("bank_fen", sa.BigInteger, nullable=False),
        sa.Column("bank_sha256", sa.String(64), nullable=False),
        sa.Column("differences", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation"),
    )
    op.create_index("ix_reconciliation_division", "reconciliation", ["division"])
    op.create_index("ix_reconciliation_created_at_id", "reconciliation", ["created_at", "id"])
    op.create_table(
        "reconciliation_entry",
        sa.Column("reconciliation_id", sa.String(32), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("line", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("account_digest", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("reconciliation_id", "side", "line",
                                name="pk_reconciliation_entry"),
    )
    op.create_index("ix_reconciliation_entry_reference", "reconciliation_entry",
                    ["reconciliation_id", "reference", "side"])
    op.create_table(
        "reconciliation_difference",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("reconciliation_id", sa.String(32), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("payment_id", sa.String(32), nullable=True),
        sa.Column("name_masked", sa.String(60), nullable=True),
        sa.Column("account_masked", sa.String(40), nullable=True),
        sa.Column("system_fen", sa.Integer, nullable=True),
        sa.Column("file_fen", sa.Integer, nullable=True),
        sa.Column("lines", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation_difference"),
    )
    op.create_index("ix_reconciliation_difference_reconciliation_id",
                    "reconciliation_difference", ["reconciliation_id"])
    op.create_table(
        "reconciliation_signoff",
        sa.Column("reconciliation_id", sa.String(32), nullable=False),
        sa.Column("step", sa.String(10), nullable=False),
        sa.Column("signed_by", sa.String(255), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("signed_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("reconciliation_id", "step", name="pk_reconciliation_signoff"),
    )


def downgrade() -> None:
    for table in ("reconciliation_signoff", "reconciliation_difference", "reconciliation_entry",
                  "reconciliation", "bank_result_line", "bank_result", "payment_file_line",
                  "payment_file"):
        op.drop_table(table)
