"""Search of the log by person: keyed digests of the ID numbers in it (R-AU-3, R-SE-2).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.audit.guards import append_only_guards, drop_append_only_guards

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BATCH = 1000


def _index_the_log_kept_so_far() -> None:
    """Digest the sealed ID numbers of the entries appended before this revision, with the
    installation's keys (the service's settings), so the search by person finds them too."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM audit_entry LIMIT 1")).first() is None:
        return
    from services.audit.inspection.personal import index_digest, sealed_id_numbers
    from shared.sealing import Keyring, Sealer

    settings = op.get_context().config.attributes["settings"]  # type: ignore[union-attr]
    sealer = Sealer(Keyring.from_settings(settings, create=False))
    index = sa.table("audit_person_index", sa.column("seq"), sa.column("key_id"),
                     sa.column("digest"), sa.column("path"))
    after = 0
    while True:
        rows = bind.execute(sa.text("SELECT seq, payload FROM audit_entry WHERE seq > :after "
                                    "ORDER BY seq LIMIT :n"), {"after": after, "n": BATCH}).all()
        if not rows:
            return
        found = []
        for seq, payload in rows:
            for path, id_number in sealed_id_numbers(json.loads(payload), sealer):
                key_id, digest = index_digest(sealer, id_number)
                found.append({"seq": seq, "key_id": key_id, "digest": digest, "path": path})
        if found:
            bind.execute(index.insert(), found)
        after = rows[-1][0]


def upgrade() -> None:
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
    _index_the_log_kept_so_far()
    for statement in append_only_guards("audit_person_index", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_guards("audit_person_index", dialect):
        op.execute(statement)
    if dialect != "postgresql":
        op.drop_table("audit_person_index")
