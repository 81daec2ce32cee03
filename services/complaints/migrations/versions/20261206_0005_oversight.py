"""The county's and the city's oversight (监督管理, R-OV): the rectification ledger (R-OV-3),
spot checks (R-OV-1),
monitoring (R-OV-2), monthly supervision (R-OV-4).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _rectification() -> None:
    op.create_table(
        "rectification_item",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("finding", sa.Text, nullable=False),
        sa.Column("responsible", sa.String(100), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("opened_by", sa.String(255), nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("follow_up_count", sa.Integer, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("closed_by", sa.String(255), nullable=True),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("overdue_noted_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rectification_item"),
    )
    op.create_index("ix_rectification_item_division", "rectification_item", ["division"])
    op.create_index("ix_rectification_item_due_id", "rectification_item", ["due_on", "id"])
    op.create_index("ix_rectification_item_source", "rectification_item",
                    ["source", "source_id"])
    op.create_index("ix_rectification_item_status_due", "rectification_item",
                    ["status", "due_on"])
    op.create_table(
        "rectification_follow_up",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rectification_follow_up"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["rectification_item.id"],
            name="fk_rectification_follow_up_item_id_rectification_item"),
        sa.UniqueConstraint("item_id", "seq", name="uq_rectification_follow_up_item_id"),
    )


def _spot_checks() -> None:
    op.create_table(
        "decided_application",
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("decided_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_decided_application"),
    )
    op.create_index("ix_decided_application_county_day", "decided_application",
                    ["county", "decided_on"])
    op.create_index("ix_decided_application_township", "decided_application", ["township"])
    op.create_table(
        "spot_check_draw",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("period_from", sa.Date, nullable=False),
        sa.Column("period_to", sa.Date, nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("share_percent", sa.Integer, nullable=False),
        sa.Column("population_count", sa.Integer, nullable=False),
        sa.Column("sample_count", sa.Integer, nullable=False),
        sa.Column("population_digest", sa.String(64), nullable=False),
        sa.Column("townships", sa.JSON, nullable=False),
        sa.Column("drawn_by", sa.String(255), nullable=False),
        sa.Column("drawn_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_spot_check_draw"),
    )
    op.create_index("ix_spot_check_draw_division", "spot_check_draw", ["division"])
    op.create_index("ix_spot_check_draw_drawn_id", "spot_check_draw", ["drawn_at", "id"])
    op.create_table(
        "spot_check",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("draw_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("method", sa.String(20), nullable=True),
        sa.Column("finding", sa.Text, nullable=True),
        sa.Column("needs_correction", sa.Boolean, nullable=True),
        sa.Column("correction_due_on", sa.Date, nullable=True),
        sa.Column("rectification_item_id", sa.String(32), nullable=True),
        sa.Column("checked_by", sa.String(255), nullable=True),
        sa.Column("checked_at", TIME, nullable=True),
        sa.Column("checked_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_spot_check"),
        sa.ForeignKeyConstraint(["draw_id"], ["spot_check_draw.id"],
                                name="fk_spot_check_draw_id_spot_check_draw"),
    )
    op.create_index("ix_spot_check_draw_position", "spot_check", ["draw_id", "position"])
    op.create_index("ix_spot_check_division_id", "spot_check", ["division", "id"])


def _monitoring() -> None:
    op.create_table(
        "population_load",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("townships", sa.Integer, nullable=False),
        sa.Column("total_population", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_by", sa.String(255), nullable=False),
        sa.Column("loaded_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_population_load"),
        sa.UniqueConstraint("division", "year", "version", name="uq_population_load_division"),
    )
    op.create_index("ix_population_load_loaded_id", "population_load", ["loaded_at", "id"])
    op.create_table(
        "population_figure",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("load_id", sa.String(32), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("population", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_population_figure"),
        sa.ForeignKeyConstraint(["load_id"], ["population_load.id"],
                                name="fk_population_figure_load_id_population_load"),
        sa.UniqueConstraint("load_id", "township", name="uq_population_figure_load_id"),
    )
    op.create_table(
        "monitored_recipient",
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("persons", sa.Integer, nullable=True),
        sa.Column("start_month", sa.String(7), nullable=False),
        sa.Column("stop_month", sa.String(7), nullable=True),
        sa.PrimaryKeyConstraint("beneficiary_id", name="pk_monitored_recipient"),
    )
    op.create_index("ix_monitored_recipient_county_program", "monitored_recipient",
                    ["county", "program"])
    op.create_table(
        "monitored_amount",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("from_month", sa.String(7), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitored_amount"),
        sa.UniqueConstraint("beneficiary_id", "from_month",
                            name="uq_monitored_amount_beneficiary_id"),
    )


def _supervision() -> None:
    op.create_table(
        "supervision_visit",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("supervisors", sa.String(200), nullable=False),
        sa.Column("seen", sa.Text, nullable=False),
        sa.Column("problems", sa.Integer, nullable=False),
        sa.Column("item_ids", sa.JSON, nullable=False),
        sa.Column("recorded_by", sa.String(255), nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_visit"),
        sa.UniqueConstraint("division", "month", name="uq_supervision_visit_division"),
    )
    op.create_index("ix_supervision_visit_month_id", "supervision_visit", ["month", "id"])
    op.create_table(
        "supervised_application",
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=True),
        sa.Column("review_due_on", sa.Date, nullable=True),
        sa.Column("investigated_on", sa.Date, nullable=True),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("on_time", sa.Boolean, nullable=True),
        sa.PrimaryKeyConstraint("application_id", name="pk_supervised_application"),
    )
    op.create_index("ix_supervised_application_county", "supervised_application", ["county"])
    op.create_table(
        "supervised_staff",
        sa.Column("staff_id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("dedicated", sa.Boolean, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("staff_id", name="pk_supervised_staff"),
    )
    op.create_index("ix_supervised_staff_division", "supervised_staff", ["division"])
    op.create_table(
        "supervision_report",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("made_by", sa.String(255), nullable=False),
        sa.Column("made_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_report"),
        sa.UniqueConstraint("division", "month", "version",
                            name="uq_supervision_report_division"),
    )
    op.create_index("ix_supervision_report_made_id", "supervision_report", ["made_at", "id"])


def upgrade() -> None:
    _rectification()
    _spot_checks()
    _monitoring()
    _supervision()


def downgrade() -> None:
    for table in ("supervision_report", "supervised_staff", "supervised_application",
                  "supervision_visit"):
        op.drop_table(table)
    for table in ("monitored_amount", "monitored_recipient", "population_figure",
                  "population_load"):
        op.drop_table(table)
    op.drop_table("spot_check")
    op.drop_table("spot_check_draw")
    op.drop_table("decided_application")
    op.drop_table("rectification_follow_up")
    op.drop_table("rectification_item")
