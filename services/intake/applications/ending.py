"""The application's end (R-IN-3, and the application's life): refused with a reason code and
text, withdrawn by the applicant, or decided by the township (approval's ``application_decided``).
Each end reaches every service that keeps a part of the application through its event."""

from __future__ import annotations

from datetime import date, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.models import (
    DECIDED,
    OPEN_STATUSES,
    REFUSED,
    WITHDRAWN,
    Application,
)
from services.intake.applications.service import application_facts, load_application
from shared.auth import User
from shared.contracts import intake as contracts
from shared.contracts.approval import ApplicationDecided
from shared.db import utcnow
from shared.inbox import NotYet
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.workdays import today_in_shanghai

log = structlog.get_logger(__name__)


async def refuse_application(
    session: AsyncSession, *, user: User, application_id: str, reason_code: str, reason: str,
    now: datetime | None = None,
) -> Application:
    """Refuse an open application, never without a reason code and text (R-IN-3)."""
    now = now or utcnow()
    if not reason_code.strip():
        raise InvalidField("reason_code", "a refusal needs a reason code (R-IN-3)")
    if not reason.strip():
        raise InvalidField("reason", "a refusal needs the reason in words (R-IN-3)")
    application = await load_application(session, application_id, for_update=True)
    user.require_record(application.division, f"no application {application_id}")
    if application.status not in OPEN_STATUSES:
        raise Conflict(f"application {application.number} is {application.status}, not open")
    previous = application.status
    application.status = REFUSED
    application.refusal_reason_code = reason_code.strip()
    application.refusal_reason = reason.strip()
    application.refused_at = now
    application.refused_by = user.user_id
    await session.flush()
    await emit(session, contracts.ApplicationRefused(
        **application_facts(application), previous_status=previous,
        reason_code=application.refusal_reason_code, reason=application.refusal_reason,
        refused_at=now, refused_on=today_in_shanghai(now),
    ), subject=application.id, division=application.division)
    return application


async def withdraw_application(
    session: AsyncSession, *, user: User, application_id: str, requested_by: str,
    requested_on: date | None, reason: str | None, now: datetime | None = None,
) -> Application:
    """The applicant withdraws (撤回申请): a caseworker records who asked and when; the end
    reaches approval and verification through ``application_withdrawn``."""
    now = now or utcnow()
    today = today_in_shanghai(now)
    application = await load_application(session, application_id, for_update=True)
    user.require_record(application.division, f"no application {application_id}")
    if application.status not in OPEN_STATUSES:
        raise Conflict(f"application {application.number} is {application.status}, not open")
    requested_on = requested_on or today
    if not application.received_on <= requested_on <= today:
        raise InvalidField("requested_on", f"must be between the day the application was "
                           f"received ({application.received_on}) and today ({today})")
    previous = application.status
    application.status = WITHDRAWN
    application.withdrawn_at = now
    application.withdrawn_by = user.user_id
    application.withdrawal_requested_by = requested_by
    application.withdrawal_requested_on = requested_on
    application.withdrawal_reason = reason
    await session.flush()
    await emit(session, contracts.ApplicationWithdrawn(
        **application_facts(application), previous_status=previous, requested_by=requested_by,
        requested_on=requested_on, reason=reason, withdrawn_at=now, withdrawn_on=today,
        recorded_by=user.user_id,
    ), subject=application.id, division=application.division)
    return application


async def record_decision(session: AsyncSession, decided: ApplicationDecided) -> None:
    """The township decided (approval's ``application_decided``): the application ends as
    ``decided``. The first end stands: a decision after a withdrawal or refusal changes nothing
    here (approval closed its case on that end)."""
    application = await session.scalar(
        select(Application).where(Application.id == decided.application_id).with_for_update())
    if application is None:
        raise NotYet(f"no application {decided.application_id} here (yet)")
    if application.status not in OPEN_STATUSES:
        if application.status != DECIDED:
            log.warning("decision_after_end_ignored", application_id=application.id,
                        status=application.status, outcome=decided.outcome)
        return
    application.status = DECIDED
    application.decision = decided.outcome
    application.decided_at = decided.decided_at
    application.decision_case_id = decided.case_id
    application.decision_reason_code = decided.reason_code
    application.decision_reason = decided.reason
