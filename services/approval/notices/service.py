"""Rules of the public notice (公示, R-AP-3) and of objections to it (异议, R-AP-4): posted on
a positive confirmation at the applicant's village, open from day D until 24:00 Asia/Shanghai of
D+7; an objection sends the case to review, where a democratic appraisal (民主评议) or a new
investigation (重新调查) leads to a new confirmation and a new notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.notices.models import (
    Notice,
    NoticeStatus,
    Objection,
    ObjectionReview,
    ReviewKind,
)
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.approval import (
    DemocraticAppraisalHeld,
    NoticePosted,
    ObjectionFiled,
    ReinvestigationRequested,
)
from shared.db import where_given
from shared.divisions import name_of
from shared.documents.models import NOTICE_DAYS
from shared.inputs import Keyset, Window
from shared.months import add_months, month_of
from shared.outbox import emit
from shared.problems import Conflict, NotFound
from shared.workdays import SHANGHAI

NOTICES = Keyset("notices", Notice.confirmed_at.desc(), Notice.id.desc())
"""The order of the staff list of notices and its cursors: the newest first."""

CONFIRMABLE = frozenset({CaseStatus.awaiting_confirmation, CaseStatus.at_confirmation_meeting})
"""Where a case stands when its positive confirmation posts a notice (R-AP-2, R-AP-3)."""
UNKNOWN_NAME = "*"


class NoticeNotOpen(Conflict):
    slug, title = "notice-not-open", "The public notice is not open for objections"


class CaseNotInReview(Conflict):
    slug, title = "case-not-in-objection-review", "The case is not in objection review"


# --- rules: plain functions ---------------------------------------------------------------------


def notice_period(confirmed_at: datetime) -> tuple[date, date, datetime]:
    """R-AP-3: posted on day D (the Asia/Shanghai day of the confirmation), open until 24:00
    of D+7: (D, D+7, the instant 24:00 of D+7 in UTC)."""
    posted_on = confirmed_at.astimezone(SHANGHAI).date()
    closes_on = posted_on + timedelta(days=NOTICE_DAYS)
    end = datetime.combine(closes_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return posted_on, closes_on, end.astimezone(UTC)


def is_open_at(notice: Notice, now: datetime) -> bool:
    """R-AP-3: objections are taken while the notice is open and before 24:00 of D+7."""
    return notice.status == NoticeStatus.open and now < notice.closes_at


def effective_month_of(confirmed_at: datetime) -> str:
    """R-AP-4 次月发放: payment starts in the month after the system confirmation."""
    return add_months(month_of(confirmed_at.astimezone(SHANGHAI).date()), 1)


def village_name(division: str) -> str:
    """The village's name for the notice (the code where no name is known)."""
    return name_of(division) or division


def head_name_of(case: ReviewCase) -> str:
    """The head's masked name as the case keeps it (R-AP-3: never in full)."""
    return case.head_name_masked or UNKNOWN_NAME


# --- posting ------------------------------------------------------------------------------------


async def post_notice(
    session: AsyncSession, *, case: ReviewCase, confirmation_id: str, monthly_fen: int,
    household_size: int, confirmed_at: datetime,
) -> Notice:
    """R-AP-3 公示: a positive confirmation is posted at the applicant's village (the case's
    division) from day D until 24:00 of D+7; the case is then in public notice. The same
    confirmation posts once (a second call returns its notice)."""
    existing = await session.scalar(
        select(Notice).where(Notice.confirmation_id == confirmation_id))
    if existing is not None:
        return existing
    if case.status not in CONFIRMABLE:
        raise Conflict(f"case {case.id} is {case.status}: only a case awaiting its confirmation "
                       "is posted for public notice (R-AP-3)")
    if monthly_fen < 0 or household_size < 1:
        raise ValueError("a notice shows a household of one member at least and an amount ≥ 0")
    rounds = await session.scalar(select(func.count()).select_from(Notice)
                                  .where(Notice.case_id == case.id))
    posted_on, closes_on, closes_at = notice_period(confirmed_at)
    notice = Notice(
        id=new_id(), case_id=case.id, round=(rounds or 0) + 1, application_id=case.application_id,
        application_number=case.application_number, confirmation_id=confirmation_id,
        program=case.program, division=case.division, village_name=village_name(case.division),
        head_name_masked=head_name_of(case), household_size=household_size,
        monthly_fen=monthly_fen, confirmed_at=confirmed_at, posted_on=posted_on,
        closes_on=closes_on, closes_at=closes_at, status=NoticeStatus.open)
    session.add(notice)
    case.status = CaseStatus.in_public_notice
    await session.flush()
    await emit(session, NoticePosted(
        notice_id=notice.id, case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, program=case.program,
        division=case.division, round=notice.round, confirmation_id=confirmation_id,
        head_name_masked=notice.head_name_masked, household_size=household_size,
        monthly_fen=monthly_fen, posted_on=posted_on, closes_on=closes_on, closes_at=closes_at,
    ), subject=case.id, division=case.division)
    return notice


# --- objections ---------------------------------------------------------------------------------


async def next_receipt_number(session: AsyncSession, *, county: str, day: date) -> str:
    """The objection's receipt number: YY<county>-<date>-<n>, counted per day."""
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    count = await session.scalar(select(func.count()).select_from(Objection).where(
        Objection.filed_at >= start, Objection.filed_at < start + timedelta(days=1)))
    return f"YY{county}-{day:%Y%m%d}-{(count or 0) + 1:05d}"


async def objection_by_nonce(session: AsyncSession, nonce: str) -> Objection | None:
    """The objection a public form with this one-time token already filed, if any."""
    return await session.scalar(select(Objection).where(Objection.form_nonce == nonce))


async def file_objection(
    session: AsyncSession, *, notice: Notice, text: str, contact: str | None, channel: str,
    filed_by: str | None = None, form_nonce: str | None = None,
    source_address: str | None = None,
) -> Objection:
    """R-AP-4 异议: an objection during the notice sends the case to objection review. A form
    sent twice (the same one-time token) answers the receipt of the first."""
    if form_nonce is not None and (again := await objection_by_nonce(session, form_nonce)):
        return again
    await session.refresh(notice, with_for_update=True)  # the closing job waits, or we do
    now = now_of(session)
    if not is_open_at(notice, now):
        raise NoticeNotOpen(f"notice {notice.id} is {notice.status} and took objections until "
                            f"24:00 of {notice.closes_on} (R-AP-3)")
    case = await session.get(ReviewCase, notice.case_id, with_for_update=True)
    if case is None or case.status != CaseStatus.in_public_notice:
        raise NoticeNotOpen(f"the case of notice {notice.id} is no longer in public notice")
    county = session.info["events"].county
    objection = Objection(
        id=new_id(), notice_id=notice.id, case_id=case.id, channel=channel, text=text,
        contact=contact, filed_by=filed_by, form_nonce=form_nonce,
        source_address=source_address, filed_at=now,
        receipt_number=await next_receipt_number(
            session, county=county, day=now.astimezone(SHANGHAI).date()))
    session.add(objection)
    notice.status = NoticeStatus.objected
    notice.ended_at = now
    case.status = CaseStatus.objection_review
    await session.flush()
    await emit(session, ObjectionFiled(
        objection_id=objection.id, receipt_number=objection.receipt_number,
        notice_id=notice.id, case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, division=case.division, channel=channel,
        text=text, contact_given=bool(contact), filed_at=now,
    ), subject=case.id, division=case.division)
    return objection


async def objections_of(session: AsyncSession, case_id: str) -> Sequence[Objection]:
    return (await session.scalars(select(Objection).where(Objection.case_id == case_id)
                                  .order_by(Objection.filed_at, Objection.id))).all()


# --- review -------------------------------------------------------------------------------------


async def review_objection(
    session: AsyncSession, *, case: ReviewCase, user: User, kind: ReviewKind,
    held_on: date | None = None, participants: Sequence[str] = (), result: str | None = None,
    record: str | None = None, reason: str | None = None,
) -> ObjectionReview:
    """R-AP-4: the objection is reviewed by a democratic appraisal (民主评议: the case goes back
    for a new confirmation and a new notice) or by a new investigation (重新调查: verification
    opens one; its completion brings the case to a new initial opinion)."""
    if case.status != CaseStatus.objection_review:
        raise CaseNotInReview(f"case {case.id} is {case.status}, not in objection review")
    notice = await session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.status == NoticeStatus.objected)
        .order_by(Notice.round.desc()).limit(1))
    if notice is None:
        raise NotFound(f"case {case.id} has no objected notice")
    now = now_of(session)
    review = ObjectionReview(
        id=new_id(), case_id=case.id, notice_id=notice.id, kind=kind, held_on=held_on,
        participants=list(participants) or None, result=result, record=record, reason=reason,
        decided_by=user.user_id, decided_at=now)
    session.add(review)
    objection_ids = [o.id for o in await objections_of(session, case.id)
                     if o.notice_id == notice.id]
    if kind == ReviewKind.appraisal:
        case.status = CaseStatus.awaiting_confirmation
        await session.flush()
        assert held_on is not None and result is not None and record is not None
        await emit(session, DemocraticAppraisalHeld(
            review_id=review.id, case_id=case.id, application_id=case.application_id,
            notice_id=notice.id, objection_ids=objection_ids, held_on=held_on,
            participants=list(participants), result=result, status=case.status,
        ), subject=case.id, division=case.division)
    else:
        case.status = CaseStatus.awaiting_investigation
        await session.flush()
        await emit(session, ReinvestigationRequested(
            review_id=review.id, case_id=case.id, application_id=case.application_id,
            application_number=case.application_number, program=case.program,
            division=case.division, household_size=case.household_size,
            previous_investigation_id=case.investigation_id, notice_id=notice.id,
            objection_ids=objection_ids, reason=reason or "", requested_at=now,
            accepted_on=case.accepted_on, review_due_on=case.review_due_on,
            review_due_provisional=case.review_due_provisional,
        ), subject=case.id, division=case.division)
    return review


# --- reading ------------------------------------------------------------------------------------


async def list_notices(
    session: AsyncSession, *, user: User, case_id: str | None = None,
    status: NoticeStatus | None = None, division: str | None = None,
    window: Window | None = None,
) -> Sequence[Notice]:
    """Notices inside the user's jurisdiction (R-SE-1), the newest first (:data:`NOTICES`)."""
    query = select(Notice).where(user.jurisdiction(Notice.division))
    query = where_given(query, (Notice.case_id, case_id), (Notice.status, status))
    if division:
        query = query.where(Notice.division.startswith(division))
    query = (window or Window(NOTICES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def passed_notice(session: AsyncSession, *, case_id: str) -> Notice | None:
    """The notice that approved the case (R-AP-4), if any."""
    return await session.scalar(select(Notice).where(
        Notice.case_id == case_id, Notice.status == NoticeStatus.passed))


async def get_notice(session: AsyncSession, *, notice_id: str, user: User | None = None
                     ) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"no public notice {notice_id}")
    if user is not None:
        user.require_record(notice.division, f"no public notice {notice_id}")
    return notice
