"""Search of the log by person: keyed digests of the ID numbers in it (R-AU-3, R-SE-2).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.audit.guards import append_only_guards, drop_append_only_guards

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The index of entries appended before this revision is not rebuilt here: that needs the
    # installation's keys, which migrations do not hold (tools: rebuild from the log).
    op.create_table(
        "audit_person_index",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_person_index"),
    )
    op.create_index("ix_audit_person_index_digest_seq", "audit_person_index", ["digest", "seq"])
    for statement in append_only_guards("audit_person_index", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_guards("audit_person_index", dialect):
        op.execute(statement)
    if dialect != "postgresql":
        op.drop_table("audit_person_index")
