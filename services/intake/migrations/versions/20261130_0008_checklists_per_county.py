"""Checklists per program and county (R-IN-3): the ones so far become the default (``*``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("checklist_item", sa.Column("county", sa.String(6), nullable=True))
    op.execute("UPDATE checklist_item SET county = '*'")
    with op.batch_alter_table("checklist_item") as batch:
        batch.alter_column("county", existing_type=sa.String(6), nullable=False)
        batch.drop_constraint("pk_checklist_item", type_="primary")
        batch.create_primary_key("pk_checklist_item", ["county", "program", "code"])


def downgrade() -> None:
    op.execute("DELETE FROM checklist_item WHERE county <> '*'")
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_constraint("pk_checklist_item", type_="primary")
        batch.create_primary_key("pk_checklist_item", ["program", "code"])
        batch.drop_column("county")
