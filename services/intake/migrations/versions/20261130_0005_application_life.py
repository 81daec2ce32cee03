"""The application's life: withdrawn by the applicant, or ended by the township's decision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("withdrawn_at", sa.DateTime(timezone=True)),
    ("withdrawn_by", sa.String(255)),
    ("withdrawal_requested_by", sa.String(50)),
    ("withdrawal_requested_on", sa.Date),
    ("withdrawal_reason", sa.Text),
    ("decision", sa.String(20)),
    ("decided_at", sa.DateTime(timezone=True)),
    ("decision_case_id", sa.String(32)),
    ("decision_reason_code", sa.String(50)),
    ("decision_reason", sa.Text),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("application", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
