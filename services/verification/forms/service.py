"""Rules of the investigation form (入户调查表): recorded in versions, confirmed by each assigned
investigator and by the household member present (R-VE-1)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.evidence.service import require_evidence
from services.verification.forms.models import FormConfirmation, InvestigationForm, Party
from services.verification.forms.schemas import (
    FormIn,
    HouseholdConfirmationIn,
    InvestigatorConfirmationIn,
)
from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation, Investigator
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import (
    AssetLine,
    ExpenditureLine,
    FormContent,
    IncomeLine,
    InvestigationFormConfirmed,
    InvestigationFormRecorded,
    LivingConditions,
)
from shared.db import utcnow
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.workdays import today_in_shanghai

HOUSEHOLD = "household"
"""How the household's confirmation is named among those still awaited."""


class NoForm(Conflict):
    slug, title = "no-form", "The investigation form has not been recorded"


# --- rules: plain functions ---------------------------------------------------------------------


def form_digest(content: FormContent) -> str:
    """SHA-256 of the form's canonical JSON: what each confirmation confirms."""
    canonical = json.dumps(content.model_dump(mode="json"), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_form(form: FormIn, *, members: Iterable[str], today: date) -> FormContent:
    """The form as recorded, or a 422 naming the field: the visit is not in the future, income
    and expenditure name members of the household, an item not counted says why (R-BE-9), an
    exempt asset says why (R-BE-10)."""
    known = set(members)
    if form.visited_on > today:
        raise InvalidField("visited_on", f"is after today ({today})")
    for i, item in enumerate(form.income):
        if item.member_id is not None and item.member_id not in known:
            raise InvalidField(f"income.{i}.member_id", "is not a member of the household")
        if not item.counted and item.not_counted_reason is None:
            raise InvalidField(f"income.{i}.not_counted_reason",
                               "is required for an item not counted as income (R-BE-9)")
    for i, asset in enumerate(form.assets):
        if asset.exempt and asset.exempt_reason is None:
            raise InvalidField(f"assets.{i}.exempt_reason",
                               "is required for an exempt asset (R-BE-10)")
    for i, spent in enumerate(form.rigid_expenditure):
        if spent.member_id is not None and spent.member_id not in known:
            raise InvalidField(f"rigid_expenditure.{i}.member_id",
                               "is not a member of the household")
    return FormContent(
        visited_on=form.visited_on, situation=form.situation,
        income=[IncomeLine(**{**i.model_dump(), "not_counted_reason":
                              None if i.counted else i.not_counted_reason})
                for i in form.income],
        assets=[AssetLine(**{**a.model_dump(), "exempt_reason":
                             a.exempt_reason if a.exempt else None}) for a in form.assets],
        rigid_expenditure=[ExpenditureLine(**e.model_dump()) for e in form.rigid_expenditure],
        living_conditions=LivingConditions(**form.living_conditions.model_dump()),
    )


def awaiting(team: Sequence[Investigator], confirmations: Sequence[FormConfirmation]) -> list[str]:
    """Who has yet to confirm a version (R-VE-1): each assigned investigator by user id, and
    ``household``, given that version's confirmations."""
    confirmed = {c.user_id for c in confirmations if c.party == Party.investigator}
    waiting = [i.user_id for i in team if i.user_id not in confirmed]
    if not any(c.party == Party.household for c in confirmations):
        waiting.append(HOUSEHOLD)
    return waiting


# --- the form ----------------------------------------------------------------------------------


async def current_form(session: AsyncSession, investigation_id: str) -> InvestigationForm | None:
    """The newest version of the form, if any."""
    return await session.scalar(
        select(InvestigationForm).where(InvestigationForm.investigation_id == investigation_id)
        .order_by(InvestigationForm.version.desc()).limit(1))


async def confirmations_of(session: AsyncSession, investigation_id: str,
                           version: int) -> list[FormConfirmation]:
    return list((await session.scalars(select(FormConfirmation).where(
        FormConfirmation.investigation_id == investigation_id,
        FormConfirmation.version == version).order_by(FormConfirmation.confirmed_at,
                                                      FormConfirmation.id))).all())


async def record_form(session: AsyncSession, *, user: User, investigation_id: str,
                      form: FormIn) -> InvestigationForm:
    """Record a new version of the form; confirmations of earlier ones no longer count."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    members = [m.member_id for m in await investigations.members_of(session, investigation.id)]
    content = check_form(form, members=members, today=today_in_shanghai())
    digest = form_digest(content)
    newest = await current_form(session, investigation.id)
    if newest is not None and newest.digest == digest:
        return newest  # the same form again: no new version
    now = utcnow()
    recorded = InvestigationForm(
        investigation_id=investigation.id, version=(newest.version if newest else 0) + 1,
        content=content.model_dump(mode="json"), digest=digest,
        visited_on=content.visited_on, recorded_at=now, recorded_by=user.user_id)
    session.add(recorded)
    await session.flush()
    await emit(session, InvestigationFormRecorded(
        investigation_id=investigation.id, application_id=investigation.application_id,
        form_version=recorded.version, digest=recorded.digest, form=content, recorded_at=now,
    ), subject=investigation.id, division=investigation.division)
    return recorded


async def _form_to_confirm(session: AsyncSession, investigation: Investigation,
                           version: int) -> InvestigationForm:
    form = await current_form(session, investigation.id)
    if form is None:
        raise NoForm(f"investigation {investigation.id} has no form to confirm yet")
    if version != form.version:
        raise Conflict(f"version {version} is not the newest version of the form "
                       f"({form.version}): read it again and confirm that one",
                       current_version=form.version)
    return form


async def _confirm(session: AsyncSession, investigation: Investigation, form: InvestigationForm,
                   confirmation: FormConfirmation) -> FormConfirmation:
    if confirmation.evidence_id is not None:
        await require_evidence(session, investigation.id, confirmation.evidence_id,
                               field="evidence_id")
    session.add(confirmation)
    await session.flush()
    await emit(session, InvestigationFormConfirmed(
        investigation_id=investigation.id, application_id=investigation.application_id,
        form_version=form.version, digest=form.digest, party=confirmation.party,
        person_name=confirmation.name, user_id=confirmation.user_id,
        relationship=confirmation.relationship, method=confirmation.method,
        evidence_id=confirmation.evidence_id, confirmed_at=confirmation.confirmed_at,
    ), subject=investigation.id, division=investigation.division)
    return confirmation


async def confirm_as_investigator(session: AsyncSession, *, user: User, investigation_id: str,
                                  body: InvestigatorConfirmationIn) -> FormConfirmation:
    """An assigned investigator confirms the newest version for themselves, with their own
    token; the name recorded is the token's (else the one they were assigned with)."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    investigator = await investigations.require_investigator(session, user, investigation)
    form = await _form_to_confirm(session, investigation, body.version)
    done = await confirmations_of(session, investigation.id, form.version)
    if any(c.user_id == user.user_id and c.party == Party.investigator for c in done):
        raise Conflict(f"you confirmed version {form.version} already")
    return await _confirm(session, investigation, form, FormConfirmation(
        id=new_id(), investigation_id=investigation.id, version=form.version,
        party=Party.investigator, user_id=user.user_id, name=user.name or investigator.name,
        role=user.role, method=body.method, evidence_id=body.evidence_id,
        confirmed_at=utcnow(), recorded_by=user.user_id))


async def confirm_for_household(session: AsyncSession, *, user: User, investigation_id: str,
                                body: HouseholdConfirmationIn) -> FormConfirmation:
    """The household member present confirms the newest version; an assigned investigator
    records who, their relationship and how."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    await investigations.require_investigator(session, user, investigation)
    form = await _form_to_confirm(session, investigation, body.version)
    if body.member_id is not None and body.member_id not in {
            m.member_id for m in await investigations.members_of(session, investigation.id)}:
        raise InvalidField("member_id", "is not a member of the household")
    done = await confirmations_of(session, investigation.id, form.version)
    if any(c.party == Party.household for c in done):
        raise Conflict(f"the household confirmed version {form.version} already")
    return await _confirm(session, investigation, form, FormConfirmation(
        id=new_id(), investigation_id=investigation.id, version=form.version,
        party=Party.household, name=body.name, relationship=body.relationship,
        member_id=body.member_id, method=body.method, evidence_id=body.evidence_id,
        confirmed_at=utcnow(), recorded_by=user.user_id))
