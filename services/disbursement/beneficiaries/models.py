"""The payment basis (发放依据): who is paid what from which month, as approval decided it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.disbursement.db import Base
from shared.db import UTCDateTime


class PayeeStatus(StrEnum):
    active = "active"
    stopped = "stopped"  # 停发: nothing is paid from ``stopped_from`` on


class ChangeKind(StrEnum):
    """What an approval event did to the payment basis."""

    approved = "approved"  # 纳入
    adjusted = "adjusted"  # 增发、减发 (R-DY-3)
    stopped = "stopped"  # 停发 (R-DY-3)
    granted = "granted"  # 临时救助 granted, paid once (R-BE-8)


class Payee(Base):
    """One beneficiary of one program, as the payment rosters will read it (R-DI-1)."""

    __tablename__ = "payee"
    __table_args__ = (Index("ix_payee_created_at_id", "created_at", "id"),)  # the list's order

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    beneficiary_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    program: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(10))  # household (head's card) | person, R-DI-4
    name_masked: Mapped[str] = mapped_column(String(60))  # head of household or the person
    division: Mapped[str] = mapped_column(String(12), index=True)
    # Who is paid (R-DI-4): the head of household for a household benefit, the person for a
    # personal one, by the keyed digest of their ID number; null until it is known.
    holder_member_id: Mapped[str | None] = mapped_column(String(32))
    holder_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    payment: Mapped[str] = mapped_column(String(10))  # monthly | once
    amount_fen: Mapped[int]  # the amount in force from ``amount_from`` (monthly, or once)
    amount_from: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    start_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, 次月发放 (R-AP-4)
    stopped_from: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(10), index=True)
    last_event_id: Mapped[str] = mapped_column(String(64))
    last_event_type: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PayeeChange(Base):
    """Every event's effect on a payee, appended and never rewritten (R-AU-2)."""

    __tablename__ = "payee_change"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    payee_id: Mapped[str] = mapped_column(ForeignKey("payee.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int | None]  # None for a stop
    effective_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the event's time
    # when it arrived here, on the service's clock: a frozen ledger carries the changes
    # recorded after its lines were read into a later month (months.ledger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
