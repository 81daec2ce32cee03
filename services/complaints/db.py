"""The complaints service's tables share one MetaData, beside its outbox and inbox."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import service_metadata
from shared.scheduler import scheduled_job_table
from shared.service import messaging_tables


class Base(DeclarativeBase):
    metadata = service_metadata()


outbox, inbox = messaging_tables(Base.metadata)
scheduled_job = scheduled_job_table(Base.metadata)
"""Missed deadlines of complaints and media cases noted daily (``SPEC.jobs``)."""
