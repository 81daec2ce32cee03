"""Proxies (代领, R-DI-5): who may withdraw a recipient's money under a signed authorisation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class ProxyStatus(StrEnum):
    authorised = "authorised"  # the signed authorisation uploaded, not yet filed
    filed = "filed"  # 备案: filed with the county, in force
    revoked = "revoked"


class ProxyAuthorisation(Base):
    """One authorisation (代取授权书) of a payee's proxy; the proxy's ID number as a keyed digest
    and masked, the signed document by its SHA-256 in the upload store."""

    __tablename__ = "proxy_authorisation"
    __table_args__ = (Index("ix_proxy_authorisation_created_at_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    payee_id: Mapped[str] = mapped_column(String(32), index=True)
    beneficiary_id: Mapped[str] = mapped_column(String(32))
    division: Mapped[str] = mapped_column(String(12), index=True)
    proxy_name: Mapped[str] = mapped_column(String(50))
    proxy_digest: Mapped[str] = mapped_column(String(64), index=True)
    proxy_id_masked: Mapped[str] = mapped_column(String(18))
    relation: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_media_type: Mapped[str] = mapped_column(String(40))
    document_size_bytes: Mapped[int]
    document_filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_on: Mapped[date | None] = mapped_column(Date)
    filed_by: Mapped[str | None] = mapped_column(String(255))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
