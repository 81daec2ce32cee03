"""Reads of the log, kept append-only beside it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "log_access is append-only"


def upgrade() -> None:
    op.create_table(
        "log_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("division", sa.String, nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("request_id", sa.String, nullable=True),
        sa.Column("source_address", sa.String, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_log_access"),
    )
    for column in ("at", "user_id", "division"):
        op.create_index(f"ix_log_access_{column}", "log_access", [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION log_access_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
        END
        $$""")
        op.execute("""CREATE TRIGGER log_access_no_change BEFORE UPDATE OR DELETE ON log_access
        FOR EACH ROW EXECUTE FUNCTION log_access_refuse_change()""")
        op.execute("""CREATE TRIGGER log_access_no_truncate BEFORE TRUNCATE ON log_access
        FOR EACH STATEMENT EXECUTE FUNCTION log_access_refuse_change()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER log_access_no_{action.lower()} BEFORE {action}
            ON log_access BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE log_access")
        op.execute("DROP FUNCTION log_access_refuse_change()")
    else:
        op.execute("DROP TRIGGER log_access_no_update")
        op.execute("DROP TRIGGER log_access_no_delete")
        op.drop_table("log_access")
