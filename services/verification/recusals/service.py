"""Recusal in the investigation (回避, R-AP-8): a staff member whose near relative is in the
household takes no part in its investigation.

Approval flags the case (``case_flagged_near_relative``); verification keeps the recused staff
per application and refuses them (403 ``near-relative-recusal``) wherever a user reaches one
investigation (``investigations.service.get_investigation`` and ``investigation_for_work``,
which every step goes through) and as investigators of a team. A flag that arrives after the
team was assigned takes the recused member off the team: with fewer than two left the
investigation needs a new team before it can complete (R-VE-1), and the recused member's
confirmation of the form no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations.models import (
    Investigation,
    InvestigationStatus,
    Investigator,
)
from services.verification.recusals.models import Recusal
from shared.auth import User
from shared.clock import now_of
from shared.contracts.approval import CaseFlaggedNearRelative
from shared.contracts.verification import InvestigatorRecused
from shared.outbox import emit
from shared.problems import NearRelativeRecusal

MIN_INVESTIGATORS = 2
"""R-VE-1, as ``investigations.service.MIN_INVESTIGATORS``."""


async def recused_of(session: AsyncSession, application_id: str) -> set[str]:
    """The staff recused from this application's investigation."""
    return set((await session.scalars(select(Recusal.staff_user_id).where(
        Recusal.application_id == application_id))).all())


async def require_not_recused(session: AsyncSession, *, application_id: str, user: User
                              ) -> None:
    """R-AP-8 回避: 403 ``near-relative-recusal`` for a staff member whose near relative is in
    this application's household."""
    await refuse_recused(session, application_id=application_id, user_ids=[user.user_id],
                         caller=True)


async def refuse_recused(session: AsyncSession, *, application_id: str,
                         user_ids: Iterable[str], caller: bool = False) -> None:
    """R-AP-8: 403 ``near-relative-recusal`` if any of ``user_ids`` is recused (a team, say)."""
    ids = list(user_ids)
    recused = sorted(set((await session.scalars(select(Recusal.staff_user_id).where(
        Recusal.application_id == application_id, Recusal.staff_user_id.in_(ids)))).all()))
    if not recused:
        return
    who = "you" if caller else ", ".join(recused)
    raise NearRelativeRecusal(
        f"a near relative of {who} is in the household of application {application_id}: "
        "no part in its investigation (R-AP-8)", application_id=application_id,
        recused=recused)


async def record_flag(session: AsyncSession, flagged: CaseFlaggedNearRelative) -> None:
    """Keep the staff recused from the application; take them off an open investigation's
    team if they are on it (R-AP-8)."""
    known = await recused_of(session, flagged.application_id)
    new = [s for s in flagged.staff_user_ids if s not in known]
    session.add_all(Recusal(application_id=flagged.application_id, staff_user_id=s,
                            case_id=flagged.case_id, flagged_at=flagged.flagged_at)
                    for s in new)
    await session.flush()
    investigation = await session.scalar(select(Investigation).where(
        Investigation.application_id == flagged.application_id,
        Investigation.status == InvestigationStatus.open)
        .order_by(Investigation.opened_at.desc(), Investigation.id.desc()).limit(1))
    if investigation is None:  # none open: after an objection a new one may open later
        return
    team = list((await session.scalars(select(Investigator).where(
        Investigator.investigation_id == investigation.id)
        .order_by(Investigator.assigned_at, Investigator.user_id))).all())
    recused = set(flagged.staff_user_ids)
    for member in [m for m in team if m.user_id in recused]:
        await _take_off_team(session, investigation, member,
                             left=[m.user_id for m in team if m.user_id not in recused])


async def _take_off_team(session: AsyncSession, investigation: Investigation,
                         member: Investigator, *, left: list[str]) -> None:
    now = now_of(session)
    recusal = await session.get(Recusal, (investigation.application_id, member.user_id))
    assert recusal is not None
    recusal.removed_from = investigation.id
    recusal.removed_at = now
    await session.delete(member)
    await session.flush()
    await emit(session, InvestigatorRecused(
        investigation_id=investigation.id, application_id=investigation.application_id,
        user_id=member.user_id, staff_name=member.name, team=left,
        needs_new_team=len(left) < MIN_INVESTIGATORS, recused_at=now,
    ), subject=investigation.id, division=investigation.division)

