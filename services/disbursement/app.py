"""Disbursement service (资金发放): the payment basis, later ledgers, rosters and payments."""

from __future__ import annotations

from fastapi import FastAPI

from services.disbursement.accounts import handlers as account_handlers
from services.disbursement.accounts.routes import router as accounts_router
from services.disbursement.bank_files.routes import router as bank_files_router
from services.disbursement.beneficiaries import handlers as beneficiary_handlers
from services.disbursement.beneficiaries.routes import router as payees_router
from services.disbursement.db import Base, inbox, outbox
from services.disbursement.months.jobs import JOBS as MONTH_JOBS
from services.disbursement.months.routes import router as months_router
from services.disbursement.payments import handlers as payment_handlers
from services.disbursement.payments.routes import router as payments_router
from services.disbursement.proxies.routes import router as proxies_router
from services.disbursement.reconciliation.routes import router as reconciliation_router
from services.disbursement.reports.routes import router as reports_router
from services.disbursement.reserves.routes import router as reserves_router
from services.disbursement.staff import handlers as staff_handlers
from shared.inbox import combine_handlers
from shared.service import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="disbursement",
    title="Disbursement (资金发放)",
    description="The payment basis kept from approval's confirmed decisions; later ledgers, "
    "rosters, bank payments and reconciliations (rule book R-DI).",
    metadata=Base.metadata,
    outbox=outbox,
    inbox=inbox,
    routers=[payees_router, bank_files_router, reconciliation_router, months_router,
             payments_router, accounts_router, proxies_router, reserves_router, reports_router],
    handlers=combine_handlers(beneficiary_handlers.HANDLERS, account_handlers.HANDLERS,
                              staff_handlers.HANDLERS, payment_handlers.HANDLERS),
    jobs=[*MONTH_JOBS],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """App factory: ``uvicorn --factory services.disbursement.app:create_app``."""
    return create_service_app(SPEC, settings)
