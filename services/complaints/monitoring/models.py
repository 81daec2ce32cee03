"""Monitoring (监测预警, R-OV-2): the population figures per township (loaded by the county as
CSV, versioned by year) and the recipients and their amounts, kept from approval's events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class PopulationLoad(Base):
    """One load of a county's population figures of a year; a later load of the same year is
    the next version and replaces it for the monitoring (the earlier stays, R-AU-2)."""

    __tablename__ = "population_load"
    __table_args__ = (UniqueConstraint("division", "year", "version"),
                      Index("ix_population_load_loaded_id", "loaded_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    division: Mapped[str] = mapped_column(String(12))  # the county
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    townships: Mapped[int] = mapped_column(Integer)
    total_population: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(255))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PopulationFigure(Base):
    __tablename__ = "population_figure"
    __table_args__ = (UniqueConstraint("load_id", "township"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    load_id: Mapped[str] = mapped_column(ForeignKey("population_load.id"))
    township: Mapped[str] = mapped_column(String(9))
    population: Mapped[int] = mapped_column(Integer)


class Recipient(Base):
    """One beneficiary of the roll as approval announced it (dibao, tekun…): where, from which
    month, until which (exclusive), how many people it covers."""

    __tablename__ = "monitored_recipient"
    __table_args__ = (Index("ix_monitored_recipient_county_program", "county", "program"),)

    beneficiary_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    program: Mapped[str] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12))
    township: Mapped[str] = mapped_column(String(9))
    county: Mapped[str] = mapped_column(String(6))
    persons: Mapped[int | None] = mapped_column(Integer)  # when the event lists them
    start_month: Mapped[str] = mapped_column(String(7))
    stop_month: Mapped[str | None] = mapped_column(String(7))  # first month not paid


class RecipientAmount(Base):
    """The monthly amount from a month on (approved, adjusted, kept in a gradual exit)."""

    __tablename__ = "monitored_amount"
    __table_args__ = (UniqueConstraint("beneficiary_id", "from_month"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    beneficiary_id: Mapped[str] = mapped_column(String(32))
    from_month: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column(Integer)
