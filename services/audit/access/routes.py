"""Who read the log: thin endpoint, rules in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.audit.access import service
from services.audit.access.schemas import LogAccessOut
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Page, SearchText, paging
from shared.service import DbSession

router = APIRouter(prefix="/audit", tags=["audit"])

Overseer = Annotated[User, Depends(allow(Role.auditor, Role.city_officer))]
LogPaging = Annotated[Page, paging(max_limit=1000)]


@router.get("/access", response_model=list[LogAccessOut], responses=PAGED,
            summary="Who read, searched, verified or exported the log, newest first (R-AU-1)",
            description="Reads of the operation log are kept beside it, append-only, rather "
            "than in the chain they read. Filter by the reader's user id.")
async def log_access(
    session: DbSession, user: Overseer, page: LogPaging,
    user_id: Annotated[SearchText | None, Query(alias="user",
                                                description="reader's user id")] = None,
) -> list[LogAccessOut]:
    rows = await service.list_log_access(session, user=user, user_id=user_id,
                                         window=page.window(service.LOG_ACCESS))
    return [LogAccessOut.model_validate(r) for r in page.finish(rows, service.LOG_ACCESS)]
