"""The near-relative register and the cases it touches (近亲属备案, R-AP-8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.approval.db import Base
from shared.db import UTCDateTime
from shared.outbox import BIGINT


class NearRelative(Base):
    """A staff member's filed near relative (近亲属备案). The ID number is kept only as a keyed
    digest (HMAC-SHA256, ``shared.digests``) and masked; never in clear. Never edited or deleted:
    a withdrawal is a record of its own (``NearRelativeWithdrawal``)."""

    __tablename__ = "near_relative"
    __table_args__ = (Index("ix_near_relative_filed_at_id", "filed_at", "id"),
                      Index("ix_near_relative_digest", "id_key_id", "id_digest"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    staff_user_id: Mapped[str] = mapped_column(String(255), index=True)
    staff_name: Mapped[str] = mapped_column(String(50))
    staff_level: Mapped[str] = mapped_column(String(10))  # city | county | township | village
    staff_division: Mapped[str] = mapped_column(String(12), index=True)
    relative_name: Mapped[str] = mapped_column(String(50))
    relationship: Mapped[str] = mapped_column(String(30))
    id_digest: Mapped[str] = mapped_column(String(64))
    id_key_id: Mapped[str] = mapped_column(String(32))
    """The event key the digest is made with (``Keyring.derived_key``)."""
    id_masked: Mapped[str] = mapped_column(String(18))
    filed_by: Mapped[str] = mapped_column(String(255))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NearRelativeWithdrawal(Base):
    """A filing withdrawn (撤回备案): a new record; the filing itself stays as it was."""

    __tablename__ = "near_relative_withdrawal"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    near_relative_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("near_relative.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by: Mapped[str] = mapped_column(String(255))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseMemberDigest(Base):
    """A member of a review case's household, by the keyed digest of their ID number: what a
    relative filed later is matched against (the clear numbers are not kept)."""

    __tablename__ = "case_member_digest"
    __table_args__ = (UniqueConstraint("case_id", "id_key_id", "id_digest"),
                      Index("ix_case_member_digest_lookup", "id_key_id", "id_digest"))

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32))
    application_id: Mapped[str] = mapped_column(String(32))
    id_digest: Mapped[str] = mapped_column(String(64))
    id_key_id: Mapped[str] = mapped_column(String(32))


class FlaggedCase(Base):
    """A case whose household includes a filed near relative (R-AP-8): its archive is kept
    apart (``archive_apart``) and it is re-checked by the county's spot checks."""

    __tablename__ = "near_relative_case"
    __table_args__ = (Index("ix_near_relative_case_flagged_at", "flagged_at", "case_id"),)

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_number: Mapped[str] = mapped_column(String(40))
    division: Mapped[str] = mapped_column(String(12), index=True)
    archive_apart: Mapped[bool]
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NearRelativeFlag(Base):
    """One filed relative found in a flagged case, and the staff member to recuse (回避)."""

    __tablename__ = "near_relative_flag"
    __table_args__ = (UniqueConstraint("case_id", "near_relative_id"),
                      Index("ix_near_relative_flag_staff", "case_id", "staff_user_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("near_relative_case.case_id"))
    near_relative_id: Mapped[str] = mapped_column(String(32), ForeignKey("near_relative.id"))
    staff_user_id: Mapped[str] = mapped_column(String(255))
    found_when: Mapped[str] = mapped_column(String(20))  # accepted | filed_later
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())
