"""A scheduled job and the table that keeps its runs and its lease."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Column, Integer, MetaData, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UTCDateTime
from shared.scheduler.rules import Schedule

JobFunction = Callable[[AsyncSession], Awaitable[str | None]]
"""What a job does, in one unit of work: its effect, its events and its run record commit
together. It returns a short account of what it did (shown as the run's result), or None."""

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SCHEDULED_FOR = "scheduled_for"


@dataclass(frozen=True)
class Job:
    """A job of a service (``ServiceSpec.jobs``): ``Job("close_notices", close_due_notices,
    Daily(time(0, 5)))``.

    ``catch_up``: after the service was down over several runs, ``"once"`` (the default) runs
    the job once and goes on from now; ``"each"`` runs it once per missed run, oldest first,
    each with its own :func:`scheduled_for`. ``timeout``: a run that takes longer is cancelled
    (rolled back, recorded as failed); the lease lasts a minute longer, so it never expires
    under a run that is still going.
    """

    name: str
    run: JobFunction
    schedule: Schedule
    description: str = ""
    catch_up: Literal["once", "each"] = "once"
    timeout: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"job name {self.name!r}: lower-case letters, digits and _, "
                             "starting with a letter, 64 at most")
        if self.catch_up not in ("once", "each"):
            raise ValueError(f"catch_up is 'once' or 'each', not {self.catch_up!r}")
        if self.timeout <= timedelta(0):
            raise ValueError("a job's timeout is positive")


def scheduled_for(session: AsyncSession) -> datetime:
    """Inside a job: the run it stands for (its due time, or when it was started by hand ahead
    of it). With ``catch_up="each"`` this tells the missed runs apart."""
    value: Any = session.info.get(SCHEDULED_FOR)
    if not isinstance(value, datetime):
        raise RuntimeError("scheduled_for() is read inside a scheduled job")
    return value


def scheduled_job_table(metadata: MetaData) -> Table:
    """The jobs of a service with jobs: when each runs next, how its last run went, its lease."""
    return Table(
        "scheduled_job",
        metadata,
        Column("name", String(64), primary_key=True),
        Column("schedule", String(200), nullable=False,
               comment="the schedule next_run_at was computed from"),
        Column("next_run_at", UTCDateTime(), nullable=False),
        Column("last_started_at", UTCDateTime(), nullable=True),
        Column("last_finished_at", UTCDateTime(), nullable=True),
        Column("last_outcome", String(10), nullable=True, comment="ok or failed"),
        Column("last_result", Text, nullable=True, comment="the job's account, or the error"),
        Column("last_run_by", String(100), nullable=True,
               comment="system:<service>, or the user who ran it by hand"),
        Column("runs", Integer, nullable=False, default=0),
        Column("failures", Integer, nullable=False, default=0, comment="failed runs in a row"),
        Column("lease_owner", String(200), nullable=True),
        Column("lease_until", UTCDateTime(), nullable=True),
    )
