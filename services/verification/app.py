"""Verification service (调查核对): investigations, visits, letters, cross-checks, doubts."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks import handlers as check_handlers
from services.verification.checks.routes import router as checks_router
from services.verification.checks.runner import CheckRunner
from services.verification.db import Base, inbox, outbox
from services.verification.delegations import handlers as delegation_handlers
from services.verification.delegations.courier import DelegationCourier
from services.verification.delegations.routes import requests_router as delegate_router
from services.verification.delegations.routes import router as delegations_router
from services.verification.doubts.routes import router as doubts_router
from services.verification.evidence.routes import router as evidence_router
from services.verification.forms.routes import router as forms_router
from services.verification.investigations import handlers as investigation_handlers
from services.verification.investigations.routes import router as investigations_router
from services.verification.letters.routes import router as letters_router
from services.verification.rechecks import handlers as recheck_handlers
from services.verification.rechecks.routes import router as rechecks_router
from services.verification.recusals import handlers as recusal_handlers
from services.verification.visits.routes import router as visits_router
from shared import direct
from shared.contracts.intake import ApplicationAccepted
from shared.events import Envelope
from shared.inbox import prepared_by
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings


@prepared_by(investigation_handlers.read_accepted)
async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """An accepted application needs its household investigation (R-VE-1); the counted
    members' ID numbers are kept sealed for the cross-checks (R-VE-4)."""
    writes = direct.Writes()  # the investigation's rows and the subjects' go together
    investigation_id, opened = await investigation_handlers.open_once_for(session, accepted,
                                                                          into=writes)
    await check_handlers.record_subjects_of(session, investigation_id, accepted, opened=opened,
                                            into=writes)
    await writes.send(session)


SPEC = ServiceSpec(
    name="verification",
    title="Verification (调查核对)",
    description="Household investigations in pairs, neighbour visits, letters, delegations, "
    "data cross-checks and doubts (rule book R-VE).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[investigations_router, forms_router, visits_router, letters_router, doubts_router,
             evidence_router, checks_router, delegate_router, delegations_router,
             rechecks_router],
    handlers={**investigation_handlers.HANDLERS, ApplicationAccepted: on_application_accepted,
              **delegation_handlers.HANDLERS, **recusal_handlers.HANDLERS,
              **recheck_handlers.HANDLERS},
    workers=[CheckRunner, DelegationCourier],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.verification.app:create_app``."""
    return create_service_app(SPEC, settings)
