"""The one-card register (一卡通, R-DI-4): social-security card bank accounts per person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class AccountStatus(StrEnum):
    active = "active"
    closed = "closed"  # 销户: a payment to it is held with the reason (R-DI-4)


class BankAccount(Base):
    """One person's social-security card account. The person is known by the keyed digest of
    their ID number (``holder_digest``, as on the payee), never the number itself; the account
    number is kept sealed and shown masked, opened in full only for finance's files and screens,
    every such read logged. At most one active account per person."""

    __tablename__ = "bank_account"
    __table_args__ = (
        Index("ix_bank_account_created_at_id", "created_at", "id"),  # the list's order
        Index("uq_bank_account_active_holder", "holder_digest", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_digest: Mapped[str] = mapped_column(String(64), index=True)
    holder_name_masked: Mapped[str] = mapped_column(String(60))
    division: Mapped[str] = mapped_column(String(12), index=True)  # where it was registered
    bank_name: Mapped[str] = mapped_column(String(60))
    account_sealed: Mapped[str] = mapped_column(Text)  # the full number, sealed at rest
    account_masked: Mapped[str] = mapped_column(String(40))
    # keyed digest of the account number (shared.digests, its own purpose): files from finance
    # and the bank are matched by it in SQL, without opening a seal per row (R-DI-7)
    account_digest: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10))
    registered_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(255))
    closed_reason: Mapped[str | None] = mapped_column(String(200))


class HolderMember(Base):
    """A member of an accepted application as intake named them, known here only by the keyed
    digest of their ID number (``shared.digests.person_digest``): who a payee's holder is
    (R-DI-4: the head for a household benefit, the person for a personal one)."""

    __tablename__ = "holder_member"

    application_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    relationship: Mapped[str] = mapped_column(String(30))
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
    name_masked: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
