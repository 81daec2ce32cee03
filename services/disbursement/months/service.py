"""Rules of a payment month (发放月): generate, review and submit its ledger (台账) before the
cut-off, frozen after it (R-DI-1, R-DI-2); the history of who did what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries.models import Payee, PayeeStatus
from services.disbursement.months.ledger import SETTLE, write_ledger
from services.disbursement.months.models import (
    LedgerCorrection,
    LedgerLine,
    MonthState,
    PaymentMonth,
    PaymentMonthStep,
    Step,
)
from services.disbursement.months.rules import cutoff_of, is_frozen, open_month
from shared import context
from shared.auth import User
from shared.clock import now_of, today_of
from shared.contracts.disbursement import LedgerGenerated, LedgerReviewed, LedgerSubmitted
from shared.db import upsert_insert, where_given
from shared.inputs import Keyset, Window
from shared.months import add_months, month_of
from shared.outbox import emit
from shared.problems import Conflict, NotFound

MONTHS = Keyset("payment-months", PaymentMonth.month.desc(), PaymentMonth.id.desc())
"""The order of the list of payment months and its cursors: the latest month first."""
LINES = Keyset("ledger-lines", LedgerLine.id.asc())
"""The order of a ledger's lines: as generated."""
CORRECTIONS = Keyset("ledger-corrections", LedgerCorrection.id.asc())
"""The order of the corrections a ledger carries: as generated."""


class LedgerFrozen(Conflict):
    """R-DI-2: after its cut-off (or once submitted) a month's ledger never changes."""

    slug = "ledger-frozen"
    title = "The ledger is frozen: later changes land in the next month"


class LedgerOutOfOrder(Conflict):
    slug = "ledger-out-of-order"
    title = "A county's ledgers are generated month after month"


class LedgerNotReviewed(Conflict):
    slug = "ledger-not-reviewed"
    title = "The ledger is submitted once reviewed as generated"


class LedgerNotSubmitted(Conflict):
    slug = "ledger-not-submitted"
    title = "The roster is generated from a submitted (frozen) ledger"


def actor() -> str:
    """Who acts: the signed-in user, or ``system:disbursement`` in a scheduled job."""
    return context.current_actor.get().user_id


def _frozen(payment_month: PaymentMonth | None, county: str, month: str) -> LedgerFrozen:
    cutoff = cutoff_of(month)
    return LedgerFrozen(
        f"the ledger of {month} for county {county} is frozen since "
        f"{cutoff.isoformat()} (00:00 Asia/Shanghai on the 24th of the month before, R-DI-2): "
        f"a change now lands in {add_months(month, 1)} or later",
        cutoff_at=cutoff.isoformat(), month=month,
        payment_month_id=payment_month.id if payment_month else None)


async def record_step(session: AsyncSession, payment_month: PaymentMonth, step: Step,
                      detail: str, at: datetime) -> None:
    """A step in the month's history: who did it (:func:`actor`), when, and with what."""
    session.add(PaymentMonthStep(payment_month_id=payment_month.id, step=step, by=actor(),
                                 at=at, detail=detail))
    payment_month.updated_at = at
    await session.flush()


def _ledger_detail(pm: PaymentMonth) -> str:
    return (f"{pm.lines} lines, {pm.amount_fen} fen, arrears {pm.arrears_fen} fen, "
            f"to recover {pm.recovery_fen} fen on {pm.recovery_lines} lines")


async def _month_of(session: AsyncSession, county: str, month: str, *,
                    for_update: bool = False) -> PaymentMonth | None:
    query = select(PaymentMonth).where(PaymentMonth.county == county,
                                       PaymentMonth.month == month)
    return await session.scalar(query.with_for_update() if for_update else query)


async def _check_order(session: AsyncSession, county: str, month: str) -> None:
    """Months go in order: every earlier month of the county frozen, none later made yet, so a
    frozen month's corrections are carried once, by the month after it."""
    earlier = await session.scalar(
        select(func.min(PaymentMonth.month)).where(
            PaymentMonth.county == county, PaymentMonth.month < month,
            PaymentMonth.state == MonthState.draft))
    if earlier is not None:
        raise LedgerOutOfOrder(f"the ledger of {earlier} for county {county} is not submitted "
                               f"yet: {month} follows it", month=earlier)
    later = await session.scalar(
        select(func.max(PaymentMonth.month)).where(PaymentMonth.county == county,
                                                   PaymentMonth.month > month))
    if later is not None:
        raise LedgerOutOfOrder(f"county {county} has the ledger of {later} already: {month} "
                               "cannot come after it", month=later)


async def generate_ledger(
    session: AsyncSession, *, county: str, month: str, by_clock: bool = False,
) -> PaymentMonth:
    """生成台账: the county's ledger of ``month`` from the payment basis (R-DI-1), a draft
    until submitted; generated again while a draft, before the cut-off (R-DI-2). The clock
    (``by_clock``) may generate it at the cut-off, just before it freezes it."""
    now = now_of(session)
    payment_month = await _month_of(session, county, month, for_update=True)
    if (payment_month is not None and payment_month.state != MonthState.draft) or (
            not by_clock and is_frozen(month, now)):
        raise _frozen(payment_month, county, month)
    await _check_order(session, county, month)
    regenerated = payment_month is not None
    if payment_month is None:  # made here, or by a request or replica at the same moment
        made = context.new_id()
        await session.execute(upsert_insert(session, PaymentMonth).values(
            id=made, county=county, month=month, state=MonthState.draft,
            cutoff_at=cutoff_of(month), lines=0, amount_fen=0, arrears_fen=0, recovery_fen=0,
            recovery_lines=0, changes_after=now, generated_at=now, generated_by=actor(),
            payments=0, payments_ready=0, payments_held=0, payments_fen=0, created_at=now,
            updated_at=now).on_conflict_do_nothing(index_elements=["county", "month"]))
        payment_month = await _month_of(session, county, month, for_update=True)
        assert payment_month is not None
        if payment_month.state != MonthState.draft:
            raise _frozen(payment_month, county, month)
        regenerated = payment_month.id != made
    await write_ledger(session, payment_month)
    payment_month.generated_at, payment_month.generated_by = now, actor()
    payment_month.changes_after = now - SETTLE
    payment_month.reviewed_at = payment_month.reviewed_by = None
    await record_step(session, payment_month,
                      Step.regenerated if regenerated else Step.generated,
                      _ledger_detail(payment_month), now)
    await emit(session, LedgerGenerated(
        payment_month_id=payment_month.id, county=county, month=month, regenerated=regenerated,
        lines=payment_month.lines, amount_fen=payment_month.amount_fen,
        arrears_fen=payment_month.arrears_fen, recovery_fen=payment_month.recovery_fen,
        recovery_lines=payment_month.recovery_lines), subject=payment_month.id, division=county)
    return payment_month


async def _open_draft(session: AsyncSession, *, user: User,
                      payment_month_id: str) -> PaymentMonth:
    payment_month = await get_month(session, user=user, payment_month_id=payment_month_id,
                                    for_update=True, whole_county=True)
    if payment_month.state != MonthState.draft or is_frozen(payment_month.month,
                                                            now_of(session)):
        raise _frozen(payment_month, payment_month.county, payment_month.month)
    return payment_month


async def regenerate_ledger(session: AsyncSession, *, user: User,
                            payment_month_id: str) -> PaymentMonth:
    """The draft generated again from the basis as it is now (R-DI-2)."""
    payment_month = await _open_draft(session, user=user, payment_month_id=payment_month_id)
    return await generate_ledger(session, county=payment_month.county,
                                 month=payment_month.month)


async def review_ledger(session: AsyncSession, *, user: User,
                        payment_month_id: str) -> PaymentMonth:
    """审核: an officer has reviewed the draft as generated (R-DI-2)."""
    payment_month = await _open_draft(session, user=user, payment_month_id=payment_month_id)
    now = now_of(session)
    payment_month.reviewed_at, payment_month.reviewed_by = now, user.user_id
    await record_step(session, payment_month, Step.reviewed, _ledger_detail(payment_month), now)
    await emit(session, LedgerReviewed(
        payment_month_id=payment_month.id, county=payment_month.county,
        month=payment_month.month, lines=payment_month.lines,
        amount_fen=payment_month.amount_fen, arrears_fen=payment_month.arrears_fen),
        subject=payment_month.id, division=payment_month.county)
    return payment_month


async def submit_ledger(session: AsyncSession, *, user: User,
                        payment_month_id: str) -> PaymentMonth:
    """报送: the reviewed ledger submitted before the cut-off, and frozen from now (R-DI-2)."""
    payment_month = await _open_draft(session, user=user, payment_month_id=payment_month_id)
    if payment_month.reviewed_at is None:
        raise LedgerNotReviewed(f"the ledger of {payment_month.month} was generated at "
                                f"{payment_month.generated_at.isoformat()} and not reviewed "
                                "since: review it, then submit it")
    await _freeze(session, payment_month, by_clock=False)
    return payment_month


async def _freeze(session: AsyncSession, payment_month: PaymentMonth, *, by_clock: bool) -> None:
    now = now_of(session)
    payment_month.state = MonthState.submitted
    payment_month.submitted_at, payment_month.submitted_by = now, actor()
    await record_step(session, payment_month, Step.frozen if by_clock else Step.submitted,
                      _ledger_detail(payment_month), now)
    await emit(session, LedgerSubmitted(
        payment_month_id=payment_month.id, county=payment_month.county,
        month=payment_month.month, by_clock=by_clock, cutoff_at=payment_month.cutoff_at,
        lines=payment_month.lines, amount_fen=payment_month.amount_fen,
        arrears_fen=payment_month.arrears_fen, recovery_fen=payment_month.recovery_fen),
        subject=payment_month.id, division=payment_month.county)


async def counties_paid_monthly(session: AsyncSession) -> list[str]:
    """The counties with monthly payees (the first six digits of their divisions)."""
    county = func.substr(Payee.division, 1, 6)
    return list((await session.scalars(
        select(county).where(Payee.payment == "monthly").group_by(county)
        .order_by(county))).all())


async def draft_ledgers(session: AsyncSession) -> str:
    """Job: the draft ledger of the open month for every county paying monthly that has none
    yet, for the officer to review and submit before the cut-off (R-DI-2); and the payees
    whose stop month has come marked stopped."""
    now = now_of(session)
    stopped = await mark_due_stops(session, month=month_of(today_of(session)))
    month = open_month(now)
    made, waiting = [], []
    for county in await counties_paid_monthly(session):
        if await _month_of(session, county, month) is not None:
            continue
        earlier = await session.scalar(select(func.min(PaymentMonth.month)).where(
            PaymentMonth.county == county, PaymentMonth.month < month,
            PaymentMonth.state == MonthState.draft))
        if earlier is not None:  # its cut-off job (on another replica, say) has not frozen it
            waiting.append(f"{county} after {earlier}")
            continue
        made.append(await generate_ledger(session, county=county, month=month))
    wait = f"; waiting for a frozen ledger: {', '.join(waiting)}" if waiting else ""
    return (f"{month}: {len(made)} draft ledgers generated "
            f"({', '.join(p.county for p in made) or 'none needed'}){wait}; "
            f"{stopped} payees stopped")


async def freeze_ledgers(session: AsyncSession) -> str:
    """Job at the cut-off: a ledger the officer has not submitted is generated again from the
    basis as it stands at the cut-off and frozen by the clock, so it holds every change made
    before it. A county paying monthly gets every month up to the one cut off last that it
    lacks (none yet: that one; the service down over several cut-offs: each missed month, in
    order, so no month goes unpaid) made and frozen (R-DI-2)."""
    now = now_of(session)
    due = add_months(open_month(now), -1)  # the month whose cut-off passed last
    drafts = (await session.scalars(
        select(PaymentMonth).where(PaymentMonth.state == MonthState.draft,
                                   PaymentMonth.cutoff_at <= now)
        .order_by(PaymentMonth.month, PaymentMonth.county))).all()
    frozen = []
    for draft in drafts:
        await generate_ledger(session, county=draft.county, month=draft.month, by_clock=True)
        await _freeze(session, draft, by_clock=True)
        frozen.append(f"{draft.county} {draft.month}")
    for county in await counties_paid_monthly(session):
        latest = await session.scalar(select(func.max(PaymentMonth.month))
                                      .where(PaymentMonth.county == county))
        month = due if latest is None else add_months(latest, 1)
        while month <= due:
            made = await generate_ledger(session, county=county, month=month, by_clock=True)
            await _freeze(session, made, by_clock=True)
            frozen.append(f"{county} {month}")
            month = add_months(month, 1)
    return f"{len(frozen)} ledgers frozen by the clock ({', '.join(frozen) or 'none due'})"


async def mark_due_stops(session: AsyncSession, *, month: str) -> int:
    """停发 in force: payees whose stop month has come are marked stopped (one statement)."""
    result = await session.execute(
        update(Payee).where(Payee.status == PayeeStatus.active, Payee.stopped_from.is_not(None),
                            Payee.stopped_from <= month)
        .values(status=PayeeStatus.stopped, updated_at=now_of(session))
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _sees_county(user: User, county: str) -> bool:
    """A county's month is seen by whoever reaches the county or a division inside it."""
    return user.can_access(county) or any(own.startswith(county) for own in user.divisions)


async def get_month(session: AsyncSession, *, user: User, payment_month_id: str,
                    for_update: bool = False, whole_county: bool = False) -> PaymentMonth:
    """One payment month the user may see (a county's month is seen from inside the county);
    to act on it or read all its lines (``whole_county``) the user's divisions hold the
    county. 404 otherwise (R-SE-1)."""
    query = select(PaymentMonth).where(PaymentMonth.id == payment_month_id)
    payment_month = await session.scalar(query.with_for_update() if for_update else query)
    missing = f"no payment month {payment_month_id}"
    if payment_month is None:
        raise NotFound(missing)
    if whole_county or not _sees_county(user, payment_month.county):
        user.require_record(payment_month.county, missing)  # 404 as if none, logged
    return payment_month


async def steps_of(session: AsyncSession, payment_month_id: str) -> Sequence[PaymentMonthStep]:
    return (await session.scalars(
        select(PaymentMonthStep).where(PaymentMonthStep.payment_month_id == payment_month_id)
        .order_by(PaymentMonthStep.id))).all()


async def list_months(
    session: AsyncSession, *, user: User, county: str | None = None, month: str | None = None,
    state: MonthState | None = None, window: Window | None = None,
) -> Sequence[PaymentMonth]:
    """Payment months of the counties the user works in or over, the latest month first
    (:data:`MONTHS`)."""
    query = select(PaymentMonth).where(or_(
        user.jurisdiction(PaymentMonth.county),
        PaymentMonth.county.in_(sorted({own[:6] for own in user.divisions}))))
    query = where_given(query, (PaymentMonth.county, county), (PaymentMonth.month, month),
                        (PaymentMonth.state, state))
    query = (window or Window(MONTHS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def list_lines(
    session: AsyncSession, *, user: User, payment_month_id: str, division: str | None = None,
    window: Window | None = None,
) -> Sequence[LedgerLine]:
    """A month's ledger lines inside the user's divisions, as generated (:data:`LINES`)."""
    await get_month(session, user=user, payment_month_id=payment_month_id)
    query = select(LedgerLine).where(LedgerLine.payment_month_id == payment_month_id,
                                     user.jurisdiction(LedgerLine.division))
    if division is not None:
        query = query.where(LedgerLine.division.startswith(division))
    query = (window or Window(LINES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def list_corrections(
    session: AsyncSession, *, user: User, payment_month_id: str, kind: str | None = None,
    window: Window | None = None,
) -> Sequence[Any]:
    """The corrections of frozen months a ledger carries, inside the user's divisions: per
    payee and frozen month, arrears (补发, positive) or to recover (追缴, negative), R-DI-2."""
    await get_month(session, user=user, payment_month_id=payment_month_id)
    columns: list[Any] = [LedgerCorrection.id, LedgerCorrection.payee_id,
                          LedgerCorrection.for_month, LedgerCorrection.amount_fen,
                          Payee.beneficiary_id, Payee.division, Payee.name_masked]
    query = (
        select(*columns).join(Payee, Payee.id == LedgerCorrection.payee_id)
        .where(LedgerCorrection.payment_month_id == payment_month_id,
               user.jurisdiction(Payee.division)))
    if kind == "arrears":
        query = query.where(LedgerCorrection.amount_fen > 0)
    elif kind == "recovery":
        query = query.where(LedgerCorrection.amount_fen < 0)
    query = (window or Window(CORRECTIONS, limit=100)).apply(query)
    return (await session.execute(query)).all()
