"""A new investigation of the same application after an objection (R-AP-4, 重新调查): an
application may have several investigations; each new one names the one it follows and the
review that asked for it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("investigation") as batch:
        batch.drop_constraint("uq_investigation_application_id", type_="unique")
        batch.add_column(sa.Column("follows_id", sa.String(32)))
        batch.add_column(sa.Column("objection_review_id", sa.String(32)))
        batch.create_unique_constraint("uq_investigation_objection_review_id",
                                       ["objection_review_id"])
    op.create_index("ix_investigation_application_id", "investigation", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_investigation_application_id", table_name="investigation")
    with op.batch_alter_table("investigation") as batch:
        batch.drop_constraint("uq_investigation_objection_review_id", type_="unique")
        batch.drop_column("objection_review_id")
        batch.drop_column("follows_id")
        batch.create_unique_constraint("uq_investigation_application_id", ["application_id"])
