"""Initial: outbox, inbox, applications, households, members, checklists and notices.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Default checklists per program (R-IN-3); county and city officers replace them through the API.
_DIBAO = [
    ("application_form", "申请书"),
    ("id_card", "身份证"),
    ("household_register", "户口簿"),
    ("income_statement", "收入证明"),
    ("property_declaration", "家庭财产申报"),
    ("authorization_letter", "核对授权书"),
]
_TEKUN = [
    ("application_form", "申请书"),
    ("id_card", "身份证"),
    ("household_register", "户口簿"),
    ("support_capacity_statement", "法定赡养、抚养、扶养义务人履行能力说明"),
    ("property_declaration", "家庭财产申报"),
    ("authorization_letter", "核对授权书"),
]
_TEMPORARY_AID = [
    ("application_form", "申请书"),
    ("id_card", "身份证"),
    ("hardship_proof", "困难情况证明"),
]
DEFAULT_CHECKLISTS = {
    "dibao": _DIBAO,
    "near_dibao": _DIBAO,
    "tekun": _TEKUN,
    "temp_emergency": _TEMPORARY_AID,
    "temp_expenditure": _TEMPORARY_AID,
}


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "application_sequence",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("last_value", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_application_sequence"),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("program", sa.String(30), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("division", sa.String(12), nullable=False, index=True),
        sa.Column("area", sa.String(10), nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=True),
        sa.Column("review_due_on", sa.Date, nullable=True),
        sa.Column("review_due_provisional", sa.Boolean, nullable=True),
        sa.Column("refusal_reason_code", sa.String(50), nullable=True),
        sa.Column("refusal_reason", sa.Text, nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_application"),
        sa.UniqueConstraint("number", name="uq_application_number"),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("address", sa.Text, nullable=True),
        sa.Column("head_id_number", sa.String(18), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
        sa.UniqueConstraint("application_id", name="uq_household_application_id"),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name="fk_household_application_id_application"),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("household_id", sa.String(32), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False, index=True),
        sa.Column("relationship", sa.String(20), nullable=False),
        sa.Column("living_status", sa.String(20), nullable=False),
        sa.Column("is_student", sa.Boolean, nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex", sa.String(6), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_member"),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"],
                                name="fk_member_household_id_household"),
    )
    checklist = op.create_table(
        "checklist_item",
        sa.Column("program", sa.String(30), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("program", "code", name="pk_checklist_item"),
    )
    op.create_table(
        "supplied_material",
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("supplied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supplied_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("application_id", "code", name="pk_supplied_material"),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name="fk_supplied_material_application_id_application"),
    )
    op.create_table(
        "materials_notice",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_materials_notice"),
        sa.UniqueConstraint("application_id", name="uq_materials_notice_application_id"),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name="fk_materials_notice_application_id_application"),
    )
    op.create_table(
        "notice_item",
        sa.Column("notice_id", sa.String(32), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("notice_id", "code", name="pk_notice_item"),
        sa.ForeignKeyConstraint(["notice_id"], ["materials_notice.id"],
                                name="fk_notice_item_notice_id_materials_notice"),
    )
    op.bulk_insert(checklist, [
        {"program": program, "code": code, "name": name, "position": position}
        for program, items in DEFAULT_CHECKLISTS.items()
        for position, (code, name) in enumerate(items)
    ])


def downgrade() -> None:
    for table in ("notice_item", "materials_notice", "supplied_material", "checklist_item",
                  "member", "household", "application", "application_sequence"):
        op.drop_table(table)
    drop_messaging_tables()
