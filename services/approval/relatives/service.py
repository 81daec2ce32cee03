"""Rules of the near-relative register (近亲属备案, R-AP-8): filing, flagging, recusal (回避)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.relatives.models import FlaggedCase, NearRelativeFlag
from shared.auth import User
from shared.problems import NearRelativeRecusal


async def require_no_conflict(session: AsyncSession, *, case_id: str, user: User) -> None:
    """R-AP-8 回避: refuse (403 ``near-relative-recusal``) a staff member who filed a near
    relative in this case's household; call it on every staff step of a case."""
    flagged = await session.scalar(
        select(NearRelativeFlag.id).where(NearRelativeFlag.case_id == case_id,
                                          NearRelativeFlag.staff_user_id == user.user_id)
        .limit(1))
    if flagged is not None:
        raise NearRelativeRecusal(
            f"a near relative you filed is in the household of case {case_id}: you may take no "
            "part in it (R-AP-8)", case_id=case_id)


async def is_flagged(session: AsyncSession, case_id: str) -> bool:
    """R-AP-8: the case's household includes a filed near relative (re-checked every 6 months
    on the roll, R-DY-2)."""
    return await session.scalar(
        select(FlaggedCase.case_id).where(FlaggedCase.case_id == case_id)) is not None
