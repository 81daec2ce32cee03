"""Audit service (操作日志): the immutable, hash-chained log of every event, its search,
verification and export (rule book R-AU)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.audit.access.routes import router as access_router
from services.audit.access.service import record_log_access
from services.audit.checkpoints.courier import CheckpointCourier
from services.audit.checkpoints.routes import router as checkpoints_router
from services.audit.checkpoints.service import checkpoint_job
from services.audit.db import Base, inbox, outbox
from services.audit.inspection.routes import router as inspection_router
from services.audit.log import handlers as log_handlers
from services.audit.log.routes import router as log_router
from shared.scheduler import Every, Job
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

CHECKPOINT_INTERVAL = timedelta(hours=1)
"""How often the log signs a checkpoint on its own (R-AU-2); more on demand."""

SPEC = ServiceSpec(
    name="audit",
    title="Audit (操作日志)",
    description="The operation log: every event appended once to a SHA-256 hash chain that the "
    "database refuses to update or delete; search by case, person, user, action and time, "
    "personal data masked (the full value to an auditor, that read logged), verification, the "
    "verification report and the JSON Lines export with its signed checkpoint (rule book "
    "R-AU-1..3, R-SE-2).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[log_router, access_router, inspection_router, checkpoints_router],
    every_event=log_handlers.append_event,
    record_operation=record_log_access,
    workers=[CheckpointCourier],
    jobs=[Job("audit_checkpoint", checkpoint_job, Every(CHECKPOINT_INTERVAL),
              description="sign a checkpoint of the log's Merkle tree and send it out (R-AU-2)")],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.audit.app:create_app``."""
    return create_service_app(SPEC, settings)
