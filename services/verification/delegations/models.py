"""Delegations between counties (人户分离, R-VE-3): one row per delegation at each end, and the
calls still to make to counties reached over REST."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime

BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class Direction(StrEnum):
    outgoing = "outgoing"  # this county accepted the application and asks another
    incoming = "incoming"  # another county asks this one, where the household lives


class DelegationStatus(StrEnum):
    requested = "requested"  # outgoing: sent, no answer yet
    received = "received"  # incoming: in the township's work list
    accepted = "accepted"  # the residence township will investigate
    returned = "returned"  # the result came back (or, incoming: was sent back)
    refused = "refused"  # declined, with the reason


OPEN = (DelegationStatus.requested, DelegationStatus.received, DelegationStatus.accepted)


class Delegation(Base):
    """A delegation as this county sees it: the same id at both ends."""

    __tablename__ = "delegation"
    __table_args__ = (Index("ix_delegation_requested_at_id", "requested_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    direction: Mapped[str] = mapped_column(String(10))  # Direction
    division: Mapped[str] = mapped_column(String(12), index=True)
    """Whose work it is here: outgoing, the investigation's division; incoming, the residence
    township or village. Jurisdiction follows it (R-SE-1)."""
    status: Mapped[str] = mapped_column(String(20), index=True)  # DelegationStatus
    transport: Mapped[str] = mapped_column(String(10))  # nats | rest
    investigation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    """Outgoing only: the investigation the delegation is for."""
    application_id: Mapped[str] = mapped_column(String(32))
    application_number: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    accepting_county: Mapped[str] = mapped_column(String(6))
    accepting_division: Mapped[str] = mapped_column(String(12))
    residence_county: Mapped[str] = mapped_column(String(6))
    residence_division: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200))
    tasks: Mapped[str] = mapped_column(Text)
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Names, masked ID numbers, relationships: what the visit needs, nothing sealed."""
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[str | None] = mapped_column(String(255))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(255))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the residence county returned or refused it."""
    summary: Mapped[str | None] = mapped_column(Text)
    investigated_on: Mapped[date | None] = mapped_column(Date)
    investigators: Mapped[list[str] | None] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    refusal_reason: Mapped[str | None] = mapped_column(Text)


class DeliveryState(StrEnum):
    pending = "pending"  # to be sent, or sent again after a failure
    delivered = "delivered"  # the peer answered 2xx
    failed = "failed"  # the peer refused it as wrong (4xx): it will not become right


class DelegationDelivery(Base):
    """A call to make to a county reached over REST: the request, or an answer to it, sent
    by the courier in order, retried with a growing wait, with its Idempotency-Key."""

    __tablename__ = "delegation_delivery"
    __table_args__ = (Index("ix_delegation_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    delegation_id: Mapped[str] = mapped_column(String(32), index=True)
    peer_county: Mapped[str] = mapped_column(String(6))
    path: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))  # DeliveryState
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
