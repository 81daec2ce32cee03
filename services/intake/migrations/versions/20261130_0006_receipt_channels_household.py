"""Receipt day of paper applications, what each channel implies (R-IN-1), where an emergency
happened (R-IN-6), and why each member counts in the household or not (R-IN-7).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPLICATION = (
    ("proxy_committee", sa.String(12)),
    ("proxy_agent", sa.String(255)),
    ("proxy_agent_title", sa.String(100)),
    ("emergency_division", sa.String(12)),
    ("emergency_on", sa.Date),
    ("emergency_circumstances", sa.Text),
)


def upgrade() -> None:
    op.add_column("application", sa.Column("received_on", sa.Date, nullable=True))
    # Applications entered before: received the day they were submitted (Asia/Shanghai).
    if op.get_bind().dialect.name == "postgresql":
        day = "CAST((submitted_at AT TIME ZONE 'Asia/Shanghai') AS date)"
    else:
        day = "date(submitted_at, '+8 hours')"
    op.execute(f"UPDATE application SET received_on = COALESCE(accepted_on, {day})")
    with op.batch_alter_table("application") as batch:
        batch.alter_column("received_on", existing_type=sa.Date, nullable=False)
    for name, type_ in _APPLICATION:
        op.add_column("application", sa.Column(name, type_, nullable=True))
    op.add_column("member", sa.Column("cannot_live_independently", sa.Boolean, nullable=False,
                                      server_default=sa.false()))
    op.add_column("member", sa.Column("lives_with_household", sa.Boolean, nullable=True))
    op.add_column("member", sa.Column("count_reason", sa.String(30), nullable=True))
    # Reasons of members recorded before: the living status, or the head and the spouse.
    op.execute("UPDATE member SET count_reason = living_status WHERE living_status <> 'at_home'")
    op.execute("UPDATE member SET count_reason = relationship "
               "WHERE living_status = 'at_home' AND relationship IN ('head', 'spouse')")


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        for name in ("count_reason", "lives_with_household", "cannot_live_independently"):
            batch.drop_column(name)
    with op.batch_alter_table("application") as batch:
        for name, _ in reversed(_APPLICATION):
            batch.drop_column(name)
        batch.drop_column("received_on")
