"""When the investigation is complete (R-VE-1, R-VE-2, R-VE-5), and what it then tells approval.

Complete means: two township staff at least on the team, the newest version of the form
confirmed by each of them and by the household, every letter answered or recorded as
unanswered, every doubt resolved, and no cross-check source still pending (R-VE-4). Then
``investigation_completed`` carries the household's checked income by item, its assets, the
findings, the doubts and their outcomes and the checks' summary to approval (R-AP-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.doubts import service as doubts
from services.verification.doubts.models import Doubt, DoubtStatus
from services.verification.evidence.models import EvidenceFile
from services.verification.forms import service as forms
from services.verification.forms.models import FormConfirmation, InvestigationForm, Party
from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation, InvestigationStatus
from services.verification.investigations.schemas import Blocker
from services.verification.letters import service as letters
from services.verification.letters.models import Letter, LetterStatus
from services.verification.visits.models import NeighbourVisit
from shared.auth import User
from shared.contracts.verification import (
    DoubtOutcome,
    FormConfirmationLine,
    FormContent,
    InvestigationCompleted,
    LetterOutcome,
    StaffMember,
    VillageHelper,
)
from shared.db import utcnow
from shared.outbox import emit
from shared.problems import RuleViolation


@dataclass(frozen=True)
class WorkDone:
    """What an investigation has, as far as completing it goes."""

    team: Sequence[str] = ()
    form_version: int | None = None
    confirmed_by: frozenset[str] = frozenset()
    """User ids of the investigators who confirmed the newest version."""
    household_confirmed: bool = False
    outstanding_letters: Sequence[str] = ()
    open_doubts: Sequence[str] = ()
    pending_checks: Sequence[str] = field(default_factory=tuple)


# --- rules: plain functions ---------------------------------------------------------------------


def blockers(work: WorkDone) -> list[Blocker]:
    """Everything that keeps an investigation from completing, each with its rule; none when
    it may complete."""
    found: list[Blocker] = []
    if len(set(work.team)) < investigations.MIN_INVESTIGATORS:
        found.append(Blocker(rule="R-VE-1", code="team", detail=(
            f"{investigations.MIN_INVESTIGATORS} township staff at least are assigned; "
            f"{len(set(work.team))} are")))
    if work.form_version is None:
        found.append(Blocker(rule="R-VE-1", code="form",
                             detail="the investigation form is not recorded"))
    else:
        waiting = [u for u in work.team if u not in work.confirmed_by]
        if waiting:
            found.append(Blocker(rule="R-VE-1", code="investigator_confirmations", detail=(
                f"{', '.join(waiting)} have yet to confirm version {work.form_version} of "
                "the form")))
        if not work.household_confirmed:
            found.append(Blocker(rule="R-VE-1", code="household_confirmation", detail=(
                f"the household member present has yet to confirm version "
                f"{work.form_version} of the form")))
    if work.outstanding_letters:
        found.append(Blocker(rule="R-VE-2", code="letters_outstanding", detail=(
            f"letters {', '.join(work.outstanding_letters)} are neither answered nor recorded "
            "as unanswered")))
    if work.open_doubts:
        found.append(Blocker(rule="R-VE-5", code="doubts_open", detail=(
            f"doubts {', '.join(work.open_doubts)} are not resolved")))
    if work.pending_checks:
        found.append(Blocker(rule="R-VE-4", code="checks_pending", detail=(
            f"check sources {', '.join(work.pending_checks)} have not answered")))
    return found


def checked_income(form: FormContent, resolved: Sequence[Doubt]) -> int:
    """The household's counted monthly income in fen: the form's counted items plus the income
    effects of substantiated doubts (R-VE-5), never below 0."""
    counted = sum(item.monthly_fen for item in form.income if item.counted)
    changes = sum(d.income_delta_fen or 0 for d in resolved
                  if d.status == DoubtStatus.substantiated and d.effect == "income")
    return max(0, counted + changes)


# --- gathering and completing ------------------------------------------------------------------


async def work_done(session: AsyncSession, investigation: Investigation) -> WorkDone:
    team = [i.user_id for i in await investigations.team_of(session, investigation.id)]
    form = await forms.current_form(session, investigation.id)
    confirmations = (await forms.confirmations_of(session, investigation.id, form.version)
                     if form is not None else [])
    summary = investigations.check_summary_of(investigation)
    outstanding = await session.scalars(select(Letter.id).where(
        Letter.investigation_id == investigation.id, Letter.status == LetterStatus.sent)
        .order_by(Letter.sent_on, Letter.id))
    unresolved = await session.scalars(select(Doubt.id).where(
        Doubt.investigation_id == investigation.id,
        Doubt.status.in_([DoubtStatus.raised, DoubtStatus.put]))
        .order_by(Doubt.raised_at, Doubt.id))
    return WorkDone(
        team=team, form_version=form.version if form is not None else None,
        confirmed_by=frozenset(c.user_id for c in confirmations
                               if c.party == Party.investigator and c.user_id),
        household_confirmed=any(c.party == Party.household for c in confirmations),
        outstanding_letters=list(outstanding), open_doubts=list(unresolved),
        pending_checks=summary.pending if summary is not None else [],
    )


async def blockers_of(session: AsyncSession, investigation: Investigation) -> list[Blocker]:
    """What keeps an open investigation from completing (none for one no longer open)."""
    if investigation.status != InvestigationStatus.open:
        return []
    return blockers(await work_done(session, investigation))


async def complete_investigation(session: AsyncSession, *, user: User, investigation_id: str,
                                 findings: str) -> Investigation:
    """Complete the investigation and publish ``investigation_completed`` for approval; 422
    naming every blocker while it is not complete (R-VE-1, R-VE-2, R-VE-4, R-VE-5)."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    found = blockers(await work_done(session, investigation))
    if found:
        raise RuleViolation(
            "the investigation is not complete: " + "; ".join(
                f"{b.detail} ({b.rule})" for b in found),
            rule=found[0].rule, blockers=[b.model_dump() for b in found])
    form = await forms.current_form(session, investigation.id)
    assert form is not None  # no blocker: the form is there
    now = utcnow()
    investigation.status = InvestigationStatus.completed
    investigation.completed_at = now
    investigation.findings = findings
    await session.flush()
    await emit(session, await result_of(session, investigation, form),
               subject=investigation.id, division=investigation.division)
    return investigation


async def result_of(session: AsyncSession, investigation: Investigation,
                    form: InvestigationForm) -> InvestigationCompleted:
    """The ``investigation_completed`` event of a completed investigation."""
    assert investigation.completed_at is not None
    content = FormContent.model_validate(form.content)
    team = await investigations.team_of(session, investigation.id)
    on_team = {i.user_id for i in team}
    confirmations: list[FormConfirmation] = [  # not those of a member recused since (R-AP-8)
        c for c in await forms.confirmations_of(session, investigation.id, form.version)
        if c.party != Party.investigator or c.user_id in on_team]
    all_letters = await letters.letters_of(session, investigation.id)
    all_doubts = await doubts.doubts_of(session, investigation.id)
    visits = await session.scalar(select(func.count()).select_from(NeighbourVisit).where(
        NeighbourVisit.investigation_id == investigation.id)) or 0
    evidence = await session.scalars(select(EvidenceFile.id).where(
        EvidenceFile.investigation_id == investigation.id).order_by(EvidenceFile.uploaded_at,
                                                                      EvidenceFile.id))
    helper = (VillageHelper(name=investigation.village_helper_name,
                            title=investigation.village_helper_title or "")
              if investigation.village_helper_name else None)
    return InvestigationCompleted(
        application_id=investigation.application_id, investigation_id=investigation.id,
        completed_at=investigation.completed_at,
        application_number=investigation.application_number, program=investigation.program,
        division=investigation.division,
        investigators=[StaffMember(user_id=i.user_id, name=i.name, role=i.role) for i in team],
        village_helper=helper, form_version=form.version, form_digest=form.digest,
        form=content,
        confirmations=[FormConfirmationLine(
            party=c.party, name=c.name, user_id=c.user_id, relationship=c.relationship,
            method=c.method, confirmed_at=c.confirmed_at) for c in confirmations],
        monthly_income_fen=checked_income(content, all_doubts),
        neighbour_visits=int(visits),
        letters=[LetterOutcome(
            letter_id=letter.id, member_id=letter.member_id, addressee=letter.addressee,
            outcome=letter.status,
            stated_monthly_income_fen=letter.stated_monthly_income_fen)
            for letter in all_letters],
        doubts=[DoubtOutcome(
            doubt_id=d.id, item=d.item, source=d.source, check_result_id=d.check_result_id,
            outcome=d.status, effect=d.effect or "none", income_delta_fen=d.income_delta_fen,
            finding=d.finding or "", evidence_ids=d.evidence_ids or []) for d in all_doubts],
        findings=investigation.findings,
        checks=investigations.check_summary_of(investigation),
        evidence=list(evidence),
    )
