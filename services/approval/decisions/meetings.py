"""Confirmation meetings (审核确认会议, R-AP-2) and their case-by-case collective decisions
(一事一议, R-AP-6): the leader passes a case to the meeting; the meeting, its record kept, decides
each case referred to it, its chair never the author of the opinion it decides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus
from services.approval.decisions.models import (
    Confirmation,
    ConfirmationMeeting,
    MeetingReferral,
    Proposal,
)
from services.approval.decisions.outcome import carry_out
from services.approval.decisions.schemas import MeetingDecisionIn, MeetingIn
from services.approval.decisions.service import (
    WrongStatus,
    authors_of,
    case_for_step,
    current_opinion,
    decide_on_opinion,
    require_other_than_author,
)
from services.approval.relatives.service import require_no_conflict
from shared.auth import Role, User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import (
    CaseReferredToMeeting,
    ConfirmationMeetingRecorded,
    MeetingCase,
)
from shared.divisions import is_within
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import InvalidField, NotFound, RuleViolation
from shared.workdays import WorkingCalendar

MEETINGS = Keyset("meetings", ConfirmationMeeting.held_on.desc(), ConfirmationMeeting.id.desc())
"""The order of the list of meetings and its cursors: the latest first."""


# --- rules: plain functions ---------------------------------------------------------------------


def check_case_by_case(decision: MeetingDecisionIn, *, opinion_grounds: bool, eligible: bool,
                       proposal: str) -> None:
    """R-AP-6: a collective decision grants aid where materials are incomplete or facts can't
    be checked for reasons not the applicant's (the opinion states them), the hardship stated
    by the meeting; an opinion put to it case by case is granted only that way."""
    if decision.case_by_case and not opinion_grounds:
        raise RuleViolation(f"case {decision.case_id}: a case-by-case decision rests on the "
                            "initial opinion's grounds (materials incomplete or facts that "
                            "can't be checked, not of the applicant's making; R-AP-6)",
                            rule="R-AP-6")
    grants = decision.decision == "confirm" and proposal == Proposal.approve
    if grants and (opinion_grounds or not eligible) and not decision.case_by_case:
        raise RuleViolation(f"case {decision.case_id}: granting aid the rules could not confirm "
                            "is a case-by-case decision, with the hardship stated (R-AP-6)",
                            rule="R-AP-6")
    if decision.case_by_case and proposal != Proposal.approve:
        raise RuleViolation(f"case {decision.case_id}: the initial opinion proposes a refusal; "
                            "a collective decision grants aid on a proposal to grant it (R-AP-6)",
                            rule="R-AP-6")


# --- records -----------------------------------------------------------------------------------


async def refer(session: AsyncSession, *, user: User, case_id: str, reason: str
                ) -> MeetingReferral:
    """R-AP-2: the leader reviews the case and passes it to a confirmation meeting."""
    case = await case_for_step(session, user=user, case_id=case_id)
    if case.status != CaseStatus.awaiting_confirmation:
        raise WrongStatus(f"case {case.id} is {case.status}: a case is passed to a meeting "
                          "while it awaits its confirmation (R-AP-2)", case_status=case.status)
    opinion = await current_opinion(session, case.id)
    if opinion is None:
        raise WrongStatus(f"case {case.id} has no initial opinion (R-AP-1)")
    now = now_of(session)
    referral = MeetingReferral(id=new_id(), case_id=case.id, opinion_id=opinion.id,
                               reason=reason, referred_by=user.user_id, referred_at=now)
    session.add(referral)
    case.status = CaseStatus.at_confirmation_meeting
    await session.flush()
    await emit(session, CaseReferredToMeeting(
        case_id=case.id, application_id=case.application_id, division=case.division,
        referral_id=referral.id, reason=reason, referred_by=user.user_id, referred_at=now,
    ), subject=case.id, division=case.division)
    return referral


async def record_meeting(session: AsyncSession, *, user: User, meeting: MeetingIn,
                         calendar: WorkingCalendar) -> ConfirmationMeeting:
    """R-AP-2, R-AP-6: the meeting's record and its decision on each case referred to it. Every
    check passes before anything is written: one refusal refuses the whole record."""
    user.require_access(meeting.division)
    if meeting.held_on > today_of(session):
        raise InvalidField("held_on", "a meeting is recorded once it was held, not before")
    chair_id = meeting.chair.user_id
    assert chair_id is not None  # MeetingIn requires it
    chair = User(user_id=chair_id, role=Role.township_leader, divisions=(meeting.division,))
    plans = []
    for n, decision in enumerate(meeting.decisions):
        case = await case_for_step(session, user=user, case_id=decision.case_id)
        if not is_within(case.division, meeting.division):
            raise InvalidField(f"decisions.{n}.case_id", f"case {case.id} is not of township "
                               f"{meeting.division}")
        if case.status != CaseStatus.at_confirmation_meeting:
            raise WrongStatus(f"case {case.id} is {case.status}, not passed to a confirmation "
                              "meeting (R-AP-2)", case_status=case.status)
        await require_no_conflict(session, case_id=case.id, user=chair)  # R-AP-8
        require_other_than_author(chair_id, await authors_of(session, case.id))
        opinion = await current_opinion(session, case.id)
        assert opinion is not None  # a referral needs one
        check_case_by_case(decision, opinion_grounds=opinion.case_by_case is not None,
                           eligible=opinion.eligible, proposal=opinion.proposal)
        plans.append((case, opinion, decision))
    now = now_of(session)
    record = ConfirmationMeeting(
        id=new_id(), division=meeting.division, held_on=meeting.held_on, place=meeting.place,
        chair_user_id=chair_id, chair_name=meeting.chair.name,
        attendees=[a.model_dump() for a in meeting.attendees], record=meeting.record,
        recorded_by=user.user_id, recorded_at=now)
    session.add(record)
    await session.flush()
    for case, opinion, decision in plans:
        confirmation = decide_on_opinion(case, opinion, decision=decision.decision,
                                     reason_code=decision.reason_code, reasons=decision.reasons,
                                     note=decision.note, now=now, by="meeting")
        confirmation.meeting_id = record.id
        confirmation.case_by_case = decision.case_by_case
        confirmation.hardship = decision.hardship
        confirmation.confirmed_by, confirmation.confirmed_by_name = chair_id, meeting.chair.name
        confirmation.recorded_by = user.user_id
        referral = await session.scalar(
            select(MeetingReferral).where(MeetingReferral.case_id == case.id,
                                          MeetingReferral.meeting_id.is_(None)))
        if referral is not None:
            referral.meeting_id = record.id
        await carry_out(session, case=case, opinion=opinion, confirmation=confirmation,
                        calendar=calendar)
    decided = await decisions_of(session, record.id)
    await emit(session, ConfirmationMeetingRecorded(
        meeting_id=record.id, division=record.division, held_on=record.held_on,
        chair=chair_id, attendees=len(meeting.attendees),
        cases=[MeetingCase(case_id=c.case_id, outcome=c.outcome,
                           case_by_case=c.case_by_case) for c in decided],
        recorded_by=user.user_id, recorded_at=now,
    ), subject=record.id, division=record.division)
    return record


async def decisions_of(session: AsyncSession, meeting_id: str) -> Sequence[Confirmation]:
    return (await session.scalars(select(Confirmation).where(Confirmation.meeting_id == meeting_id)
                                  .order_by(Confirmation.id))).all()


async def list_meetings(session: AsyncSession, *, user: User, held_from: date | None = None,
                        held_to: date | None = None, window: Window | None = None
                        ) -> Sequence[ConfirmationMeeting]:
    """Meetings inside the user's jurisdiction, the latest first (:data:`MEETINGS`)."""
    query = select(ConfirmationMeeting).where(user.jurisdiction(ConfirmationMeeting.division))
    if held_from is not None:
        query = query.where(ConfirmationMeeting.held_on >= held_from)
    if held_to is not None:
        query = query.where(ConfirmationMeeting.held_on <= held_to)
    query = (window or Window(MEETINGS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_meeting(session: AsyncSession, *, user: User, meeting_id: str
                      ) -> ConfirmationMeeting:
    meeting = await session.get(ConfirmationMeeting, meeting_id)
    if meeting is None:
        raise NotFound(f"no confirmation meeting {meeting_id}")
    user.require_record(meeting.division, f"no confirmation meeting {meeting_id}")
    return meeting
