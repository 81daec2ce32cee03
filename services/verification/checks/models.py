"""Cross-checks (R-VE-4): the people to check, the departments' data files, runs and results."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime

BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class ResultStatus(StrEnum):
    found = "found"  # the source holds records: the figures are the findings
    nothing_found = "nothing_found"  # the source answered, and holds nothing
    unavailable = "unavailable"  # the source could not be asked: listed for retry
    manual = "manual"  # a caseworker's own check


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"


class CheckSubject(Base):
    """A member of an investigated household, as the checks need them. The full ID number is
    kept only for counted members, and only sealed with the installation's keys (opened to build
    a check request, never shown: the API shows ``id_number_masked``)."""

    __tablename__ = "check_subject"

    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    relationship: Mapped[str] = mapped_column(String(30))
    counted: Mapped[bool]
    id_number_masked: Mapped[str] = mapped_column(String(18))
    id_number_sealed: Mapped[str | None] = mapped_column(Text)


class CheckDataset(Base):
    """One version of a source's data file, loaded whole by a county officer."""

    __tablename__ = "check_dataset"
    __table_args__ = (UniqueConstraint("source", "version"),
                      Index("ix_check_dataset_loaded_at_id", "loaded_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    version: Mapped[int]
    data_date: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    filename: Mapped[str | None] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))
    """The event key the records' ID-number digests are made with (``Keyring.derived_key``)."""
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(255))


class CheckRecord(Base):
    """A record of a data file: the person by the keyed digest of their ID number."""

    __tablename__ = "check_record"
    __table_args__ = (Index("ix_check_record_lookup", "dataset_id", "id_digest"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(String(32), ForeignKey("check_dataset.id"))
    line: Mapped[int]
    id_digest: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(50))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(200))


class CheckRun(Base):
    """A request to ask the check sources about an investigation's household, done by the
    runner outside the request (the sources may take seconds)."""

    __tablename__ = "check_run"
    __table_args__ = (Index("ix_check_run_status", "status", "requested_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("investigation.id"), index=True)
    division: Mapped[str] = mapped_column(String(12))
    sources: Mapped[list[str]] = mapped_column(JSON)
    only_unavailable: Mapped[bool]
    status: Mapped[str] = mapped_column(String(20))  # RunStatus
    requested_by: Mapped[str] = mapped_column(String(255))
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tries: Mapped[int] = mapped_column(default=0)


class CheckResultRow(Base):
    """The latest answer of one source for one item of an investigation's household."""

    __tablename__ = "check_result"
    __table_args__ = (UniqueConstraint("investigation_id", "source", "item"),
                      Index("ix_check_result_checked_at_id", "checked_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(String(32), ForeignKey("investigation.id"))
    division: Mapped[str] = mapped_column(String(12), index=True)
    source: Mapped[str] = mapped_column(String(50))
    item: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), index=True)  # ResultStatus
    reason: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(String(200))
    run_id: Mapped[str | None] = mapped_column(String(32))
    checked_by: Mapped[str] = mapped_column(String(255))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    asked: Mapped[int] = mapped_column(default=1)
    """How many times this source was asked about this item (re-runs, retries)."""


class CheckFindingRow(Base):
    """One record behind a ``found`` (or ``manual``) result: the figures, in fen."""

    __tablename__ = "check_finding"

    result_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("check_result.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_id: Mapped[str | None] = mapped_column(String(32))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(200))
