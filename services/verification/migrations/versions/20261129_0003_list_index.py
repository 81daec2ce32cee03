"""An index of the list's sort key, so that its keyset cursors seek instead of sorting
(shared.inputs.paging).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_investigation_opened_at_id", "investigation", ["opened_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_investigation_opened_at_id", table_name="investigation")
