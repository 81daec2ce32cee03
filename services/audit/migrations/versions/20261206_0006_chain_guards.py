"""The database refuses inserts that do not extend the chain, REPLACE, and a log_access
chain (R-AU-2).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from alembic import op

from services.audit.guards import (
    append_only_guards,
    chain_guards,
    drop_chain_guards,
    refuse_changes_to_others,
)
from services.audit.log.chain import GENESIS_HASH, entry_hash

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCESS_COLUMNS = (
    "id", "at", "user_id", "role", "division", "method", "path", "route", "query", "status",
    "subject", "request_id", "source_address", "prev_hash",
)
"""services.audit.access.models.ACCESS_HASHED_COLUMNS as of this revision."""


def _chain_existing_reads(dialect: str) -> None:
    """Number the reads kept so far 1, 2, 3… and link them, with the update guard lifted."""
    from services.audit.access.models import LogAccess  # its table as of this revision

    bind = op.get_bind()
    table = cast(sa.Table, LogAccess.__table__)
    rows = bind.execute(sa.select(*(table.c[c] for c in ACCESS_COLUMNS if c != "prev_hash"))
                        .order_by(table.c.id)).mappings().all()
    if not rows:
        return
    if dialect == "postgresql":
        op.execute("ALTER TABLE log_access DISABLE TRIGGER log_access_no_update")
    else:
        op.execute("DROP TRIGGER log_access_no_update")
    prev = GENESIS_HASH
    for number, row in enumerate(rows, start=1):
        record = {**row, "id": number, "prev_hash": prev}
        prev = entry_hash(record, ACCESS_COLUMNS)
        bind.execute(sa.update(table).where(table.c.id == row["id"])
                     .values(id=number, prev_hash=record["prev_hash"], hash=prev))
    if dialect == "postgresql":
        op.execute("ALTER TABLE log_access ENABLE TRIGGER log_access_no_update")
    else:
        op.execute(append_only_guards("log_access", dialect)[0])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for column in ("prev_hash", "hash"):
        op.add_column("log_access", sa.Column(column, sa.String(64), nullable=False,
                                              server_default=""))
    _chain_existing_reads(dialect)
    for statement in (*chain_guards("audit_entry", "seq", dialect, unique="event_id"),
                      *chain_guards("log_access", "id", dialect)):
        op.execute(statement)
    if dialect == "postgresql":
        for table in ("audit_entry", "log_access"):
            op.execute(refuse_changes_to_others(table))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("log_access", "audit_entry"):
        for statement in drop_chain_guards(table, dialect):
            op.execute(statement)
    for column in ("hash", "prev_hash"):
        op.execute(f"ALTER TABLE log_access DROP COLUMN {column}")
