"""The written refusal (不予批准通知书, R-AP-5): due within 3 working days of the decision,
printed from masked data only, its delivery recorded; the undelivered ones past their last day
are overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import ReviewCase
from services.approval.decisions.models import Refusal
from services.approval.decisions.outcome import UNKNOWN_NAME, county_name, township_name
from services.approval.decisions.schemas import DeliveryIn
from services.approval.relatives.service import require_no_conflict
from shared import documents
from shared.auth import User
from shared.clock import now_of
from shared.contracts.approval import RefusalNoticeDelivered
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound
from shared.programs import Program
from shared.workdays import SHANGHAI

REFUSALS = Keyset("refusals", Refusal.notice_due_on.asc(), Refusal.id.asc())
"""The order of the list of refusals and its cursors: the nearest last day first."""


class AlreadyDelivered(Conflict):
    slug, title = "refusal-delivered", "The written refusal was delivered already"


# --- rules: plain functions ---------------------------------------------------------------------


def is_overdue(refusal: Refusal, *, today: date) -> bool:
    """R-AP-5: undelivered once its third working day has ended (24:00 Asia/Shanghai)."""
    return refusal.delivered_at is None and today > refusal.notice_due_on


def delivered_late(refusal: Refusal) -> bool:
    """R-AP-5: delivered after its last day."""
    return (refusal.delivered_at is not None
            and refusal.delivered_at.astimezone(SHANGHAI).date() > refusal.notice_due_on)


def refusal_document(refusal: Refusal, case: ReviewCase, *, complaint_phone: str
                     ) -> documents.RefusalNotice:
    """The notice's content: the applicant's name masked, no ID number (R-SE-2)."""
    township, county = township_name(case.division), county_name(case.division)
    return documents.RefusalNotice(
        authority=f"{county}{township}人民政府", document_number=refusal.document_number,
        issued_on=refusal.decided_on, applicant_name=case.head_name_masked or UNKNOWN_NAME,
        program=Program(case.program), application_number=case.application_number,
        decided_on=refusal.decided_on, reasons=tuple(refusal.reasons),
        complaint_phone=complaint_phone, reconsideration_body=f"{county}人民政府",
        court=f"{county}人民法院")



# --- records -----------------------------------------------------------------------------------


async def refusal_of(session: AsyncSession, *, user: User, case_id: str,
                     for_update: bool = False) -> tuple[Refusal, ReviewCase]:
    case = await session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"no review case {case_id}")
    user.require_record(case.division, f"no review case {case_id}")
    query = select(Refusal).where(Refusal.case_id == case_id)
    refusal = await session.scalar(query.with_for_update() if for_update else query)
    if refusal is None:
        raise NotFound(f"case {case_id} was not refused")
    return refusal, case


async def record_delivery(session: AsyncSession, *, user: User, case_id: str,
                          delivery: DeliveryIn) -> Refusal:
    """R-AP-5: the written refusal was delivered: how, to whom, when; once."""
    refusal, case = await refusal_of(session, user=user, case_id=case_id, for_update=True)
    await require_no_conflict(session, case_id=case.id, user=user)
    if refusal.delivered_at is not None:
        raise AlreadyDelivered(f"the refusal of case {case.id} was delivered on "
                               f"{refusal.delivered_at.isoformat()}")
    now = now_of(session)
    if delivery.delivered_at > now:
        raise InvalidField("delivered_at", "is in the future")
    if delivery.delivered_at < refusal.decided_at:
        raise InvalidField("delivered_at", "is before the decision it notifies")
    refusal.delivered_at = delivery.delivered_at
    refusal.delivery_method = delivery.method
    refusal.delivered_to = delivery.delivered_to
    refusal.delivery_note = delivery.note
    refusal.delivery_recorded_by = user.user_id
    refusal.delivery_recorded_at = now
    await session.flush()
    await emit(session, RefusalNoticeDelivered(
        refusal_id=refusal.id, case_id=case.id, application_id=case.application_id,
        division=case.division, delivered_at=delivery.delivered_at, method=delivery.method,
        due_on=refusal.notice_due_on, late=delivered_late(refusal),
    ), subject=case.id, division=case.division)
    return refusal


async def list_refusals(session: AsyncSession, *, user: User, today: date,
                        delivered: bool | None = None, overdue: bool | None = None,
                        window: Window | None = None) -> Sequence[Refusal]:
    """Refusals inside the user's jurisdiction, the nearest last day first; ``overdue``: not
    delivered after their last day (R-AP-5)."""
    query = select(Refusal).where(user.jurisdiction(Refusal.division))
    if delivered is not None:
        query = query.where(Refusal.delivered_at.is_not(None) if delivered
                            else Refusal.delivered_at.is_(None))
    if overdue is not None:
        late = and_(Refusal.delivered_at.is_(None), Refusal.notice_due_on < today)
        query = query.where(late if overdue else not_(late))
    query = (window or Window(REFUSALS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
