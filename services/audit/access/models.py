"""Reads of the operation log (查阅记录), kept apart from the chain they read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.db import Base
from shared.db import UTCDateTime

ACCESS_HASHED_COLUMNS = (
    "id", "at", "user_id", "role", "division", "method", "path", "route", "query", "status",
    "subject", "request_id", "source_address", "prev_hash",
)
"""Every stored column of a read of the log except ``hash``: chained like the log (R-AU-2)."""


class LogAccess(Base):
    """Who read or exported the log, or was refused; a hash chain of its own (``id`` numbers
    it, ``prev_hash`` links it); UPDATE, DELETE and inserts that do not extend the chain are
    refused by triggers (R-AU-2)."""

    __tablename__ = "log_access"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[str] = mapped_column(String, index=True)
    role: Mapped[str] = mapped_column(String)
    division: Mapped[str | None] = mapped_column(String, index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    status: Mapped[int]
    subject: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String)
    source_address: Mapped[str | None] = mapped_column(String)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def stored(self) -> dict[str, Any]:
        """Every stored column, as the hash sees them."""
        return {column: getattr(self, column) for column in (*ACCESS_HASHED_COLUMNS, "hash")}
