"""Intake service (受理): applications, households and members, materials and notices."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.applications import handlers as application_handlers
from services.intake.applications.routes import router as applications_router
from services.intake.db import Base, inbox, outbox
from services.intake.divisions.routes import router as divisions_router
from services.intake.emergency.routes import router as emergency_router
from services.intake.materials.routes import router as programs_router
from services.intake.recipients import handlers as recipient_handlers
from services.intake.referrals.routes import router as referrals_router
from services.intake.staff.routes import router as staff_router
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="intake",
    title="Intake (受理)",
    description="One window for every program: referrals of people in need, applications with "
    "their household, material checklists and the one-time notice, acceptance and review "
    "deadlines (rule book R-IN).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[applications_router, emergency_router, referrals_router, programs_router,
             divisions_router, staff_router],
    handlers={**application_handlers.HANDLERS, **recipient_handlers.HANDLERS},
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.intake.app:create_app``."""
    return create_service_app(SPEC, settings)
