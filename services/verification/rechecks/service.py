"""Rules of re-check tasks (复核, R-DY-2): opened from approval's ``recheck_requested``, done by
a team of two township staff at least (as R-VE-1), the household as found recorded by one of
them and sent back to approval as ``recheck_completed``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.investigations.service import INVESTIGATOR_ROLES, check_team
from services.verification.rechecks.models import RecheckTask, RecheckTaskStatus
from services.verification.recusals import service as recusals
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import RecheckRequested
from shared.contracts.verification import (
    AssetLine,
    ExpenditureLine,
    IncomeLine,
    RecheckCompleted,
    RecheckMember,
    RecheckOpened,
    RecheckTeamAssigned,
    StaffMember,
    VillageHelper,
)
from shared.db import where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, Forbidden, InvalidField
from shared.records import get_in_jurisdiction

TASKS = Keyset("recheck_tasks", RecheckTask.due_on.asc(), RecheckTask.id.asc())
"""The order of the re-check work list and its cursors: the nearest due day first."""


async def open_task(session: AsyncSession, requested: RecheckRequested) -> RecheckTask:
    """Put approval's re-check into the township's work list, once per re-check."""
    existing = await session.scalar(
        select(RecheckTask).where(RecheckTask.recheck_id == requested.recheck_id))
    if existing is not None:
        return existing
    task = RecheckTask(
        id=new_id(), recheck_id=requested.recheck_id, beneficiary_id=requested.beneficiary_id,
        case_id=requested.case_id, application_id=requested.application_id,
        application_number=requested.application_number, program=str(requested.program),
        division=requested.division, head_name_masked=requested.head_name_masked,
        household_size=requested.household_size,
        members=[m.model_dump(mode="json") for m in requested.members],
        monthly_fen=requested.monthly_fen, due_on=requested.due_on,
        frequency_months=requested.frequency_months, reasons=list(requested.reasons),
        status=RecheckTaskStatus.open, opened_at=now_of(session))
    session.add(task)
    await session.flush()
    await emit(session, RecheckOpened(
        task_id=task.id, recheck_id=task.recheck_id, beneficiary_id=task.beneficiary_id,
        application_id=task.application_id, program=requested.program, division=task.division,
        due_on=task.due_on), subject=task.id, division=task.division)
    return task


async def task_for_work(session: AsyncSession, *, user: User, task_id: str) -> RecheckTask:
    """An open task of the user's township, the user not recused from its household (R-AP-8)."""
    task = await get_task(session, user=user, task_id=task_id, for_update=True)
    if user.role not in INVESTIGATOR_ROLES:
        raise Forbidden("re-checks are done by the township's caseworkers and leaders")
    await recusals.require_not_recused(session, application_id=task.application_id, user=user)
    if task.status != RecheckTaskStatus.open:
        raise Conflict(f"re-check task {task_id} is {task.status}", field="task_id")
    return task


async def assign_team(
    session: AsyncSession, *, user: User, task_id: str, investigators: Sequence[StaffMember],
    village_helper: VillageHelper | None,
) -> RecheckTask:
    """The re-check's team: two township staff at least (R-VE-1), none recused (R-AP-8)."""
    task = await task_for_work(session, user=user, task_id=task_id)
    check_team(investigators)
    await recusals.refuse_recused(session, application_id=task.application_id,
                                  user_ids=[i.user_id for i in investigators])
    now = now_of(session)
    task.investigators = [i.model_dump(mode="json") for i in investigators]
    task.village_helper = village_helper.model_dump(mode="json") if village_helper else None
    task.team_assigned_at = now
    await session.flush()
    await emit(session, RecheckTeamAssigned(
        task_id=task.id, recheck_id=task.recheck_id, investigators=list(investigators),
        village_helper=village_helper, assigned_at=now), subject=task.id, division=task.division)
    return task


def check_result(members: Sequence[RecheckMember], income: Sequence[IncomeLine],
                 rigid_expenditure: Sequence[ExpenditureLine]) -> None:
    """Lines name members of the household as found (422 naming the line otherwise)."""
    ids = [m.member_id for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidField("members", "a member is listed twice")
    named = [("income", n, line.member_id) for n, line in enumerate(income)] + [
        ("rigid_expenditure", n, line.member_id) for n, line in enumerate(rigid_expenditure)]
    for name, n, member_id in named:
        if member_id is not None and member_id not in ids:
            raise InvalidField(f"{name}.{n}.member_id", f"{member_id} is not a member listed")


async def complete(
    session: AsyncSession, *, user: User, task_id: str, visited_on: date,
    members: Sequence[RecheckMember], income: Sequence[IncomeLine],
    assets: Sequence[AssetLine], rigid_expenditure: Sequence[ExpenditureLine],
    unsteady_income: bool, long_lived_in_border_county: bool, findings: str,
) -> RecheckTask:
    """R-DY-2: one of the team records the household as found; the task is done and approval
    gets ``recheck_completed`` (it records the result and proposes the change, R-DY-3)."""
    task = await task_for_work(session, user=user, task_id=task_id)
    team = [StaffMember.model_validate(i) for i in task.investigators or ()]
    if not team:
        raise Conflict("assign the re-check's team first (R-VE-1)", field="task_id")
    if user.user_id not in {i.user_id for i in team}:
        raise Forbidden("only a member of the re-check's team records its result")
    today = today_of(session)
    if visited_on > today:
        raise InvalidField("visited_on", "is in the future")
    check_result(members, income, rigid_expenditure)
    now = now_of(session)
    found: dict[str, Any] = {
        "members": [m.model_dump(mode="json") for m in members],
        "income": [i.model_dump(mode="json") for i in income],
        "assets": [a.model_dump(mode="json") for a in assets],
        "rigid_expenditure": [e.model_dump(mode="json") for e in rigid_expenditure],
        "long_lived_in_border_county": long_lived_in_border_county}
    task.status, task.visited_on, task.result = RecheckTaskStatus.completed, visited_on, found
    task.unsteady_income, task.findings = unsteady_income, findings
    task.completed_by, task.completed_at = user.user_id, now
    await session.flush()
    await emit(session, RecheckCompleted(
        task_id=task.id, recheck_id=task.recheck_id, beneficiary_id=task.beneficiary_id,
        application_id=task.application_id,
        program=task.program,
        division=task.division, visited_on=visited_on, investigators=team,
        members=list(members), income=list(income), assets=list(assets),
        rigid_expenditure=list(rigid_expenditure), unsteady_income=unsteady_income,
        long_lived_in_border_county=long_lived_in_border_county, findings=findings,
        completed_by=user.user_id, completed_at=now), subject=task.id, division=task.division)
    return task


async def get_task(
    session: AsyncSession, *, user: User, task_id: str, for_update: bool = False
) -> RecheckTask:
    return await get_in_jurisdiction(session, RecheckTask, task_id, user=user,
                                     missing=f"no re-check task {task_id}",
                                     for_update=for_update)


async def list_tasks(
    session: AsyncSession, *, user: User, today: date,
    status: RecheckTaskStatus | None = None, overdue: bool | None = None,
    division: str | None = None, beneficiary_id: str | None = None,
    window: Window | None = None,
) -> Sequence[RecheckTask]:
    """The re-check work list inside the user's jurisdiction, the nearest due day first;
    ``overdue``: open past its due day (R-DY-2)."""
    query = select(RecheckTask).where(user.jurisdiction(RecheckTask.division))
    query = where_given(query, (RecheckTask.status, status),
                        (RecheckTask.beneficiary_id, beneficiary_id))
    if division is not None:
        query = query.where(RecheckTask.division.startswith(division))
    if overdue is not None:
        late = and_(RecheckTask.status == RecheckTaskStatus.open, RecheckTask.due_on < today)
        query = query.where(late if overdue else not_(late))
    query = (window or Window(TASKS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
