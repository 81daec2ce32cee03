"""Investigation form endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.verification.forms import service
from services.verification.forms.models import FormConfirmation, InvestigationForm
from services.verification.forms.schemas import (
    ConfirmationOut,
    FormIn,
    FormOut,
    HouseholdConfirmationIn,
    InvestigatorConfirmationIn,
)
from services.verification.investigations import service as investigations
from services.verification.investigations.routes import Reader, Worker
from shared.contracts.verification import FormContent
from shared.inputs import RecordId
from shared.problems import NotFound
from shared.service import DbSession, Idempotent

router = APIRouter(tags=["investigation form"])

Investigator = Worker
"""An assigned investigator (checked against the team in the service)."""


async def form_out(session: DbSession, form: InvestigationForm) -> FormOut:
    confirmations = await service.confirmations_of(session, form.investigation_id, form.version)
    team = await investigations.team_of(session, form.investigation_id)
    return FormOut(
        version=form.version, digest=form.digest, form=FormContent.model_validate(form.content),
        visited_on=form.visited_on, recorded_at=form.recorded_at, recorded_by=form.recorded_by,
        confirmations=[ConfirmationOut.model_validate(c) for c in confirmations],
        awaiting=service.awaiting(team, confirmations))


def confirmation_out(confirmation: FormConfirmation, response: Response) -> ConfirmationOut:
    response.headers["Location"] = (
        f"/api/v1/investigations/{confirmation.investigation_id}/form")
    return ConfirmationOut.model_validate(confirmation)


@router.put("/investigations/{investigation_id}/form", response_model=FormOut,
            summary="Record the investigation form (入户调查表)",
            description="The form as filled in at the home visit: the household's situation, "
            "income items (R-BE-9), assets (R-BE-10), rigid expenditure (R-BE-2) and living "
            "conditions, money in integer fen. Each change is a new version, kept with the "
            "old ones: only confirmations of the newest version count (R-VE-1). The same form "
            "again changes nothing. 422 naming the field for a member not of the household, a "
            "visit in the future, an item not counted or an exempt asset without its reason; "
            "409 when the investigation is no longer open.")
async def record_form(session: DbSession, user: Worker, investigation_id: RecordId,
                      body: FormIn) -> FormOut:
    form = await service.record_form(session, user=user, investigation_id=investigation_id,
                                     form=body)
    return await form_out(session, form)


@router.get("/investigations/{investigation_id}/form", response_model=FormOut,
            summary="The investigation form and its confirmations",
            description="The newest version of the form, its SHA-256 (what a confirmation "
            "confirms), the confirmations of that version and who has yet to confirm it "
            "(R-VE-1). 404 while none is recorded.")
async def get_form(session: DbSession, user: Reader, investigation_id: RecordId) -> FormOut:
    investigation = await investigations.get_investigation(session, user=user,
                                                           investigation_id=investigation_id)
    form = await service.current_form(session, investigation.id)
    if form is None:
        raise NotFound(f"investigation {investigation_id} has no form yet")
    return await form_out(session, form)


@router.post("/investigations/{investigation_id}/form/confirmations", status_code=201,
             response_model=ConfirmationOut,
             summary="Confirm the form as an investigator (R-VE-1)",
             description="An assigned investigator confirms the newest version of the form, "
             "with their own token (the name recorded is the token's `name`, else the one "
             "they were assigned with). 403 `not-an-investigator` for anyone not on the team; "
             "409 if `version` is not the newest, if you confirmed it already, or when the "
             "investigation is no longer open. Send `Idempotency-Key` to retry safely.",
             dependencies=[Idempotent])
async def confirm_as_investigator(
    session: DbSession, user: Investigator, investigation_id: RecordId,
    body: InvestigatorConfirmationIn, response: Response,
) -> ConfirmationOut:
    confirmation = await service.confirm_as_investigator(
        session, user=user, investigation_id=investigation_id, body=body)
    return confirmation_out(confirmation, response)


@router.post("/investigations/{investigation_id}/form/household-confirmation",
             status_code=201, response_model=ConfirmationOut,
             summary="Record the household's confirmation of the form (R-VE-1)",
             description="The household member present confirmed the newest version: their "
             "name, relationship, and how (signature, fingerprint or both), recorded by an "
             "assigned investigator (403 `not-an-investigator` otherwise). 409 if `version` "
             "is not the newest or the household confirmed it already. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def confirm_for_household(
    session: DbSession, user: Investigator, investigation_id: RecordId,
    body: HouseholdConfirmationIn, response: Response,
) -> ConfirmationOut:
    confirmation = await service.confirm_for_household(
        session, user=user, investigation_id=investigation_id, body=body)
    return confirmation_out(confirmation, response)

