"""Who appears in the log: keyed digests of the ID numbers sealed in its entries (R-AU-3)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.db import Base


class PersonIndex(Base):
    """One ID number sealed in one entry, as its keyed digest (HMAC, shared.digests) under one
    key of the keyring: the number itself is never stored. Append-only, like the log."""

    __tablename__ = "audit_person_index"
    __table_args__ = (Index("ix_audit_person_index_digest_seq", "digest", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    """The entry (``audit_entry.seq``) the number is sealed in."""
    key_id: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(200))
    """Where in the event's data: ``members.0.id_number``."""
