"""Rules of the payment basis (发放依据): only approval's confirmed decisions touch it (R-DI-1)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries.models import ChangeKind, Payee, PayeeChange, PayeeStatus
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import (
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
    TemporaryAidGranted,
)
from shared.db import utcnow, where_given
from shared.events import Envelope
from shared.inbox import NotYet
from shared.inputs import Keyset, Window
from shared.masking import mask_name
from shared.months import month_of
from shared.problems import NotFound
from shared.programs import PROGRAMS

log = structlog.get_logger(__name__)

PAYEES = Keyset("payees", Payee.created_at.asc(), Payee.id.asc())
"""The order of the list of payees and its cursors: oldest first."""


class PayeeNotKnown(NotYet):
    """A change names a beneficiary whose approval has not arrived here (yet): redeliver later."""


def payee_unit(approved: BeneficiaryApproved | TemporaryAidGranted) -> str:
    """Household benefits go to the head's card, personal ones to the person's own (R-DI-4)."""
    if approved.unit:
        return approved.unit
    unit = PROGRAMS[approved.program].unit
    return "person" if unit == "person" else "household"


async def add_payee(
    session: AsyncSession, approved: BeneficiaryApproved | TemporaryAidGranted, *,
    kind: ChangeKind, event: Envelope,
) -> Payee | None:
    """A confirmed benefit or temporary-aid grant becomes a payee, once; near-dibao pays nothing."""
    paid = PROGRAMS[approved.program].paid
    if paid == "none":
        log.info("payee_not_needed", beneficiary_id=approved.beneficiary_id,
                 program=approved.program)
        return None
    existing = await _payee_of(session, approved.beneficiary_id)
    if existing is not None:
        log.warning("payee_exists", beneficiary_id=approved.beneficiary_id, event_id=event.id)
        return existing
    now = utcnow()
    payee = Payee(
        id=new_id(), beneficiary_id=approved.beneficiary_id,
        application_id=approved.application_id, program=str(approved.program),
        unit=payee_unit(approved), name_masked=mask_name(approved.head_name_masked),
        division=approved.division, payment=paid, amount_fen=approved.amount_fen,
        amount_from=approved.effective_month, start_month=approved.effective_month,
        stopped_from=None, status=PayeeStatus.active, last_event_id=event.id,
        last_event_type=event.type, created_at=now, updated_at=now,
    )
    session.add(payee)
    await session.flush()
    await _record_change(session, payee, kind=kind, amount_fen=approved.amount_fen,
                         effective_month=approved.effective_month, event=event)
    return payee


async def adjust_payee(
    session: AsyncSession, adjusted: BeneficiaryAdjusted, *, event: Envelope
) -> Payee:
    """增发、减发: the new amount holds from its month on (R-DY-3)."""
    payee = await _known_payee(session, adjusted.beneficiary_id)
    if adjusted.division:
        payee.division = adjusted.division
    if adjusted.head_name_masked:
        payee.name_masked = mask_name(adjusted.head_name_masked)
    await _record_change(session, payee, kind=ChangeKind.adjusted, amount_fen=adjusted.amount_fen,
                         effective_month=adjusted.effective_month, event=event)
    latest = await session.scalar(
        select(PayeeChange)
        .where(PayeeChange.payee_id == payee.id, PayeeChange.amount_fen.is_not(None))
        .order_by(PayeeChange.effective_month.desc(), PayeeChange.id.desc())
        .limit(1)
    )
    assert latest is not None and latest.amount_fen is not None
    payee.amount_fen, payee.amount_from = latest.amount_fen, latest.effective_month
    await session.flush()
    return payee


async def stop_payee(
    session: AsyncSession, stopped: BeneficiaryStopped, *, event: Envelope
) -> Payee:
    """停发: nothing is paid from the stated month on (R-DY-3). A stop for a later month (a
    gradual exit is told a month ahead, R-BE-6) leaves the payee active until that month comes
    (the ledger goes by ``stopped_from``, R-DI-2; the draft ledgers' job marks it then)."""
    payee = await _known_payee(session, stopped.beneficiary_id)
    await _record_change(session, payee, kind=ChangeKind.stopped, amount_fen=None,
                         effective_month=stopped.effective_month, event=event)
    if payee.stopped_from is None or stopped.effective_month < payee.stopped_from:
        payee.stopped_from = stopped.effective_month
    if payee.stopped_from <= month_of(today_of(session)):
        payee.status = PayeeStatus.stopped
    await session.flush()
    return payee


async def _record_change(
    session: AsyncSession, payee: Payee, *, kind: ChangeKind, amount_fen: int | None,
    effective_month: str, event: Envelope,
) -> None:
    now = now_of(session)  # the service's clock: ledgers compare it (months.ledger)
    session.add(PayeeChange(payee_id=payee.id, event_id=event.id, event_type=event.type,
                            kind=kind, amount_fen=amount_fen, effective_month=effective_month,
                            occurred_at=event.time, recorded_at=now))
    payee.last_event_id, payee.last_event_type, payee.updated_at = event.id, event.type, now
    await session.flush()


async def _payee_of(session: AsyncSession, beneficiary_id: str) -> Payee | None:
    return await session.scalar(select(Payee).where(Payee.beneficiary_id == beneficiary_id))


async def _known_payee(session: AsyncSession, beneficiary_id: str) -> Payee:
    payee = await _payee_of(session, beneficiary_id)
    if payee is None:
        raise PayeeNotKnown(f"no payee for beneficiary {beneficiary_id}")
    return payee


async def list_payees(
    session: AsyncSession, *, user: User, status: PayeeStatus | None = None,
    program: str | None = None, beneficiary_id: str | None = None,
    application_id: str | None = None, window: Window | None = None,
) -> Sequence[Payee]:
    """Payees inside the user's jurisdiction, oldest first (:data:`PAYEES`)."""
    query = select(Payee).where(user.jurisdiction(Payee.division))
    query = where_given(query, (Payee.status, status),
                        (Payee.program, program),
                        (Payee.beneficiary_id, beneficiary_id),
                        (Payee.application_id, application_id))
    query = (window or Window(PAYEES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_payee(
    session: AsyncSession, *, user: User, payee_id: str
) -> tuple[Payee, Sequence[PayeeChange]]:
    """One payee in the user's jurisdiction, with every change in the order it arrived."""
    payee = await session.get(Payee, payee_id)
    if payee is None:
        raise NotFound(f"no payee {payee_id}")
    user.require_record(payee.division, f"no payee {payee_id}")
    changes = await session.scalars(
        select(PayeeChange).where(PayeeChange.payee_id == payee.id).order_by(PayeeChange.id)
    )
    return payee, changes.all()
