"""Recording and reading the reads of the log (R-AU-1, R-AU-3)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.access.models import LogAccess
from shared.auth import User
from shared.inputs import Keyset, Window
from shared.operations import Operation

LOG_ACCESS = Keyset("log-access", LogAccess.id.desc())
"""The order of the reads of the log and its cursors: newest first."""


async def record_log_access(session: AsyncSession, operation: Operation) -> None:
    """The audit service's recorder: a row in log_access."""
    session.add(LogAccess(
        at=operation.at, user_id=operation.actor.user_id, role=operation.actor.role,
        division=operation.division, method=operation.method, path=operation.path,
        route=operation.route, query=operation.query, status=operation.status,
        subject=operation.subject, request_id=operation.request_id,
        source_address=operation.source_address,
    ))


async def list_log_access(
    session: AsyncSession, *, user: User, user_id: str | None = None,
    window: Window | None = None,
) -> Sequence[LogAccess]:
    """Reads of the log by staff inside the caller's jurisdiction, newest first
    (:data:`LOG_ACCESS`)."""
    query = select(LogAccess).where(or_(user.jurisdiction(LogAccess.division),
                                        LogAccess.division.is_(None)))
    if user_id:
        query = query.where(LogAccess.user_id == user_id)
    query = (window or Window(LOG_ACCESS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
