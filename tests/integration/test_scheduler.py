"""Scheduled jobs (shared.scheduler): a job runs when the clock reaches it; two replicas on one
database run it once (a lease in the database); a restart catches up once, or once per missed
run when the job asks; a failure is rolled back, recorded and retried while the loop goes on;
the API lists the jobs and runs one, logged for the operation log (R-AU-1)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from services.approval.app import SPEC as APPROVAL
from shared.auth import Role
from shared.clock import now_of
from shared.contracts.kit import OperationRecorded
from shared.outbox import emit
from shared.scheduler import Daily, Every, Job, scheduled_for
from shared.service import create_service_app
from shared.workdays import SHANGHAI
from tests.support import bearer, eventually, ready, running

COUNTY = "230722"
CITY = "230700"
NOON = datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)
SLOW = {"scheduler_poll_interval_s": 300}
"""The loop looks once at start, then the test drives it (``run_due``)."""


class Recorder:
    """A job's runs: each emits an event (its effect) and may be held or made to fail."""

    def __init__(self, name: str, schedule: Any = None, **job: Any) -> None:
        self.name = name
        self.runs: list[datetime] = []
        self.fail_next = 0
        self.hold: asyncio.Event | None = None
        self.started = asyncio.Event()
        self.pause = 0.0
        self.job = Job(name, self.run, schedule or Daily(time(0, 5)),
                       description=f"test job {name}", **job)

    async def run(self, session) -> str:
        self.started.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.pause:
            await asyncio.sleep(self.pause)
        await emit(session, OperationRecorded(method="JOB", path=self.name, route=self.name,
                                              query="", status=200, subject=self.name),
                   subject=self.name)
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError(f"{self.name} broke")
        self.runs.append(scheduled_for(session))
        return f"ran for {scheduled_for(session).isoformat()} at {now_of(session).isoformat()}"


def approval_with(*recorders: Recorder, settings) -> Any:
    spec = dataclasses.replace(APPROVAL, jobs=[r.job for r in recorders])
    return create_service_app(spec, settings)


async def effects(kit, name: str) -> int:
    """The job's events that reached the outbox (committed with its runs)."""
    async with kit.sessions() as session:
        rows = await session.scalars(select(kit.outbox.c.id).where(
            kit.outbox.c.record_id == name, kit.outbox.c.event_type.endswith(
                OperationRecorded.event)))
        return len(rows.all())


async def row(kit, name: str) -> Any:
    table = kit.scheduler.table
    async with kit.sessions() as session:
        return (await session.execute(select(table).where(table.c.name == name))).one()


async def settle(*kits, at: datetime) -> None:
    """After the loops' first look (on the system's time): set the clocks and run what that
    makes due, so the job's next run is the schedule's next from ``at``."""
    for kit in kits:
        await kit.scheduler.first_pass.wait()
    for kit in kits:
        kit.clock.set(at)
    for kit in kits:
        await kit.scheduler.run_due()


def officer(settings, role: Role = Role.county_officer, divisions=(COUNTY,)) -> dict[str, str]:
    return bearer(settings, role, divisions, user_id=f"{role}-7")


async def test_a_daily_job_runs_once_when_the_clock_reaches_00_05(make_settings):
    settings = make_settings("approval", **SLOW)
    job = Recorder("close_notices")
    app = approval_with(job, settings=settings)
    async with running(app):
        kit = app.state.kit
        await settle(kit, at=NOON)
        before = len(job.runs)
        first = Daily(time(0, 5)).next_after(NOON)
        assert (await row(kit, job.name)).next_run_at == first

        kit.clock.set(first - timedelta(seconds=1), frozen=True)  # not due, however slow
        assert await kit.scheduler.run_due() == []
        kit.clock.set(first + timedelta(seconds=30))
        [run] = await kit.scheduler.run_due()
        assert (run.name, run.outcome, run.scheduled_for) == (job.name, "ok", first)
        assert run.by == "system:approval" and run.next_run_at == first + timedelta(days=1)
        assert await kit.scheduler.run_due() == []  # once: not again the same day
        assert job.runs[before:] == [first]
        stored = await row(kit, job.name)
        assert (stored.last_outcome, stored.next_run_at, stored.lease_owner) == (
            "ok", first + timedelta(days=1), None)
        assert stored.last_result.startswith(f"ran for {first.isoformat()}")

        kit.clock.advance(timedelta(days=1))
        assert [r.scheduled_for for r in await kit.scheduler.run_due()] == [
            first + timedelta(days=1)]
        assert await effects(kit, job.name) == len(job.runs)


async def test_the_worker_runs_a_job_made_due_by_moving_the_clock(make_settings):
    """No one calls ``run_due``: the loop itself, woken or at its poll, runs the job."""
    settings = make_settings("approval", scheduler_poll_interval_s=0.1)
    job = Recorder("recheck_due", Every(timedelta(hours=1)))
    app = approval_with(job, settings=settings)
    async with running(app):
        kit = app.state.kit
        await settle(kit, at=NOON)
        ran = len(job.runs)
        kit.clock.advance(timedelta(hours=1))
        await eventually(lambda: asyncio.sleep(0, len(job.runs) == ran + 1))
        assert job.runs[-1] == NOON + timedelta(hours=1)


async def test_two_replicas_on_one_database_run_a_due_job_once(make_settings):
    """Two apps on the same SQLite file (or PostgreSQL schema), each with its loop: every due
    run happens once, in one of them, with one effect."""
    settings = make_settings("approval", **SLOW)
    first, second = Recorder("roll_month"), Recorder("roll_month")
    first.pause = second.pause = 0.05  # both are in the race while one runs
    app_a, app_b = approval_with(first, settings=settings), approval_with(second, settings=settings)
    async with running(app_a), running(app_b):
        kits = [app_a.state.kit, app_b.state.kit]
        await settle(*kits, at=NOON)
        done = len(first.runs) + len(second.runs)
        due = Daily(time(0, 5)).next_after(NOON)
        for day in range(4):
            for kit in kits:
                kit.clock.set(due + timedelta(days=day, minutes=1))
            runs = await asyncio.gather(*(kit.scheduler.run_due() for kit in kits))
            assert sorted(len(r) for r in runs) == [0, 1], runs
        assert len(first.runs) + len(second.runs) == done + 4
        assert sorted(first.runs + second.runs)[-4:] == [due + timedelta(days=d)
                                                         for d in range(4)]
        assert await effects(kits[0], "roll_month") == done + 4
        stored = await row(kits[0], "roll_month")
        assert stored.runs == done + 4 and stored.lease_owner is None


async def test_a_replica_whose_clock_is_a_little_behind_does_not_run_a_job_again(
        make_settings):
    """A's clock is past the run and runs it; B's, a few seconds behind, still sees the run to
    come: B neither brings the next run back to it nor runs it a second time."""
    settings = make_settings("approval", **SLOW)
    first, second = Recorder("close_notices"), Recorder("close_notices")
    app_a, app_b = approval_with(first, settings=settings), approval_with(second, settings=settings)
    async with running(app_a), running(app_b):
        kit_a, kit_b = app_a.state.kit, app_b.state.kit
        await settle(kit_a, kit_b, at=NOON)
        due = Daily(time(0, 5)).next_after(NOON)
        kit_a.clock.set(due + timedelta(seconds=1))
        kit_b.clock.set(due - timedelta(seconds=2), frozen=True)
        assert len(await kit_a.scheduler.run_due()) == 1
        assert await kit_b.scheduler.run_due() == []
        assert (await row(kit_b, "close_notices")).next_run_at == due + timedelta(days=1)
        kit_b.clock.set(due + timedelta(seconds=3))
        assert await kit_b.scheduler.run_due() == []
        assert second.runs == []


async def test_a_run_by_hand_while_another_replica_runs_the_job_is_409(make_settings):
    settings = make_settings("approval", **SLOW)
    held, other = Recorder("gradual_exits"), Recorder("gradual_exits")
    app_a, app_b = approval_with(held, settings=settings), approval_with(other, settings=settings)
    async with running(app_a), running(app_b) as client_b:
        kit_a, kit_b = app_a.state.kit, app_b.state.kit
        await settle(kit_a, kit_b, at=NOON)
        held.hold = asyncio.Event()
        kit_a.clock.set(NOON + timedelta(days=1))
        kit_b.clock.set(NOON + timedelta(days=1))
        running_a = asyncio.create_task(kit_a.scheduler.run_due())
        await held.started.wait()

        r = await client_b.post("/api/v1/jobs/gradual_exits/run", headers=officer(settings))
        assert r.status_code == 409, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["lease_owner"].startswith("approval@")
        listed = (await client_b.get("/api/v1/jobs", headers=officer(settings))).json()
        assert listed[0]["running"] is True and listed[0]["lease_until"]
        assert await kit_b.scheduler.run_due() == []  # B leaves it to A

        held.hold.set()
        [run] = await running_a
        assert run.outcome == "ok" and other.runs == []


async def test_a_job_whose_run_passed_while_the_service_was_down_runs_once_at_start(
        make_settings):
    """Catch-up: three daily runs missed; at start it runs once, and goes on from now."""
    settings = make_settings("approval", **SLOW)
    job = Recorder("close_notices")
    app = approval_with(job, settings=settings)
    async with running(app):
        kit = app.state.kit
        await kit.scheduler.first_pass.wait()
        three_days_ago = kit.clock.now() - timedelta(days=3)
        async with kit.unit_of_work() as session:
            await session.execute(update(kit.scheduler.table).values(
                next_run_at=three_days_ago))
        runs_before = (await row(kit, job.name)).runs

    again = Recorder("close_notices")
    app = approval_with(again, settings=settings)
    async with running(app):
        kit = app.state.kit
        await kit.scheduler.first_pass.wait()
        assert again.runs == [three_days_ago]  # once, for the oldest missed run
        stored = await row(kit, job.name)
        assert stored.runs == runs_before + 1 and stored.last_run_by == "system:approval"
        assert stored.next_run_at == Daily(time(0, 5)).next_after(stored.last_started_at)
        assert stored.next_run_at > kit.clock.now()


async def test_a_job_that_asks_for_it_runs_once_per_missed_run(make_settings):
    """``catch_up="each"``: every missed run, oldest first, each knowing its own time."""
    settings = make_settings("approval", **SLOW)
    job = Recorder("daily_count", catch_up="each")
    app = approval_with(job, settings=settings)
    async with running(app):
        kit = app.state.kit
        await settle(kit, at=NOON)
        due = Daily(time(0, 5)).next_after(NOON)
        kit.clock.set(due + timedelta(days=3, hours=1))  # down over four runs
        runs = await kit.scheduler.run_due()
        assert [r.scheduled_for for r in runs] == [due + timedelta(days=d) for d in range(4)]
        assert (await row(kit, job.name)).next_run_at == due + timedelta(days=4)


async def test_a_failing_job_is_rolled_back_recorded_and_retried_at_its_next_run(
        make_settings):
    """The loop survives the failure; the job's effect is rolled back with it; /readyz names
    the job without changing its status; the next run succeeds and clears it."""
    settings = make_settings("approval", scheduler_poll_interval_s=0.1)
    job = Recorder("recheck_due", Every(timedelta(hours=1)))
    app = approval_with(job, settings=settings)
    async with running(app) as client:
        kit = app.state.kit
        await settle(kit, at=NOON)
        effects_before, ran = await effects(kit, job.name), len(job.runs)
        job.fail_next = 1
        kit.clock.set(NOON + timedelta(hours=1))
        kit.scheduler.wake()

        async def failed() -> Any:
            stored = await row(kit, job.name)
            return stored if stored.last_outcome == "failed" else None

        stored = await eventually(failed)
        assert stored.last_result == "RuntimeError: recheck_due broke"
        assert stored.failures == 1 and stored.lease_owner is None
        assert stored.next_run_at == NOON + timedelta(hours=2)  # retried at its next run
        assert await effects(kit, job.name) == effects_before  # rolled back

        async def named() -> Any:
            body = (await client.get("/readyz")).json()
            return body if body.get("jobs", {}).get("failed") == [job.name] else None

        body = await eventually(named)
        assert body["status"] == "ready" and body["jobs"]["late"] == []

        kit.clock.set(NOON + timedelta(hours=2, minutes=1))
        kit.scheduler.wake()
        await eventually(lambda: asyncio.sleep(0, len(job.runs) == ran + 1))
        assert (await row(kit, job.name)).failures == 0
        assert not kit.scheduler._task.done()  # the loop went on


async def test_a_job_past_its_timeout_is_cancelled_and_recorded(make_settings):
    settings = make_settings("approval", **SLOW)
    job = Recorder("slow_job", timeout=timedelta(seconds=0.2))
    app = approval_with(job, settings=settings)
    async with running(app):
        kit = app.state.kit
        await settle(kit, at=NOON)
        job.pause = 5
        kit.clock.set(Daily(time(0, 5)).next_after(NOON))
        [run] = await kit.scheduler.run_due()
        assert run.outcome == "failed"
        assert run.result == "TimeoutError: ran longer than its timeout (0:00:00.200000)"
        assert (await row(kit, job.name)).lease_owner is None


async def test_the_api_lists_the_jobs_and_runs_one_by_hand(make_settings):
    settings = make_settings("approval", **SLOW)
    job, other = Recorder("close_notices"), Recorder("recheck_due", Every(timedelta(hours=1)))
    app = approval_with(job, other, settings=settings)
    async with running(app) as client:
        kit = app.state.kit
        await eventually(lambda: ready(client))
        await settle(kit, at=NOON)
        listed = await client.get("/api/v1/jobs", headers=officer(settings))
        assert listed.status_code == 200, listed.text
        by_name = {j["name"]: j for j in listed.json()}
        assert list(by_name) == ["close_notices", "recheck_due"]
        close = by_name["close_notices"]
        assert close["schedule"] == "daily at 00:05:00 Asia/Shanghai"
        assert close["catch_up"] == "once" and close["running"] is False
        due = Daily(time(0, 5)).next_after(NOON)
        assert datetime.fromisoformat(close["next_run_at"]) == due
        for reader in (officer(settings, Role.city_officer, (CITY,)),
                       officer(settings, Role.auditor)):
            assert (await client.get("/api/v1/jobs", headers=reader)).status_code == 200
        for outsider in (officer(settings, Role.caseworker, ("230722100",)),
                         officer(settings, Role.county_officer, ("230722100",))):
            assert (await client.get("/api/v1/jobs", headers=outsider)).status_code == 403

        # ahead of its time: it runs, as the officer, and its schedule stands
        r = await client.post("/api/v1/jobs/close_notices/run", headers=officer(settings))
        assert r.status_code == 200, r.text
        run = r.json()
        assert (run["outcome"], run["by"]) == ("ok", "county_officer-7")
        assert datetime.fromisoformat(run["next_run_at"]) == due
        assert NOON <= datetime.fromisoformat(run["scheduled_for"]) < due  # its start
        stored = await row(kit, "close_notices")
        assert (stored.last_run_by, stored.next_run_at) == ("county_officer-7", due)

        # a failure by hand answers 200 with the error, and is logged too
        job.fail_next = 1
        r = await client.post("/api/v1/jobs/close_notices/run", headers=officer(settings))
        assert (r.json()["outcome"], r.json()["result"]) == (
            "failed", "RuntimeError: close_notices broke")
        logged = await logged_runs(kit)
        assert [(e["job"], e["outcome"]) for e in logged] == [
            ("close_notices", "ok"), ("close_notices", "failed")]

        r = await client.post("/api/v1/jobs/close_notices/run",
                              headers=officer(settings, Role.city_officer, (CITY,)))
        assert r.status_code == 403
        r = await client.post("/api/v1/jobs/no_such_job/run", headers=officer(settings))
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        r = await client.post("/api/v1/jobs/Bad-Name/run", headers=officer(settings))
        assert r.status_code == 422


async def logged_runs(kit) -> list[dict]:
    import json

    async with kit.sessions() as session:
        payloads = await session.scalars(select(kit.outbox.c.payload).where(
            kit.outbox.c.event_type.endswith("scheduled_job_run")).order_by(kit.outbox.c.id))
        return [json.loads(p)["data"] for p in payloads.all()]


def test_a_service_without_jobs_mounts_no_jobs_api(make_settings) -> None:
    paths: Callable[[Any], set[str]] = lambda app: set(app.openapi()["paths"])  # noqa: E731
    settings = make_settings("approval")
    without = dataclasses.replace(APPROVAL, jobs=[])
    assert "/api/v1/jobs" not in paths(create_service_app(without, settings))
    with_jobs = approval_with(Recorder("close_notices"), settings=settings)
    assert {"/api/v1/jobs", "/api/v1/jobs/{name}/run"} <= paths(with_jobs)
