"""Events every service emits under its own name (``assist.<service>.<event>``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import ANY_SERVICE, EventContract


class KitEvent(EventContract):
    service: ClassVar[str] = ANY_SERVICE


class OperationRecorded(KitEvent):
    """A staff request that wrote no domain event: a read (2xx) or a refusal for role or
    jurisdiction (403) (R-AU-1). The subject is the record of the path, else the route; the
    division is the caller's first."""

    event: ClassVar[str] = "operation_recorded"
    method: str
    path: str
    route: str
    query: str
    status: int
    subject: str


class DeadLetterRedriven(KitEvent):
    """An operator ran a parked event through the consumer again (shared.dead_letters)."""

    event: ClassVar[str] = "dead_letter_redriven"
    dead_letter_id: int
    event_id: str
    event_type: str
    outcome: Literal["applied", "already_handled", "failed"]
    error: str | None = Field(None, description="why it failed again")
    parked_at: AwareDatetime


class ScheduledJobRun(KitEvent):
    """An operator ran a scheduled job by hand (shared.scheduler): what it did or why it
    failed. The subject is the job's name. Runs on the schedule are recorded with the job, not
    as events."""

    event: ClassVar[str] = "scheduled_job_run"
    job: str
    outcome: Literal["ok", "failed"]
    result: str | None = Field(None, description="the job's account of its run, or the error")
    scheduled_for: AwareDatetime = Field(
        description="the due run it stood for, or when it was started ahead of it")
    started_at: AwareDatetime
    finished_at: AwareDatetime
    next_run_at: AwareDatetime
