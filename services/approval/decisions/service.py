"""Rules of the initial opinion (初审意见, R-AP-1) and of the leader's confirmation (审核确认,
R-AP-2): the benefit computed by the rules (R-BE) with the parameters in force in the month it
is for; a new version of the opinion until the confirmation, the old ones kept; never confirmed
by its author; the outcome (a public notice, temporary aid at once, or a refusal) follows in
``outcome``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.decisions.figures import adjusted_figures, household_of
from services.approval.decisions.models import Confirmation, InitialOpinion, Outcome, Proposal
from services.approval.decisions.schemas import ConfirmationIn, OpinionIn
from services.approval.policy.models import PolicyVersion
from services.approval.policy.service import parameters_in_force
from services.approval.relatives.service import require_no_conflict
from shared import benefits
from shared.auth import User
from shared.benefits import Area, Assessment, Household, add_months
from shared.benefits.area import ParametersArg
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import InitialOpinionWritten
from shared.outbox import emit
from shared.problems import Conflict, FourEyes, InvalidField, NotFound, RuleViolation
from shared.programs import Program
from shared.workdays import WorkingCalendar

OPINION_STATUSES = frozenset({CaseStatus.awaiting_initial_opinion,
                              CaseStatus.awaiting_confirmation})
"""Where an opinion may be written or rewritten: before the confirmation (R-AP-1)."""
TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})


class WrongStatus(Conflict):
    slug, title = "case-status", "The case is not at this step"


# --- rules: plain functions ---------------------------------------------------------------------


def benefit_month(program: Program, today: date) -> date:
    """The month a calculation is for (R-BE): a monthly benefit is paid from the month after
    the confirmation (次月发放, R-AP-4), so the next month; temporary aid in the month granted."""
    return add_months(today.replace(day=1), 0 if program in TEMPORARY_AID else 1)


def assess(program: Program, household: Household, params: ParametersArg,
           opinion: OpinionIn, *, subject: str | None = None) -> Assessment:
    """The rules of the case's program (R-BE-1 … R-BE-12) on the household; ``subject``: the
    tekun person."""
    match program:
        case Program.DIBAO if opinion.single_person_member_id:
            return benefits.single_person_benefit(household, opinion.single_person_member_id,
                                                  params)
        case Program.DIBAO:
            return benefits.assess_dibao(household, params)
        case Program.NEAR_DIBAO:
            return benefits.assess_near_dibao(household, params)
        case Program.TEKUN:
            return benefits.assess_tekun(household, subject, params)
        case _:
            if opinion.temporary_aid_fen is None:
                raise InvalidField("temporary_aid_fen", "temporary aid names its amount (R-BE-8)")
            return benefits.cap_temporary_aid(program, opinion.temporary_aid_fen, params,
                                              household=household)


def subject_of(opinion: OpinionIn, members: list[dict[str, Any]]) -> str | None:
    """The person a tekun opinion is about: the one named, else the head."""
    if opinion.subject_member_id:
        return opinion.subject_member_id
    return next((m["member_id"] for m in members if m.get("relationship") == "head"), None)


def check_proposal(opinion: OpinionIn, result: Assessment) -> None:
    """R-AP-1: an approval rests on what the rules found, unless the case goes to a collective
    decision (R-AP-6) because its facts could not be checked."""
    if opinion.proposal == Proposal.approve and not result.eligible and not opinion.case_by_case:
        found = "; ".join(r.text for r in result.reasons) or "not eligible"
        raise RuleViolation(f"the rules find the case not eligible ({found}): propose a refusal, "
                            "adjust the figures with a reason, or put it to a confirmation "
                            "meeting case by case (R-AP-6)", rule="R-AP-1",
                            reasons=[r.to_dict() for r in result.reasons])


def covered_members(program: Program, opinion: OpinionIn, household: Household,
                    subject: str | None) -> list[str]:
    """Who the benefit covers, by intake's member ids: the tekun person, the member of a
    single-person household (R-BE-4), else the counted members."""
    if opinion.single_person_member_id:
        return [opinion.single_person_member_id]
    if program == Program.TEKUN and subject:
        return [subject]
    return [m.member_id for m in household.covered]


def require_other_than_author(user_id: str, authors: set[str]) -> None:
    """R-AP-2 four eyes: the person who wrote the initial opinion (any version) may not
    confirm it, nor chair the meeting that does."""
    if user_id in authors:
        raise FourEyes(f"{user_id} wrote this case's initial opinion and may not confirm it "
                       "(R-AP-2)", rule="R-AP-2")


# --- records -----------------------------------------------------------------------------------


async def case_for_step(session: AsyncSession, *, user: User, case_id: str) -> ReviewCase:
    """The case, locked, inside the user's jurisdiction, and the user not recused (R-AP-8)."""
    case = await session.get(ReviewCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound(f"no review case {case_id}")
    user.require_record(case.division, f"no review case {case_id}")
    await require_no_conflict(session, case_id=case.id, user=user)
    return case


async def opinions_of(session: AsyncSession, case_id: str) -> Sequence[InitialOpinion]:
    """Every version, the newest first."""
    return (await session.scalars(select(InitialOpinion).where(InitialOpinion.case_id == case_id)
                                  .order_by(InitialOpinion.version.desc()))).all()


async def current_opinion(session: AsyncSession, case_id: str) -> InitialOpinion | None:
    """The version a confirmation confirms: the newest."""
    versions = await opinions_of(session, case_id)
    return versions[0] if versions else None


async def authors_of(session: AsyncSession, case_id: str) -> set[str]:
    return set((await session.scalars(select(InitialOpinion.written_by)
                                      .where(InitialOpinion.case_id == case_id))).all())


async def confirmations_of(session: AsyncSession, case_id: str) -> Sequence[Confirmation]:
    return (await session.scalars(select(Confirmation).where(Confirmation.case_id == case_id)
                                  .order_by(Confirmation.confirmed_at, Confirmation.id))).all()


async def _parameters(session: AsyncSession, case: ReviewCase, household: Household, on: date
                      ) -> tuple[PolicyVersion, ParametersArg]:
    """The version in force on ``on`` for the case's county and the standard that applies
    (R-BE-12 may put a rural household of a border county on the urban one)."""
    county = case.division[:6]
    version, params = await parameters_in_force(session, county=county, area=case.area, on=on)
    area = benefits.applicable_area(household, params)
    if area == case.area:
        return version, params
    used, other = await parameters_in_force(session, county=county, area=area, on=on)
    return used, {cast(Area, case.area): params, area: other}


async def write_opinion(session: AsyncSession, *, user: User, case_id: str,
                        opinion: OpinionIn) -> InitialOpinion:
    """R-AP-1: write the initial opinion, or a new version of it before the confirmation."""
    case = await case_for_step(session, user=user, case_id=case_id)
    program = Program(case.program)
    if case.status not in OPINION_STATUSES and not (
            case.status == CaseStatus.awaiting_investigation and opinion.case_by_case):
        raise WrongStatus(f"case {case.id} is {case.status}: an initial opinion is written once "
                          "the investigation is complete (or case by case, R-AP-6) and rewritten "
                          "only before the confirmation (R-AP-1)", case_status=case.status)
    if not case.members:
        raise WrongStatus(f"case {case.id} has no members recorded from intake to compute on")
    if program not in TEMPORARY_AID and opinion.temporary_aid_fen is not None:
        raise InvalidField("temporary_aid_fen", f"{program} is not temporary aid")
    today = today_of(session)
    month = benefit_month(program, today)
    figures = adjusted_figures(case.investigation, opinion.adjustments,
                               {m["member_id"] for m in case.members})
    try:
        household = household_of(case_area=case.area, county=case.division[:6],
                                 members=case.members, circumstances=opinion.members,
                                 figures=figures, opinion=opinion, on=month)
        version, params = await _parameters(session, case, household, month)
        subject = subject_of(opinion, case.members)
        result = assess(program, household, params, opinion, subject=subject)
    except ValueError as exc:  # the rules refuse the figures as given
        raise RuleViolation(f"the benefit rules cannot compute on these figures: {exc}",
                            rule="R-AP-1") from None
    check_proposal(opinion, result)
    figures["covered_member_ids"] = covered_members(program, opinion, household, subject)
    previous = await opinions_of(session, case.id)
    now = now_of(session)
    for old in previous:
        if old.superseded_at is None:
            old.superseded_at = now
    record = InitialOpinion(
        id=new_id(), case_id=case.id, version=len(previous) + 1, program=str(program),
        proposal=opinion.proposal, eligible=result.eligible,
        amount_fen=result.amount_fen if opinion.proposal == Proposal.approve else 0,
        benefit_month=f"{month:%Y-%m}", policy_version_id=version.id,
        policy_version=version.version, reason_code=opinion.reason_code,
        reasons=opinion.reasons, text=opinion.text,
        circumstances=[c.model_dump(mode="json") for c in opinion.members],
        adjustments=[a.model_dump(mode="json") for a in opinion.adjustments],
        figures=figures, assessment=result.to_dict(),
        case_by_case=opinion.case_by_case.model_dump() if opinion.case_by_case else None,
        investigation_id=case.investigation_id, written_by=user.user_id,
        written_by_name=user.name, written_at=now)
    session.add(record)
    if case.status == CaseStatus.awaiting_initial_opinion or (
            case.status == CaseStatus.awaiting_investigation):
        case.status = CaseStatus.awaiting_confirmation
    await session.flush()
    await emit(session, InitialOpinionWritten(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=program, division=case.division,
        opinion_id=record.id, opinion_version=record.version, outcome=opinion.proposal,
        eligible=record.eligible, amount_fen=record.amount_fen,
        benefit_month=record.benefit_month, policy_version_id=record.policy_version_id,
        reason_code=record.reason_code, case_by_case=record.case_by_case is not None,
        written_by=user.user_id, written_at=now,
    ), subject=case.id, division=case.division)
    return record


async def confirm(session: AsyncSession, *, user: User, case_id: str, body: ConfirmationIn,
                  calendar: WorkingCalendar) -> tuple[ReviewCase, Confirmation]:
    """R-AP-2: the township leader confirms the opinion's proposal, or refuses with reasons;
    never the opinion's author. A case-by-case proposal goes to a meeting (R-AP-6)."""
    from services.approval.decisions.outcome import carry_out

    case = await case_for_step(session, user=user, case_id=case_id)
    if case.status != CaseStatus.awaiting_confirmation:
        raise WrongStatus(f"case {case.id} is {case.status}, not awaiting the leader's "
                          "confirmation (R-AP-2)", case_status=case.status)
    opinion = await current_opinion(session, case.id)
    if opinion is None:
        raise WrongStatus(f"case {case.id} has no initial opinion to confirm (R-AP-1)")
    require_other_than_author(user.user_id, await authors_of(session, case.id))
    if opinion.case_by_case is not None and body.decision == "confirm":
        raise RuleViolation("the opinion puts the case to a collective decision (一事一议, "
                            "R-AP-6): pass it to a confirmation meeting", rule="R-AP-6")
    confirmation = decide_on_opinion(case, opinion, decision=body.decision,
                                 reason_code=body.reason_code, reasons=body.reasons,
                                 note=body.note, now=now_of(session))
    confirmation.confirmed_by = confirmation.recorded_by = user.user_id
    confirmation.confirmed_by_name = user.name
    await carry_out(session, case=case, opinion=opinion, confirmation=confirmation,
                    calendar=calendar)
    return case, confirmation


def decide_on_opinion(case: ReviewCase, opinion: InitialOpinion, *, decision: str,
                  reason_code: str | None, reasons: list[str] | None, note: str | None,
                  now: Any, by: str = "leader") -> Confirmation:
    """What confirming (or refusing) the current opinion decides."""
    approve = decision == "confirm" and opinion.proposal == Proposal.approve
    if decision == "confirm" and not approve:  # the proposed refusal stands, with its reasons
        reason_code, reasons = opinion.reason_code, opinion.reasons
    return Confirmation(
        id=new_id(), case_id=case.id, opinion_id=opinion.id, opinion_version=opinion.version,
        by=by, outcome=Outcome.approved if approve else Outcome.rejected,
        amount_fen=opinion.amount_fen if approve else 0,
        reason_code=None if approve else reason_code, reasons=None if approve else reasons,
        note=note, case_by_case=False, confirmed_at=now)
