"""The operators' API of a service's scheduled jobs: list them, run one now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from shared.auth import Role, User, allow
from shared.scheduler.runner import JobRun, JobState, Scheduler

Operator = Annotated[User, Depends(allow(Role.county_officer))]
Reader = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer, Role.auditor))]
JobName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["close_notices"])]


class JobOut(BaseModel):
    name: str
    description: str
    schedule: str = Field(examples=["daily at 00:05:00 Asia/Shanghai"])
    catch_up: Literal["once", "each"] = Field(
        description="after the service was down: run once, or once per missed run")
    next_run_at: datetime
    running: bool = Field(description="a run holds the lease now")
    late: bool = Field(description="due for longer than the scheduler should take")
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_outcome: Literal["ok", "failed"] | None
    last_result: str | None = Field(description="the job's account of its run, or the error")
    last_run_by: str | None = Field(description="system:<service>, or who ran it by hand")
    runs: int
    failures: int = Field(description="failed runs in a row")
    lease_owner: str | None
    lease_until: datetime | None


class JobRunOut(BaseModel):
    name: str
    outcome: Literal["ok", "failed"]
    result: str | None
    scheduled_for: datetime = Field(
        description="the due run it stood for, or when it was started ahead of it")
    started_at: datetime
    finished_at: datetime
    next_run_at: datetime
    by: str


def _scheduler(request: Request, user: User) -> Scheduler:
    """Jobs are the installation's: only users over the whole county see or run them."""
    kit = request.app.state.kit
    user.require_access(kit.county)
    scheduler: Scheduler = kit.scheduler
    return scheduler


def _job_out(state: JobState) -> dict[str, Any]:
    row = state.row
    kept = {key: getattr(row, key) if row is not None else None for key in (
        "last_started_at", "last_finished_at", "last_outcome", "last_result", "last_run_by",
        "lease_owner", "lease_until")}
    return {"name": state.job.name, "description": state.job.description,
            "schedule": state.job.schedule.describe(), "catch_up": state.job.catch_up,
            "next_run_at": state.next_run_at, "running": state.running, "late": state.late,
            "runs": row.runs if row is not None else 0,
            "failures": row.failures if row is not None else 0, **kept}


router = APIRouter(prefix="/jobs", tags=["scheduled jobs"])


@router.get("", response_model=list[JobOut], summary="This service's scheduled jobs",
            description="Each job with its schedule, next run, last run and result, and the "
            "lease of a run going on. Needs a token over the whole county.")
async def list_jobs(request: Request, user: Reader) -> list[dict[str, Any]]:
    return [_job_out(state) for state in await _scheduler(request, user).states()]


@router.post("/{name}/run", response_model=JobRunOut, summary="Run a job now",
             description="Runs the job at once, due or not, as the caller, and answers with the "
             "run (a failure is `outcome: failed` with the error, rolled back). A due job's "
             "next run moves on as after a scheduled run; a job run ahead of time keeps its "
             "schedule. 409 while a run of it holds the lease (here or on another replica). "
             "Every run by hand is logged as `scheduled_job_run`.")
async def run_job(request: Request, user: Operator, name: JobName) -> JobRun:
    return await _scheduler(request, user).run_now(name)
