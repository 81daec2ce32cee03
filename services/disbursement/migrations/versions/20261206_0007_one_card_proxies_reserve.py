"""Who is paid (R-DI-4: holder members), the staff register's digests and proxies (R-DI-5), the
township's temporary-aid reserve (R-DI-9) and work-fund spending (R-DI-8).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "holder_member",
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("member_id", sa.String(32), nullable=False),
        sa.Column("relationship", sa.String(30), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("application_id", "member_id", name="pk_holder_member"),
    )
    op.create_index("ix_holder_member_id_digest", "holder_member", ["id_digest"])
    op.create_table(
        "registered_staff",
        sa.Column("staff_id", sa.String(32), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("name_masked", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("refused_as_proxy", sa.Boolean(), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("staff_id", name="pk_registered_staff"),
    )
    op.create_index("ix_registered_staff_id_digest", "registered_staff", ["id_digest"])
    op.create_table(
        "proxy_authorisation",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("payee_id", sa.String(32), nullable=False),
        sa.Column("beneficiary_id", sa.String(32), nullable=False),
        sa.Column("division", sa.String(12), nullable=False),
        sa.Column("proxy_name", sa.String(50), nullable=False),
        sa.Column("proxy_digest", sa.String(64), nullable=False),
        sa.Column("proxy_id_masked", sa.String(18), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("document_media_type", sa.String(40), nullable=False),
        sa.Column("document_size_bytes", sa.Integer(), nullable=False),
        sa.Column("document_filename", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("filed_by", sa.String(255), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_by", sa.String(255), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_proxy_authorisation"),
    )
    for column in ("payee_id", "division", "proxy_digest", "status"):
        op.create_index(f"ix_proxy_authorisation_{column}", "proxy_authorisation", [column])
    op.create_index("ix_proxy_authorisation_created_at_id", "proxy_authorisation",
                    ["created_at", "id"])
    op.create_table(
        "reserve",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("township", sa.String(9), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("set_up_by", sa.String(255), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve"),
        sa.UniqueConstraint("township", name="uq_reserve_township"),
        sa.CheckConstraint("balance_fen >= 0", name="ck_reserve_balance_not_negative"),
    )
    op.create_index("ix_reserve_county", "reserve", ["county"])
    op.create_table(
        "reserve_movement",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("reserve_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_fen", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.String(32), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_movement"),
        sa.ForeignKeyConstraint(["reserve_id"], ["reserve.id"],
                                name="fk_reserve_movement_reserve_id_reserve"),
        sa.UniqueConstraint("payment_id", name="uq_reserve_movement_payment_id"),
    )
    op.create_index("ix_reserve_movement_reserve_id_at", "reserve_movement",
                    ["reserve_id", "at", "id"])
    op.create_table(
        "work_fund_spending",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(255), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_work_fund_spending"),
    )
    op.create_index("ix_work_fund_spending_county_year", "work_fund_spending",
                    ["county", "year"])
    op.create_index("ix_work_fund_spending_recorded_at_id", "work_fund_spending",
                    ["recorded_at", "id"])


def downgrade() -> None:
    for table in ("work_fund_spending", "reserve_movement", "reserve", "proxy_authorisation",
                  "registered_staff", "holder_member"):
        op.drop_table(table)
