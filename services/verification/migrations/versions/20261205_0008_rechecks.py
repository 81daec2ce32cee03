"""Re-checks of the roll as investigation tasks (R-DY-2).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
ID = sa.String(32)
USER = sa.String(255)


def upgrade() -> None:
    op.create_table(
        "recheck_task",
        sa.Column("id", ID, nullable=False),
        sa.Column("recheck_id", ID, nullable=False),
        sa.Column("beneficiary_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("head_name_masked", sa.String(60), nullable=False),
        sa.Column("household_size", sa.Integer, nullable=False),
        sa.Column("members", sa.JSON, nullable=False),
        sa.Column("monthly_fen", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("frequency_months", sa.Integer, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("investigators", sa.JSON, nullable=True),
        sa.Column("village_helper", sa.JSON, nullable=True),
        sa.Column("team_assigned_at", TIME, nullable=True),
        sa.Column("visited_on", sa.Date, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("unsteady_income", sa.Boolean, nullable=True),
        sa.Column("findings", sa.Text, nullable=True),
        sa.Column("completed_by", USER, nullable=True),
        sa.Column("completed_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_recheck_task"),
        sa.UniqueConstraint("recheck_id", name="uq_recheck_task_recheck_id"),
    )
    op.create_index("ix_recheck_task_beneficiary_id", "recheck_task", ["beneficiary_id"])
    op.create_index("ix_recheck_task_application_id", "recheck_task", ["application_id"])
    op.create_index("ix_recheck_task_division", "recheck_task", ["division"])
    op.create_index("ix_recheck_task_status", "recheck_task", ["status"])
    op.create_index("ix_recheck_task_due_id", "recheck_task", ["due_on", "id"])


def downgrade() -> None:
    op.drop_table("recheck_task")
