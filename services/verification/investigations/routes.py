"""Investigation endpoints: thin, the rules are in service.py and completion.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.verification.forms import service as forms
from services.verification.investigations import completion, service
from services.verification.investigations.models import Investigation, InvestigationStatus
from services.verification.investigations.schemas import (
    CompletionIn,
    InvestigationDetailOut,
    InvestigationOut,
    InvestigatorOut,
    MemberOut,
    StaffId,
    TeamIn,
    VillageHelperOut,
)
from shared.auth import Role, User, allow
from shared.contracts.verification import StaffMember, VillageHelper
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["investigations"])

READERS = (Role.caseworker, Role.township_leader, Role.county_officer, Role.city_officer,
           Role.auditor)
Reader = Annotated[User, Depends(allow(*READERS))]
Worker = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]
"""Township staff: they investigate in their township (R-VE-1, R-SE-1)."""

Overdue = Annotated[bool | None, Query(description="true: open past the review period "
                                       "(`review_due_on`, R-AP-7); false: within it")]


def out(investigation: Investigation) -> InvestigationOut:
    overdue = service.is_overdue(investigation, today=today_in_shanghai())
    return InvestigationOut.model_validate(investigation).model_copy(update={"overdue": overdue})


async def detail(session: DbSession, investigation: Investigation) -> InvestigationDetailOut:
    form = await forms.current_form(session, investigation.id)
    helper = (VillageHelperOut(name=investigation.village_helper_name,
                               title=investigation.village_helper_title or "")
              if investigation.village_helper_name else None)
    return InvestigationDetailOut(
        **out(investigation).model_dump(),
        members=[MemberOut.model_validate(m)
                 for m in await service.members_of(session, investigation.id)],
        investigators=[InvestigatorOut.model_validate(i)
                       for i in await service.team_of(session, investigation.id)],
        village_helper=helper, form_version=form.version if form is not None else None,
        check_summary=service.check_summary_of(investigation), findings=investigation.findings,
        blockers=await completion.blockers_of(session, investigation),
    )


@router.get("/investigations", response_model=list[InvestigationOut], responses=PAGED,
            summary="Investigations in your jurisdiction",
            description="The household investigations opened for accepted applications (one "
            "each, R-VE-1), newest first, filtered by status, application, program, division "
            "(and what lies below it), the day opened, `overdue` and `investigator` (a user "
            "id: their work list); only those inside your divisions (R-SE-1). Closed ones "
            "(the application ended) are out of the work list: filter `status=open`. The read "
            "is recorded in the operation log (R-AU-1).")
async def list_investigations(
    session: DbSession, user: Reader, page: Paging,
    status: InvestigationStatus | None = None, application_id: RecordId | None = None,
    program: Program | None = None, division: DivisionCode | None = None,
    opened_from: CivilDate | None = None, opened_to: CivilDate | None = None,
    overdue: Overdue = None,
    investigator: StaffId | None = None,
) -> list[InvestigationOut]:
    rows = await service.list_investigations(
        session, user=user, today=today_in_shanghai(), status=status,
        application_id=application_id, program=program, division=division,
        opened_from=opened_from, opened_to=opened_to, overdue=overdue,
        investigator=investigator, window=page.window(service.INVESTIGATIONS))
    return [out(r) for r in page.finish(rows, service.INVESTIGATIONS)]


@router.get("/investigations/{investigation_id}", response_model=InvestigationDetailOut,
            summary="One investigation",
            description="One household investigation: its household (ID numbers masked, "
            "R-SE-2), team and village helper (R-VE-1), the newest form version, the "
            "cross-checks' summary (R-VE-4) and `blockers`: what keeps it from completing, "
            "each with its rule. 404 if there is none or if it lies outside your divisions.")
async def get_investigation(
    session: DbSession, user: Reader, investigation_id: RecordId
) -> InvestigationDetailOut:
    investigation = await service.get_investigation(session, user=user,
                                                    investigation_id=investigation_id)
    return await detail(session, investigation)


@router.put("/investigations/{investigation_id}/investigators",
            response_model=InvestigationDetailOut,
            summary="Assign the investigators (R-VE-1)",
            description="Sets the team: two township staff at least (caseworkers or township "
            "leaders, by user id and name), with the village committee's helper. Each of them "
            "later confirms the form with their own token. The same team again changes "
            "nothing; another team replaces it only while nobody has confirmed the newest "
            "version of the form (409 then). 422 `rule-violation` (R-VE-1) for fewer than "
            "two; 409 when the investigation is no longer open.")
async def assign_investigators(
    session: DbSession, user: Worker, investigation_id: RecordId, body: TeamIn
) -> InvestigationDetailOut:
    await service.assign_team(
        session, user=user, investigation_id=investigation_id,
        investigators=[StaffMember(**i.model_dump()) for i in body.investigators],
        village_helper=VillageHelper(**body.village_helper.model_dump()))
    investigation = await service.get_investigation(session, user=user,
                                                    investigation_id=investigation_id)
    return await detail(session, investigation)


@router.post("/investigations/{investigation_id}/complete", response_model=InvestigationDetailOut,
             summary="Complete the investigation",
             description="With the investigators' findings, completes the investigation and "
             "publishes `investigation_completed` (the checked income by item, assets, "
             "findings, doubts and their outcomes, the checks' summary) for approval. Refused, "
             "422 `rule-violation` listing every `blockers` entry, until two investigators or "
             "more are assigned and each confirmed the newest form version, the household "
             "confirmed it (R-VE-1), every letter is answered or recorded unanswered (R-VE-2), "
             "every doubt is resolved (R-VE-5) and no check source is pending (R-VE-4). 409 "
             "when it is no longer open. Send `Idempotency-Key` to retry safely.",
             dependencies=[Idempotent])
async def complete_investigation(
    session: DbSession, user: Worker, investigation_id: RecordId, body: CompletionIn
) -> InvestigationDetailOut:
    investigation = await completion.complete_investigation(
        session, user=user, investigation_id=investigation_id, findings=body.findings)
    return await detail(session, investigation)
