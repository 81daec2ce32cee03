"""Approval service (审核确认): review cases, opinions, confirmation, public notice, decisions."""

from __future__ import annotations

from fastapi import FastAPI

from services.approval.calculations.routes import router as calculations_router
from services.approval.cases import handlers as case_handlers
from services.approval.cases.routes import router as cases_router
from services.approval.db import Base, inbox, outbox
from services.approval.deadlines.routes import router as deadlines_router
from services.approval.decisions import handlers as decision_handlers
from services.approval.decisions.routes import router as decisions_router
from services.approval.notices.jobs import CLOSE_NOTICES
from services.approval.notices.public_routes import router as public_router
from services.approval.notices.routes import router as notices_router
from services.approval.policy.routes import router as policy_router
from services.approval.relatives.routes import router as relatives_router
from services.approval.roll import handlers as roll_handlers
from services.approval.roll.jobs import JOBS as ROLL_JOBS
from services.approval.roll.routes import router as roll_router
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="approval",
    title="Approval (审核确认)",
    description="Review cases at the township against the R-AP-7 deadline; later the initial "
    "opinion, four-eyes confirmation, public notice and decisions (rule book R-AP).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[decisions_router, cases_router, policy_router, calculations_router,
             deadlines_router, roll_router, notices_router,
             relatives_router],  # decisions first: /cases/overdue-summary before /cases/{id}
    handlers={**case_handlers.HANDLERS, **decision_handlers.HANDLERS,
              **roll_handlers.HANDLERS},
    jobs=[CLOSE_NOTICES, *ROLL_JOBS],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.approval.app:create_app``."""
    app = create_service_app(SPEC, settings)
    app.include_router(public_router)  # /public/…: the village pages, outside the API, no token
    return app
