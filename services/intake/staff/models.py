"""The staff register (工作人员名册): who serves in social assistance, and village cadres.

Disbursement refuses them as proxies (R-DI-5); oversight counts each township's dedicated staff
(R-OV-4). The ID number is kept only as a keyed digest and masked (R-SE-2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db import Base
from shared.db import UTCDateTime


class StaffMember(Base):
    """One person in one post (kind, division) over a span of days: ``valid_from`` up to
    ``valid_until`` (exclusive; null while in the post)."""

    __tablename__ = "staff_member"
    __table_args__ = (
        Index("ix_staff_member_registered_at_id", "registered_at", "id"),  # the list's order
        Index("ix_staff_member_id_digest_kind", "id_digest", "kind"),
        # one open post per person, kind and division, even when registered twice at once
        Index("uq_staff_member_open_post", "id_digest", "kind", "division", unique=True,
              sqlite_where=text("valid_until IS NULL"),
              postgresql_where=text("valid_until IS NULL")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    id_digest: Mapped[str] = mapped_column(String(64))  # shared.digests.person_digest
    id_masked: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    division: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str | None] = mapped_column(String(60))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(200))
    registered_by: Mapped[str] = mapped_column(String(255))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(255))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
