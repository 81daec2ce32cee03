"""Application endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.intake.applications import ending, service
from services.intake.applications.schemas import (
    ApplicationIn,
    ApplicationOut,
    Channel,
    RefusalIn,
    Status,
    WithdrawalIn,
)
from services.intake.applications.service import IntakeOffice
from services.intake.materials.schemas import MaterialsIn
from shared.auth import Role, User, allow
from shared.inputs import PAGED, CivilDate, DivisionCode, Identifier, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(prefix="/applications", tags=["applications"])

Receiver = Annotated[User, Depends(allow(Role.caseworker, Role.village_assistant))]
Caseworker = Annotated[User, Depends(allow(Role.caseworker))]
Refuser = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]
Reader = Annotated[User, Depends(allow(Role.caseworker, Role.village_assistant,
                                       Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


async def intake_office(kit: Kit) -> IntakeOffice:
    settings = kit.settings
    return IntakeOffice(county=settings.county, calendar=kit.calendar,
                        temp_aid_working_days=settings.temp_aid_working_days,
                        paper_backdate_working_days=settings.paper_backdate_working_days,
                        referral_followup_working_days=settings.referral_followup_working_days)


Office = Annotated[IntakeOffice, Depends(intake_office)]


@router.post("", status_code=201, response_model=ApplicationOut,
             summary="Submit an application at any window (R-IN-1)",
             description="Records the application, its household (exactly one head; every ID "
             "number checked, R-IN-4) and the materials handed in, and gives it its number. "
             "With every item of the program's checklist in, it is accepted at once "
             "(`accepted`, with `accepted_on` and `review_due_on`, R-AP-7); otherwise ONE "
             "notice lists every missing item (`awaiting_materials`, R-IN-3). The division is "
             "a township or village of this county inside your jurisdiction, in force in the "
             "county's division register on the day it was received (422 naming `division` "
             "otherwise; 409 `division-register-empty` before the register is loaded). The "
             "channel implies who receives it and what is recorded (R-IN-1, see `channel`). A "
             "paper application received earlier gives `received_on`, from which every "
             "deadline counts. Each member is counted in the household or not, with the "
             "reason (R-IN-7). 409 when a counted member is already counted in an open "
             "application of the program or in another household (R-IN-4), naming it. "
             "`Location` names the new application. Send `Idempotency-Key` to retry safely.",
             dependencies=[Idempotent])
async def submit_application(session: DbSession, user: Receiver, office: Office,
                             body: ApplicationIn, response: Response) -> ApplicationOut:
    application = await service.submit_application(session, user=user, office=office,
                                                   request=body)
    response.headers["Location"] = f"/api/v1/applications/{application.id}"
    return ApplicationOut.of(application)


@router.get("", response_model=list[ApplicationOut], summary="Applications in your jurisdiction",
            responses=PAGED,
            description="Newest first, filtered by status, program, application number, "
            "channel, division (and everything below it), the days received and `overdue` "
            "(accepted and past the R-AP-7 deadline); only applications inside your divisions "
            "(R-SE-1), paged by cursor. Phone numbers are masked (R-SE-2). Every list read is "
            "recorded in the operation log (R-AU-1).")
async def list_applications(
    session: DbSession, user: Reader, page: Paging, status: Status | None = None,
    program: Program | None = None, number: Identifier | None = None,
    channel: Channel | None = None, division: DivisionCode | None = None,
    received_from: Annotated[CivilDate | None, Query(description="received on or after")] = None,
    received_to: Annotated[CivilDate | None, Query(description="received on or before")] = None,
    overdue: Annotated[bool | None, Query(description="true: accepted and past the R-AP-7 "
                                          "deadline; false: the others")] = None,
) -> list[ApplicationOut]:
    rows = await service.list_applications(
        session, user=user, status=status, program=program, number=number, channel=channel,
        division=division, received_from=received_from, received_to=received_to,
        overdue=overdue, window=page.window(service.APPLICATIONS))
    return [ApplicationOut.of(r) for r in page.finish(rows, service.APPLICATIONS)]


@router.get("/{application_id}", response_model=ApplicationOut, summary="One application",
            description="The application with its household, materials supplied, one-time "
            "notice and deadlines. 404 if there is none or if it lies outside your "
            "divisions. The read is recorded in the operation log (R-AU-1, R-SE-2).")
async def get_application(session: DbSession, user: Reader,
                          application_id: RecordId) -> ApplicationOut:
    return ApplicationOut.of(
        await service.get_application(session, user=user, application_id=application_id))


@router.post("/{application_id}/materials", response_model=ApplicationOut,
             summary="Record materials handed in; accepts once the notice is met (R-IN-3)",
             description="Adds material codes of the program's checklist or of the one-time "
             "notice; codes already recorded change nothing. When everything the notice asked "
             "for is in, the application is accepted and its review deadline set (R-AP-7). 409 "
             "when the application is no longer open.", dependencies=[Idempotent])
async def supply_materials(session: DbSession, user: Receiver, office: Office,
                           application_id: RecordId, body: MaterialsIn) -> ApplicationOut:
    return ApplicationOut.of(await service.supply_materials(
        session, user=user, office=office, application_id=application_id, codes=body.materials))


@router.post("/{application_id}/materials-demand", response_model=ApplicationOut,
             summary="Ask the applicant again for items of the one-time notice (R-IN-3)",
             description="Only items the one-time notice listed and still missing may be asked "
             "for again: anything else is refused, 409 with `rule` R-IN-3 and `not_on_notice` "
             "naming the items (an application complete when received has no notice, so "
             "nothing can be demanded of it); items already handed in, 409 "
             "`already_supplied`. Emits `materials_demanded`.", dependencies=[Idempotent])
async def demand_materials(session: DbSession, user: Receiver, application_id: RecordId,
                           body: MaterialsIn) -> ApplicationOut:
    return ApplicationOut.of(await service.demand_materials(
        session, user=user, application_id=application_id, codes=body.materials))


@router.post("/{application_id}/refusal", response_model=ApplicationOut,
             summary="Refuse an open application, with reason code and text (R-IN-3)",
             description="Closes an open application as `refused`; both a reason code and the "
             "reason in words are required (422 otherwise). 409 when it is no longer open.",
             dependencies=[Idempotent])
async def refuse_application(session: DbSession, user: Refuser, application_id: RecordId,
                             body: RefusalIn) -> ApplicationOut:
    return ApplicationOut.of(await ending.refuse_application(
        session, user=user, application_id=application_id, reason_code=body.reason_code,
        reason=body.reason))


@router.post("/{application_id}/withdrawal", response_model=ApplicationOut,
             summary="Record that the applicant withdrew the application (撤回申请)",
             description="A caseworker of the township records who of the household asked to "
             "withdraw and on which day (not before the application, not in the future); the "
             "application ends as `withdrawn`. The end reaches every service that keeps a part "
             "of it through `application_withdrawn`: approval closes its review case, "
             "verification its investigation. 409 when it is no longer open.",
             dependencies=[Idempotent])
async def withdraw_application(session: DbSession, user: Caseworker, application_id: RecordId,
                               body: WithdrawalIn) -> ApplicationOut:
    return ApplicationOut.of(await ending.withdraw_application(
        session, user=user, application_id=application_id, requested_by=body.requested_by,
        requested_on=body.requested_on, reason=body.reason))
