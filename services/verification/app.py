"""Verification service (调查核对): investigations, visits, letters, cross-checks, doubts."""

from __future__ import annotations

from fastapi import FastAPI

from services.verification.db import Base, inbox, outbox
from services.verification.doubts.routes import router as doubts_router
from services.verification.evidence.routes import router as evidence_router
from services.verification.forms.routes import router as forms_router
from services.verification.investigations import handlers as investigation_handlers
from services.verification.investigations.routes import router as investigations_router
from services.verification.letters.routes import router as letters_router
from services.verification.visits.routes import router as visits_router
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="verification",
    title="Verification (调查核对)",
    description="Household investigations in pairs, neighbour visits, letters, delegations, "
    "data cross-checks and doubts (rule book R-VE).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[investigations_router, forms_router, visits_router, letters_router, doubts_router,
             evidence_router],
    handlers={**investigation_handlers.HANDLERS},
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.verification.app:create_app``."""
    return create_service_app(SPEC, settings)
