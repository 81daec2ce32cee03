"""Complaints service (投诉举报、信访): complaints, the hotline and media cases; the county's
oversight; case references."""

from __future__ import annotations

from fastapi import FastAPI

from services.complaints.case_links import handlers as case_link_handlers
from services.complaints.case_links.routes import router as case_references_router
from services.complaints.complaints.jobs import JOBS as COMPLAINT_JOBS
from services.complaints.complaints.public_routes import router as public_complaints_router
from services.complaints.complaints.routes import router as complaints_router
from services.complaints.db import Base, inbox, outbox
from services.complaints.hotline.routes import router as hotline_router
from services.complaints.media.routes import router as media_router
from services.complaints.monitoring import handlers as monitoring_handlers
from services.complaints.monitoring.routes import router as monitoring_router
from services.complaints.rectification.jobs import JOBS as RECTIFICATION_JOBS
from services.complaints.rectification.routes import router as rectification_router
from services.complaints.spot_checks import handlers as spot_check_handlers
from services.complaints.spot_checks.routes import router as spot_checks_router
from services.complaints.supervision import handlers as supervision_handlers
from services.complaints.supervision.routes import router as supervision_router
from shared.inbox import combine_handlers
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="complaints",
    title="Complaints (投诉举报、信访)",
    description="References to every case any service announced, so complaints can be linked to "
    "them; complaints, reports and petitions, hotline calls and media cases (rule book "
    "R-CO); the county's oversight: spot checks, monitoring, the rectification ledger and the "
    "monthly supervision (R-OV).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[case_references_router, rectification_router, spot_checks_router, monitoring_router,
             supervision_router, complaints_router, hotline_router, media_router],
    # Several modules take the same events (case links take every one): each in turn.
    handlers=combine_handlers(case_link_handlers.HANDLERS, spot_check_handlers.HANDLERS,
                              monitoring_handlers.HANDLERS, supervision_handlers.HANDLERS),
    jobs=[*COMPLAINT_JOBS, *RECTIFICATION_JOBS],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.complaints.app:create_app``."""
    app = create_service_app(SPEC, settings)
    app.include_router(public_complaints_router)  # /public/complaints: no token, no account
    return app
