"""The operation log (操作日志): one append-only, hash-chained entry per event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.db import Base
from services.audit.log.chain import HASHED_COLUMNS
from shared.db import UTCDateTime

SEQ = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    """One logged event; UPDATE and DELETE are refused by database triggers (R-AU-2)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_record_id_seq", "record_id", "seq"),
        Index("ix_audit_entry_actor_user_seq", "actor_user", "seq"),
    )

    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String, index=True)
    service: Mapped[str] = mapped_column(String)
    record_id: Mapped[str] = mapped_column(String)
    division: Mapped[str | None] = mapped_column(String, index=True)
    actor_user: Mapped[str] = mapped_column(String)
    actor_role: Mapped[str] = mapped_column(String)
    correlation_id: Mapped[str] = mapped_column(String, index=True)
    request_id: Mapped[str | None] = mapped_column(String)
    source_address: Mapped[str | None] = mapped_column(String)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def stored(self) -> dict[str, Any]:
        """Every stored column, as the hash and the export see them."""
        return {column: getattr(self, column) for column in (*HASHED_COLUMNS, "hash")}
