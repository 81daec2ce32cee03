"""Re-check task endpoints (复核, R-DY-2): thin, the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.verification.rechecks import service
from services.verification.rechecks.models import RecheckTask, RecheckTaskStatus
from services.verification.rechecks.schemas import (
    RecheckResultIn,
    RecheckTaskOut,
    RecheckTeamIn,
)
from shared.auth import Role, User, allow
from shared.contracts.verification import (
    AssetLine,
    ExpenditureLine,
    IncomeLine,
    RecheckMember,
    StaffMember,
    VillageHelper,
)
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/rechecks", tags=["rechecks"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Worker = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]


def out(task: RecheckTask, today: date) -> RecheckTaskOut:
    overdue = task.status == RecheckTaskStatus.open and task.due_on < today
    return RecheckTaskOut.model_validate(task).model_copy(update={"overdue": overdue})


@router.get("", response_model=list[RecheckTaskOut], responses=PAGED,
            summary="Re-check tasks (R-DY-2)",
            description="Approval's re-checks of beneficiaries in your divisions, the nearest "
            "due day first; `overdue=true`: open past the due day.")
async def list_tasks(
    session: DbSession, user: Reader, page: Paging, today: Today,
    status: RecheckTaskStatus | None = None, division: DivisionCode | None = None,
    beneficiary_id: RecordId | None = None,
    overdue: Annotated[bool | None, Query(description="true: open past the due day")] = None,
) -> list[RecheckTaskOut]:
    rows = await service.list_tasks(session, user=user, today=today, status=status,
                                    overdue=overdue, division=division,
                                    beneficiary_id=beneficiary_id,
                                    window=page.window(service.TASKS))
    return [out(t, today) for t in page.finish(rows, service.TASKS)]


@router.get("/{task_id}", response_model=RecheckTaskOut, summary="One re-check task",
            description="One re-check task (复核, R-DY-2) of a beneficiary on the roll: its due "
            "day and whether it is overdue, its team and, once done, the household as found. "
            "404 if there is none or if it lies outside your divisions.")
async def get_task(session: DbSession, user: Reader, today: Today, task_id: RecordId
                   ) -> RecheckTaskOut:
    return out(await service.get_task(session, user=user, task_id=task_id), today)


@router.put("/{task_id}/team", response_model=RecheckTaskOut,
            summary="Assign the re-check's team (R-VE-1)",
            description="Two township staff at least (422 `rule-violation` R-VE-1), none with a "
            "near relative in the household (403 `near-relative-recusal`, R-AP-8); a new team "
            "replaces the last while the task is open. Emits `recheck_team_assigned`.")
async def assign_team(session: DbSession, user: Worker, today: Today, task_id: RecordId,
                      body: RecheckTeamIn) -> RecheckTaskOut:
    task = await service.assign_team(
        session, user=user, task_id=task_id,
        investigators=[StaffMember(**i.model_dump()) for i in body.investigators],
        village_helper=VillageHelper(**body.village_helper.model_dump())
        if body.village_helper else None)
    return out(task, today)


@router.post("/{task_id}/result", response_model=RecheckTaskOut,
             summary="Record the re-check's result (R-DY-2)",
             description="One of the team records the household as found: members and their "
             "facts, income per month, assets, rigid expenditure, whether income is unsteady, "
             "the findings. The task is done and approval gets `recheck_completed`: it records "
             "the result on the roll, renews the re-check schedule and proposes the change the "
             "benefit rules give (R-DY-3), for a township leader to confirm. 409 without a team "
             "or once done; 403 for someone not on the team.", dependencies=[Idempotent])
async def record_result(session: DbSession, user: Worker, today: Today, task_id: RecordId,
                        body: RecheckResultIn) -> RecheckTaskOut:
    task = await service.complete(
        session, user=user, task_id=task_id, visited_on=body.visited_on,
        members=[RecheckMember(**m.model_dump()) for m in body.members],
        income=[IncomeLine(**i.model_dump()) for i in body.income],
        assets=[AssetLine(**a.model_dump()) for a in body.assets],
        rigid_expenditure=[ExpenditureLine(**e.model_dump()) for e in body.rigid_expenditure],
        unsteady_income=body.unsteady_income,
        long_lived_in_border_county=body.long_lived_in_border_county, findings=body.findings)
    return out(task, today)
