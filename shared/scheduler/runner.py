"""The scheduler of a service: runs each due job once across replicas, under a lease.

Every ``scheduler_poll_interval_s`` it reads the jobs' rows, and claims each due job with one
conditional UPDATE (due, and no lease alive): of two replicas on one database only one row
update succeeds, so only one runs it. The run is one unit of work: the job's effect, its events
and the run's record (result, next run, lease released) commit together, and only while the
lease is still this run's. A failure is rolled back, recorded and retried at the next run; the
loop goes on. Times come from ``kit.clock``, so a test that moves the clock makes jobs due.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import structlog
from sqlalchemy import Row, Table, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared import context
from shared.clock import Clock
from shared.contracts.kit import ScheduledJobRun
from shared.db import probe_all, unit_of_work
from shared.outbox import emit
from shared.problems import Conflict, NotFound
from shared.scheduler.jobs import SCHEDULED_FOR, Job
from shared.tasks import stop_task

if TYPE_CHECKING:
    from shared.service import ServiceKit

log = structlog.get_logger(__name__)

LEASE_MARGIN = timedelta(minutes=1)
"""A lease outlasts its job's timeout by this much: it never expires under a live run."""
RESULT_MAX = 2000
CLOCK_SKEW = timedelta(minutes=5)
"""Replicas' clocks may differ by this much: a next run is brought back (the clock moved back)
only when it lies beyond the schedule's next from this far ahead, so a replica a little behind
never undoes the run another has just made."""
MAX_RUNS_PER_CALL = 1000
"""Runs of one ``run_due`` at most (missed runs of ``catch_up="each"`` jobs, one by one)."""


@dataclass(frozen=True)
class Claim:
    """A lease taken on a job's row."""

    token: str
    due_at: datetime
    started_at: datetime

    @property
    def was_due(self) -> bool:
        return self.due_at <= self.started_at


@dataclass(frozen=True)
class JobRun:
    """What one run did."""

    name: str
    outcome: Literal["ok", "failed"]
    result: str | None
    scheduled_for: datetime
    started_at: datetime
    finished_at: datetime
    next_run_at: datetime
    by: str


@dataclass(frozen=True)
class JobState:
    """A job as the API shows it."""

    job: Job
    row: Row[Any] | None
    next_run_at: datetime
    running: bool
    late: bool


class LeaseLost(Exception):
    """The run's lease expired and another took it: the run is rolled back."""


class Scheduler:
    """The jobs of one running service (``kit.scheduler``)."""

    def __init__(self, kit: ServiceKit, jobs: Sequence[Job], table: Table) -> None:
        self.kit = kit
        self.jobs = {job.name: job for job in jobs}
        if len(self.jobs) != len(jobs):
            raise ValueError("two jobs of a service share a name")
        self.table = table
        self.owner = f"{kit.service}@{socket.gethostname()}:{os.getpid()}"
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        self.first_pass = asyncio.Event()
        """Set once the loop has been through the jobs after the start (the catch-up)."""

    @property
    def clock(self) -> Clock:
        return self.kit.clock

    @property
    def poll_interval_s(self) -> float:
        return self.kit.settings.scheduler_poll_interval_s

    @property
    def late_after(self) -> timedelta:
        """A due job not run by then is late (the loop or the database is stuck)."""
        return timedelta(seconds=2 * self.poll_interval_s + 60)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"{self.kit.service}-scheduler")

    async def stop(self) -> None:
        await stop_task(self._task)

    def wake(self) -> None:
        """Look for due jobs now (after moving the clock, say)."""
        self._wakeup.set()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            self._wakeup.clear()
            try:
                await self.run_due()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database away: try again later
                log.warning("scheduler_retry", error=repr(exc)[:500], retry_in_s=backoff)
                self.first_pass.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.poll_interval_s)
                continue
            self.first_pass.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval_s)

    async def run_due(self) -> list[JobRun]:
        """Run every job due now by the clock (once each; a ``catch_up="each"`` job once per
        missed run) and return the runs, as the service (``system:<service>``). A job another
        replica holds is left to it."""
        actor = context.current_actor.set(context.system_actor(self.kit.service))
        try:
            async with self._lock:
                return await self._run_due()
        finally:
            context.current_actor.reset(actor)

    async def _run_due(self) -> list[JobRun]:
        runs: list[JobRun] = []
        candidates = list(self.jobs.values())
        while candidates and len(runs) < MAX_RUNS_PER_CALL:
            due = {state.job.name for state in await self._reconcile()
                   if state.next_run_at <= self.clock.now() and not state.running}
            again = []
            for job in candidates:
                if job.name not in due:
                    continue
                claim = await self._claim(job, due_only=True)
                run = None if claim is None else await self._execute(job, claim, False)
                if run is not None:
                    runs.append(run)
                    if job.catch_up == "each" and run.outcome == "ok":
                        again.append(job)
            candidates = again
        return runs

    async def run_now(self, name: str) -> JobRun:
        """Run a job at once, due or not (an operator's request): 404 for an unknown job,
        409 while a run of it holds the lease. The run is logged as ``scheduled_job_run``."""
        job = self.jobs.get(name)
        if job is None:
            raise NotFound(f"no job {name!r} in {self.kit.service}")
        await self._reconcile()
        claim = await self._claim(job, due_only=False)
        run = None if claim is None else await self._execute(job, claim, True)
        if run is None:
            [row] = [s.row for s in await self.states() if s.job.name == name]
            until = row.lease_until if row is not None else None
            raise Conflict(f"job {name!r} is running", lease_owner=row and row.lease_owner,
                           lease_until=until.isoformat() if until else None)
        return run

    async def states(self) -> list[JobState]:
        """Every job with its row, its next run and whether it runs or is late now."""
        async with unit_of_work(self.kit.sessions, read_only=True) as session:
            rows = await self._rows(session)
        return [self._state(job, rows.get(job.name), self.clock.now())
                for job in self.jobs.values()]

    async def summary(self) -> dict[str, list[str]]:
        """For /readyz: the jobs whose last run failed and those late; read beside the queue
        of units of work (``shared.db.probe_all``)."""
        now = self.clock.now()
        rows = {row.name: row for row in await probe_all(
            self.kit.engine, select(self.table))}
        states = [self._state(job, rows.get(job.name), now) for job in self.jobs.values()]
        return {"failed": [s.job.name for s in states
                           if s.row is not None and s.row.last_outcome == "failed"],
                "late": [s.job.name for s in states if s.late]}

    def _state(self, job: Job, row: Row[Any] | None, now: datetime) -> JobState:
        expected = job.schedule.next_after(now)
        if row is None or row.schedule != job.schedule.describe() or _moved_back(job, row, now):
            next_run = expected
        else:
            next_run = row.next_run_at
        running = row is not None and row.lease_until is not None and row.lease_until > now
        return JobState(job, row, next_run, running,
                        late=not running and next_run <= now - self.late_after)

    async def _rows(self, session: AsyncSession) -> dict[str, Row[Any]]:
        return {row.name: row for row in (await session.execute(select(self.table))).all()}

    async def _reconcile(self) -> list[JobState]:
        """Add the rows of new jobs; a changed schedule, or a clock moved back (a test, a
        demo), puts the next run at the schedule's next one from now."""
        t = self.table
        async with self.kit.unit_of_work() as session:
            now = self.clock.now()
            rows = await self._rows(session)
            for job in self.jobs.values():
                described, expected = job.schedule.describe(), job.schedule.next_after(now)
                row = rows.get(job.name)
                if row is None:
                    insert = (pg_insert if session.get_bind().dialect.name == "postgresql"
                              else sqlite_insert)
                    await session.execute(insert(t).values(
                        name=job.name, schedule=described, next_run_at=expected, runs=0,
                        failures=0).on_conflict_do_nothing(index_elements=[t.c.name]))
                elif row.schedule != described or _moved_back(job, row, now):
                    ahead = job.schedule.next_after(now + CLOCK_SKEW)
                    await session.execute(update(t).where(
                        t.c.name == job.name,
                        or_(t.c.schedule != described, t.c.next_run_at > ahead),
                    ).values(schedule=described, next_run_at=expected))
        return [self._state(job, rows.get(job.name), now) for job in self.jobs.values()]

    async def _claim(self, job: Job, *, due_only: bool) -> Claim | None:
        """The lease, by one conditional UPDATE: of two replicas one gets the row."""
        t = self.table
        now = self.clock.now()
        token = f"{self.owner}/{secrets.token_hex(4)}"
        statement = update(t).where(
            t.c.name == job.name, or_(t.c.lease_until.is_(None), t.c.lease_until <= now))
        if due_only:
            statement = statement.where(t.c.next_run_at <= now)
        statement = statement.values(
            lease_owner=token, lease_until=now + job.timeout + LEASE_MARGIN,
            last_started_at=now).returning(t.c.next_run_at)
        async with self.kit.unit_of_work() as session:
            due_at = (await session.execute(statement)).scalar_one_or_none()
        return None if due_at is None else Claim(token, due_at, now)

    def _next_run(self, job: Job, claim: Claim, ok: bool) -> datetime:
        if not claim.was_due:
            return claim.due_at  # run by hand ahead of time: the schedule stands
        if ok and job.catch_up == "each":
            return job.schedule.next_after(claim.due_at)  # the next missed run, if any
        return job.schedule.next_after(claim.started_at)

    async def _execute(self, job: Job, claim: Claim, by_hand: bool) -> JobRun | None:
        """Run the claimed job in one unit of work with its record; None if the lease was
        lost meanwhile (nothing of the run is kept)."""
        scheduled = claim.due_at if claim.was_due else claim.started_at
        by = context.current_actor.get().user_id
        try:
            async with self.kit.unit_of_work() as session:
                session.info[SCHEDULED_FOR] = scheduled
                result = await asyncio.wait_for(job.run(session),
                                                job.timeout.total_seconds())
                run = JobRun(job.name, "ok", _clip(result), scheduled, claim.started_at,
                             self.clock.now(), self._next_run(job, claim, True), by)
                await self._record(session, claim, run, by_hand)
            log.info("scheduled_job_ran", job=job.name, result=run.result, by=by)
            return run
        except asyncio.CancelledError:
            await self._release(job, claim)
            raise
        except LeaseLost:
            log.warning("scheduled_job_lease_lost", job=job.name, token=claim.token)
            return None
        except Exception as exc:  # noqa: BLE001 - recorded; retried at the next run
            error = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, TimeoutError) and not str(exc):
                error += f"ran longer than its timeout ({job.timeout})"
        run = JobRun(job.name, "failed", _clip(error), scheduled, claim.started_at,
                     self.clock.now(), self._next_run(job, claim, False), by)
        log.error("scheduled_job_failed", job=job.name, error=run.result, by=by)
        try:
            async with self.kit.unit_of_work() as session:
                await self._record(session, claim, run, by_hand)
        except LeaseLost:
            return None
        return run

    async def _record(self, session: AsyncSession, claim: Claim, run: JobRun,
                      by_hand: bool) -> None:
        """The run's record, and the lease released, if the lease is still this run's."""
        t = self.table
        ok = run.outcome == "ok"
        done = await session.execute(update(t).where(
            t.c.name == run.name, t.c.lease_owner == claim.token,
        ).values(last_finished_at=run.finished_at, last_outcome=run.outcome,
                 last_result=run.result, last_run_by=run.by, runs=t.c.runs + 1,
                 failures=0 if ok else t.c.failures + 1, next_run_at=run.next_run_at,
                 lease_owner=None, lease_until=None))
        if getattr(done, "rowcount", 0) != 1:
            raise LeaseLost(run.name)
        if by_hand:  # an operator's request: an entry of the operation log (R-AU-1)
            await emit(session, ScheduledJobRun(
                job=run.name, outcome=run.outcome, result=run.result,
                scheduled_for=run.scheduled_for, started_at=run.started_at,
                finished_at=run.finished_at, next_run_at=run.next_run_at,
            ), subject=run.name, division=self.kit.county)

    async def _release(self, job: Job, claim: Claim) -> None:
        """Give the lease back when the service stops under a run (rolled back): the job runs
        again at the next start instead of after the lease."""
        t = self.table

        async def release() -> None:
            async with self.kit.unit_of_work() as session:
                await session.execute(update(t).where(
                    t.c.name == job.name, t.c.lease_owner == claim.token,
                ).values(lease_owner=None, lease_until=None))

        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.shield(release())


def _moved_back(job: Job, row: Row[Any], now: datetime) -> bool:
    """The next run lies further than the schedule's next from now (and the skew allowed):
    the clock was moved back."""
    return bool(row.next_run_at > job.schedule.next_after(now + CLOCK_SKEW))


def _clip(text: str | None) -> str | None:
    return None if text is None else str(text)[:RESULT_MAX]
