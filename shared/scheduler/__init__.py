"""Scheduled jobs of a service (``ServiceSpec.jobs``): run once across replicas under a lease
in the database, caught up after a restart, with their next run, last run and result.

A service declares ``Job(name, run, schedule)`` in its SPEC (``Every``, ``Daily`` or
``Monthly`` from ``shared.scheduler.rules``) and keeps ``scheduled_job_table(metadata)``; the kit
then runs the loop (``kit.scheduler``) and mounts ``/api/v1/jobs``. docs/architecture.md,
"Scheduled jobs", says how.
"""

from shared.scheduler.jobs import Job, JobFunction, scheduled_for, scheduled_job_table
from shared.scheduler.rules import Daily, Every, Monthly, Schedule
from shared.scheduler.runner import JobRun, Scheduler

__all__ = ["Daily", "Every", "Job", "JobFunction", "JobRun", "Monthly", "Schedule",
           "Scheduler", "scheduled_for", "scheduled_job_table"]
