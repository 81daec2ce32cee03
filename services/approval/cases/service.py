"""Rules of the review case: opened once per accepted application, watched against R-AP-7."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import structlog
from sqlalchemy import and_, bindparam, insert, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import OPEN_STATUSES, CaseStatus, ReviewCase
from shared import direct
from shared.auth import User
from shared.batch_reads import Unopened, application_ids
from shared.context import new_id
from shared.contracts.approval import (
    InvestigationResultRecorded,
    ReviewCaseClosed,
    ReviewCaseOpened,
)
from shared.contracts.intake import ApplicationAccepted, MemberIdentified
from shared.contracts.verification import InvestigationCompleted
from shared.db import utcnow, where_given
from shared.events import Envelope
from shared.inbox import NotYet
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number
from shared.outbox import emit
from shared.problems import NotFound

log = structlog.get_logger(__name__)

CASES = Keyset("cases", ReviewCase.review_due_on.asc(), ReviewCase.opened_at.asc(),
               ReviewCase.id.asc())
"""The order of the list of review cases and its cursors: the nearest deadline first."""


_CASES = ReviewCase.metadata.tables[ReviewCase.__tablename__]
OPENED_AMONG = direct.Statement(select(_CASES.c.application_id).where(
    _CASES.c.application_id.in_(bindparam("application_ids", expanding=True))))
"""Which of these applications have a review case already: built once, run on the driver
(``shared.direct``)."""
UNOPENED = Unopened("approval.unopened", OPENED_AMONG)
"""The applications a batch's acceptances found with no review case (:func:`read_opened`)."""
_OPENED_WITH = ("id", "application_id", "application_number", "program", "division", "area",
                "household_size", "status", "accepted_on", "review_due_on",
                "review_due_provisional", "opened_at", "members", "review_extended")
OPEN_CASE = direct.Statement(
    insert(_CASES).inline().values({name: bindparam(name) for name in _OPENED_WITH}))
"""A new case's row, run on the driver. The columns left out are NULL, as the ORM left them
(a JSON column given None would hold JSON 'null', not NULL)."""


class CaseNotOpened(NotYet):
    """An event names an application whose case is not open here (yet): redeliver later."""


async def read_opened(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """The batch hook: which of the batch's accepted applications have no review case yet, in
    one query before the first event (:data:`UNOPENED`; :func:`open_review_case_once` then
    opens their cases without reading)."""
    await UNOPENED.read(session, application_ids(events, ApplicationAccepted))


@dataclass(frozen=True, slots=True)
class OpenedCase:
    """A review case as this transaction has just written it, by its row: what the rest of
    the acceptance needs of it (the near-relative check, R-AP-8). The case is read as a
    ``ReviewCase`` by whatever reads it later, as any other."""

    id: str
    application_id: str
    application_number: str
    division: str


async def open_review_case(session: AsyncSession, accepted: ApplicationAccepted
                           ) -> ReviewCase | OpenedCase:
    """Open the township's review case for an accepted application, once (受理后待调查)."""
    return (await open_review_case_once(session, accepted))[0]


async def open_review_case_once(session: AsyncSession, accepted: ApplicationAccepted
                                ) -> tuple[ReviewCase | OpenedCase, bool]:
    """:func:`open_review_case`, and whether this call opened it (else it was open already).

    A new case is written as a plain row on the driver (``shared.direct``), not an ORM object
    and its flush (the object's construction and bookkeeping were most of the acceptance's own
    CPU); what it returns then is an :class:`OpenedCase`, the case as it is open already a
    ``ReviewCase``."""
    if not UNOPENED.take(session, accepted.application_id):  # not known to have none: read
        existing = await session.scalar(
            select(ReviewCase).where(ReviewCase.application_id == accepted.application_id)
        )
        if existing is not None:
            return existing, False
    case = OpenedCase(id=new_id(), application_id=accepted.application_id,
                      application_number=accepted.application_number,
                      division=accepted.division)
    status = CaseStatus.awaiting_investigation
    await direct.run(session, OPEN_CASE, {
        "id": case.id, "application_id": case.application_id,
        "application_number": case.application_number, "program": str(accepted.program),
        "division": case.division, "area": accepted.area,
        "household_size": accepted.household_size, "status": status.value,
        "accepted_on": accepted.accepted_on, "review_due_on": accepted.review_due_on,
        "review_due_provisional": accepted.review_due_provisional, "opened_at": utcnow(),
        "members": [kept_member(m) for m in accepted.members], "review_extended": False,
    })
    await emit(session, ReviewCaseOpened(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=accepted.program,
        division=case.division, household_size=accepted.household_size, status=status,
        accepted_on=accepted.accepted_on, review_due_on=accepted.review_due_on,
        review_due_provisional=accepted.review_due_provisional,
    ), subject=case.id, division=case.division)
    return case, True


async def record_investigation_completed(
    session: AsyncSession, completed: InvestigationCompleted
) -> ReviewCase:
    """The household investigation is done: the case waits for the initial opinion (R-AP-1)."""
    case = await session.scalar(
        select(ReviewCase).where(ReviewCase.application_id == completed.application_id)
    )
    if case is None:
        raise CaseNotOpened(f"no review case for application {completed.application_id}")
    taken = (case.investigation_id == completed.investigation_id
             and case.investigation_completed_at is not None)
    if not taken and case.status in (CaseStatus.awaiting_investigation,  # a first, or a new
                                     CaseStatus.objection_review):  # one after an objection
        case.status = CaseStatus.awaiting_initial_opinion
    elif case.investigation_id is not None or case.status in (CaseStatus.rejected,
                                                              CaseStatus.closed):
        if case.investigation_id != completed.investigation_id:
            log.warning("investigation_completed_ignored", case_id=case.id, status=case.status,
                        investigation_id=completed.investigation_id)
        return case
    # else: a case decided case by case before its investigation (R-AP-6, R-VE-1): the
    # investigation that follows is kept with it, and the case stays where it is
    case.investigation_id = completed.investigation_id
    case.investigation_completed_at = completed.completed_at
    case.investigation = investigation_figures(completed)
    await session.flush()
    await emit(session, InvestigationResultRecorded(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number,
        investigation_id=completed.investigation_id, completed_at=completed.completed_at,
        status=case.status,
    ), subject=case.id, division=case.division)
    return case


def kept_member(member: MemberIdentified) -> dict[str, Any]:
    """A member as the decision needs them (R-AP-1): the ID number masked, never in full."""
    return {"member_id": member.member_id, "name": member.name,
            "id_number_masked": mask_id_number(member.id_number),
            "birth_date": member.birth_date.isoformat(), "sex": member.sex,
            "relationship": member.relationship, "living_status": member.living_status,
            "counted": member.counted, "count_reason": member.count_reason,
            "is_student": member.is_student}


def investigation_figures(completed: InvestigationCompleted) -> dict[str, Any]:
    """What the initial opinion computes from (R-AP-1): the checked income by item, assets,
    rigid expenditure, the counted monthly income, doubts, letters and the cross-checks."""
    form = completed.form
    return {
        "investigation_id": completed.investigation_id,
        "completed_at": completed.completed_at.isoformat(),
        "visited_on": form.visited_on.isoformat() if form else None,
        "situation": form.situation if form else None,
        "income": [line.model_dump(mode="json") for line in form.income] if form else [],
        "assets": [line.model_dump(mode="json") for line in form.assets] if form else [],
        "rigid_expenditure": [line.model_dump(mode="json")
                              for line in form.rigid_expenditure] if form else [],
        "monthly_income_fen": completed.monthly_income_fen,
        "doubts": [d.model_dump(mode="json") for d in completed.doubts],
        "letters": [letter.model_dump(mode="json") for letter in completed.letters],
        "neighbour_visits": completed.neighbour_visits,
        "findings": completed.findings,
        "checks": completed.checks.model_dump(mode="json") if completed.checks else None,
    }


async def close_for_ended_application(
    session: AsyncSession, *, application_id: str, previous_status: str,
    reason: Literal["application_refused", "application_withdrawn"], detail: str | None,
    ended_at: datetime,
) -> ReviewCase | None:
    """The application ended at intake (refused or withdrawn): its review case closes, with
    the reason, and no longer runs against R-AP-7. An application that was never accepted has
    no case; one that was accepted but whose case is not open here yet is *not yet*."""
    case = await session.scalar(
        select(ReviewCase).where(ReviewCase.application_id == application_id).with_for_update())
    if case is None:
        if previous_status == "accepted":
            raise CaseNotOpened(f"no review case for application {application_id} yet")
        return None
    if case.status not in OPEN_STATUSES:
        return case
    previous = case.status
    case.status = CaseStatus.closed
    case.closed_at = ended_at
    case.closed_reason = reason
    case.closed_detail = detail
    await session.flush()
    await emit(session, ReviewCaseClosed(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, division=case.division, reason=reason,
        detail=detail, previous_status=previous, closed_at=ended_at,
    ), subject=case.id, division=case.division)
    return case


def is_overdue(case: ReviewCase, *, today: date) -> bool:
    """R-AP-7: an open case is overdue once its last day has ended (24:00 Asia/Shanghai)."""
    return case.status in OPEN_STATUSES and today > case.review_due_on


async def list_cases(
    session: AsyncSession, *, user: User, today: date, status: CaseStatus | None = None,
    program: str | None = None, application_id: str | None = None, overdue: bool | None = None,
    window: Window | None = None,
) -> Sequence[ReviewCase]:
    """Review cases inside the user's jurisdiction, the nearest deadline first (:data:`CASES`)."""
    query = select(ReviewCase).where(user.jurisdiction(ReviewCase.division))
    query = where_given(query, (ReviewCase.status, status),
                        (ReviewCase.program, program),
                        (ReviewCase.application_id, application_id))
    if overdue is not None:
        late = and_(ReviewCase.status.in_(OPEN_STATUSES), ReviewCase.review_due_on < today)
        query = query.where(late if overdue else not_(late))
    query = (window or Window(CASES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_case(session: AsyncSession, *, user: User, case_id: str) -> ReviewCase:
    case = await session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"no review case {case_id}")
    user.require_record(case.division, f"no review case {case_id}")
    return case
