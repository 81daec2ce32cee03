"""Who read the log: thin endpoint, rules in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.audit.access import service
from services.audit.access.schemas import LogAccessOut
from shared.auth import Role, User, allow
from shared.service import DbSession

router = APIRouter(prefix="/audit", tags=["audit"])

Overseer = Annotated[User, Depends(allow(Role.auditor, Role.city_officer))]


@router.get("/access", response_model=list[LogAccessOut],
            summary="Who read, searched, verified or exported the log, newest first (R-AU-1)",
            description="Reads of the operation log are kept beside it, append-only, rather "
            "than in the chain they read. Filter by the reader's user id.")
async def log_access(
    session: DbSession, user: Overseer,
    user_id: Annotated[str | None, Query(alias="user", description="reader's user id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Annotated[int, Query(ge=0)] = 0,
) -> list[LogAccessOut]:
    rows = await service.list_log_access(session, user=user, user_id=user_id, limit=limit,
                                         offset=offset)
    return [LogAccessOut.model_validate(r) for r in rows]
