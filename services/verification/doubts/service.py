"""Rules of doubts (疑点, R-VE-5): put to the applicant within the review period, resolved as
substantiated (with its effect) or unsubstantiated (with the evidence archived); an open doubt
keeps the investigation from completing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.doubts.models import OPEN_DOUBTS, Doubt, DoubtStatus
from services.verification.doubts.schemas import DoubtIn, PutIn, ResolutionIn
from services.verification.evidence.service import require_evidence
from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation, InvestigationStatus
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import DoubtPutToApplicant, DoubtRaised, DoubtResolved
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound, RuleViolation
from shared.workdays import today_in_shanghai

DOUBTS = Keyset("doubts", Doubt.raised_at.asc(), Doubt.id.asc())
"""The order of the list of doubts: the oldest first."""


# --- rules: plain functions ---------------------------------------------------------------------


def put_late(put_at: datetime, *, review_due_on: date, late_reason: str | None) -> bool:
    """R-VE-5: a doubt is put to the applicant within the review period, which ends at 24:00
    Asia/Shanghai of ``review_due_on``. Later, only with the reason why (then it is ``late``);
    without one it is refused."""
    late = today_in_shanghai(put_at) > review_due_on
    if late and late_reason is None:
        raise RuleViolation(
            f"a doubt is put to the applicant within the review period, which ended on "
            f"{review_due_on} (R-VE-5): give `late_reason` to record why it is later",
            rule="R-VE-5", review_due_on=review_due_on.isoformat())
    return late


def check_resolution(doubt: Doubt, resolution: ResolutionIn) -> None:
    """R-VE-5: only a doubt put to the applicant is resolved; substantiated, it names its
    effect (income with the monthly change); unsubstantiated, it changes nothing and the
    evidence that cleared it is archived (one file at least)."""
    if doubt.status == DoubtStatus.raised:
        raise RuleViolation("a doubt is put to the applicant before it is resolved (R-VE-5)",
                            rule="R-VE-5")
    if doubt.status != DoubtStatus.put:
        raise Conflict(f"doubt {doubt.id} is {doubt.status} already")
    if resolution.outcome == "substantiated":
        if resolution.effect == "none":
            raise InvalidField("effect", "a substantiated doubt changes income, assets or "
                               "eligibility (R-VE-5)")
        if (resolution.effect == "income") != (resolution.income_delta_fen is not None):
            raise InvalidField("income_delta_fen", "is given exactly when the effect is income")
    else:
        if resolution.effect != "none" or resolution.income_delta_fen is not None:
            raise InvalidField("effect", "an unsubstantiated doubt changes nothing")
        if not resolution.evidence_ids:
            raise InvalidField("evidence_ids", "an unsubstantiated doubt is closed with the "
                               "evidence that cleared it archived (R-VE-5)")


def is_open(doubt: Doubt) -> bool:
    return doubt.status in OPEN_DOUBTS


# --- records -----------------------------------------------------------------------------------


async def raise_doubt(session: AsyncSession, *, user: User, investigation_id: str,
                      doubt: DoubtIn) -> Doubt:
    """Raise a doubtful item, from a cross-check result or by hand (R-VE-5)."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    raised = Doubt(
        id=new_id(), investigation_id=investigation.id,
        source="check_result" if doubt.check_result_id else "manual",
        check_result_id=doubt.check_result_id, item=doubt.item, description=doubt.description,
        status=DoubtStatus.raised, raised_at=utcnow(), raised_by=user.user_id)
    session.add(raised)
    await session.flush()
    await emit(session, DoubtRaised(
        investigation_id=investigation.id, application_id=investigation.application_id,
        doubt_id=raised.id, source=raised.source, check_result_id=raised.check_result_id,
        item=raised.item, description=raised.description, raised_at=raised.raised_at,
    ), subject=investigation.id, division=investigation.division)
    return raised


async def get_doubt(session: AsyncSession, *, user: User, doubt_id: str) -> Doubt:
    doubt = await session.get(Doubt, doubt_id)
    if doubt is None:
        raise NotFound(f"no doubt {doubt_id}")
    investigation = await session.get(Investigation, doubt.investigation_id)
    user.require_record(investigation.division if investigation else None, f"no doubt {doubt_id}")
    return doubt


async def put_to_applicant(session: AsyncSession, *, user: User, doubt_id: str,
                           put: PutIn) -> Doubt:
    """Record when and how the doubt was put to the applicant (R-VE-5)."""
    doubt = await get_doubt(session, user=user, doubt_id=doubt_id)
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=doubt.investigation_id)
    if doubt.status != DoubtStatus.raised:
        raise Conflict(f"doubt {doubt.id} is {doubt.status} already")
    investigations.check_not_future("put_at", put.put_at, now=utcnow())
    late = put_late(put.put_at, review_due_on=investigation.review_due_on,
                    late_reason=put.late_reason)
    doubt.status = DoubtStatus.put
    doubt.put_at = put.put_at
    doubt.put_method = put.method
    doubt.put_note = put.note
    doubt.late_reason = put.late_reason if late else None
    doubt.put_by = user.user_id
    await session.flush()
    await emit(session, DoubtPutToApplicant(
        investigation_id=investigation.id, application_id=investigation.application_id,
        doubt_id=doubt.id, put_at=put.put_at, method=put.method, late=late,
        late_reason=doubt.late_reason,
    ), subject=investigation.id, division=investigation.division)
    return doubt


async def resolve_doubt(session: AsyncSession, *, user: User, doubt_id: str,
                        resolution: ResolutionIn) -> Doubt:
    """Resolve the doubt as substantiated or unsubstantiated (R-VE-5)."""
    doubt = await get_doubt(session, user=user, doubt_id=doubt_id)
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=doubt.investigation_id)
    check_resolution(doubt, resolution)
    evidence_ids = list(dict.fromkeys(resolution.evidence_ids))
    await require_evidence(session, investigation.id, evidence_ids, field="evidence_ids")
    doubt.status = DoubtStatus(resolution.outcome)
    doubt.effect = resolution.effect
    doubt.income_delta_fen = resolution.income_delta_fen
    doubt.finding = resolution.finding
    doubt.evidence_ids = evidence_ids
    doubt.resolved_at = utcnow()
    doubt.resolved_by = user.user_id
    await session.flush()
    await emit(session, DoubtResolved(
        investigation_id=investigation.id, application_id=investigation.application_id,
        doubt_id=doubt.id, outcome=resolution.outcome, effect=resolution.effect,
        income_delta_fen=resolution.income_delta_fen, finding=resolution.finding,
        evidence_ids=evidence_ids, resolved_at=doubt.resolved_at,
    ), subject=investigation.id, division=investigation.division)
    return doubt


async def doubts_of(session: AsyncSession, investigation_id: str) -> list[Doubt]:
    return list((await session.scalars(select(Doubt).where(
        Doubt.investigation_id == investigation_id).order_by(*DOUBTS.order_by()))).all())


async def list_doubts(
    session: AsyncSession, *, user: User, today: date, investigation_id: str | None = None,
    status: str | None = None, open_only: bool | None = None, division: str | None = None,
    program: str | None = None, raised_from: date | None = None, raised_to: date | None = None,
    overdue: bool | None = None, window: Window | None = None,
) -> Sequence[Doubt]:
    """Doubts inside the user's jurisdiction, the oldest first; ``open_only``: those not yet
    resolved in open investigations (the work list)."""
    query = (select(Doubt).join(Investigation, Investigation.id == Doubt.investigation_id)
             .where(user.jurisdiction(Investigation.division)))
    query = where_given(query, (Doubt.investigation_id, investigation_id),
                        (Doubt.status, status), (Investigation.program, program))
    if open_only is True:
        query = query.where(Doubt.status.in_(OPEN_DOUBTS),
                            Investigation.status == InvestigationStatus.open)
    elif open_only is False:
        query = query.where(Doubt.status.not_in(OPEN_DOUBTS))
    if overdue is not None:
        query = query.where(Doubt.status.in_(OPEN_DOUBTS))
    query = investigations.filter_investigations(query, today=today, division=division,
                                                 overdue=overdue)
    if raised_from is not None:
        query = query.where(Doubt.raised_at >= investigations.day_start(raised_from))
    if raised_to is not None:
        query = query.where(Doubt.raised_at < investigations.day_start(raised_to, 1))
    query = (window or Window(DOUBTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
