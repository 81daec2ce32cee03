"""One record by id, inside the caller's jurisdiction: the read every service repeats."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import User
from shared.problems import NotFound


class InDivision(Protocol):
    id: Any
    division: Any


R = TypeVar("R", bound=InDivision)


async def get_in_jurisdiction(
    session: AsyncSession, model: type[R], record_id: str, *, user: User, missing: str,
    for_update: bool = False,
) -> R:
    """The ``model`` row ``record_id`` (locked for update if asked): 404 with ``missing`` if
    there is none, and the same 404 if its ``division`` lies outside the user's divisions
    (R-SE-1, ``User.require_record``: never confirm it exists)."""
    query = select(model).where(model.id == record_id)
    record = await session.scalar(query.with_for_update() if for_update else query)
    if record is None:
        raise NotFound(missing)
    user.require_record(record.division, missing)
    return record
