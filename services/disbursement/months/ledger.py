"""The ledger (台账) of a county's month as a few set-based statements (R-DI-1, R-DI-2).

The lines come from confirmed system data only, the payment basis and its change history
(``payee``, ``payee_change``): the monthly payees paid in P (started by P, not stopped from P or
before) at the amount in force for P. A frozen month never changes: what the basis says now
about a frozen month, less what was ledgered for it and already carried, is carried into the
month being generated, positive as arrears (补发) paid with it, negative listed to be recovered
(追缴), never netted into a negative payment. Only the payees with a change recorded after a
frozen month's lines were read are looked at for it, so the work follows the changes, not the
size of the roll. No statement builds one Python object per row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.disbursement.beneficiaries.models import Payee, PayeeChange
from services.disbursement.months.models import (
    LedgerCorrection,
    LedgerLine,
    MonthState,
    PaymentMonth,
)

SETTLE = timedelta(minutes=10)
"""A change recorded up to this long before the lines were read may still have been in flight
(committed after the read): later months look at it again. Looking again costs nothing, a
correction is the exact difference."""


def in_county(county: str) -> ColumnElement[bool]:
    """Payees of the county (division codes start with the county's six digits)."""
    return Payee.division.startswith(county)


def paid_in(month: Any) -> ColumnElement[bool]:
    """A monthly payee is paid in ``month``: started by it and not stopped from it or before."""
    return and_(Payee.payment == "monthly", Payee.start_month <= month,
                or_(Payee.stopped_from.is_(None), Payee.stopped_from > month))


def amount_in_force(month: Any) -> ColumnElement[int]:
    """The monthly amount in force for ``month``: the latest change with an amount whose month
    is ``month`` or before. The payee row keeps the latest of all (``amount_fen`` from
    ``amount_from``), which is it unless a later month's change is already known."""
    change = aliased(PayeeChange)
    latest = (select(change.amount_fen)
              .where(change.payee_id == Payee.id, change.amount_fen.is_not(None),
                     change.effective_month <= month)
              .order_by(change.effective_month.desc(), change.id.desc())
              .limit(1).correlate_except(change).scalar_subquery())
    return case((Payee.amount_from <= month, Payee.amount_fen), else_=func.coalesce(latest, 0))


def basis_for(month: Any) -> ColumnElement[int]:
    """What the payment basis says a payee is owed for ``month`` (0 when not paid in it)."""
    return case((paid_in(month), amount_in_force(month)), else_=0)


async def write_ledger(session: AsyncSession, payment_month: PaymentMonth) -> None:
    """(Re)write the lines and carried corrections of ``payment_month``, then its totals."""
    month_id, county, month = payment_month.id, payment_month.county, payment_month.month
    await session.execute(delete(LedgerLine).where(LedgerLine.payment_month_id == month_id))
    await session.execute(delete(LedgerCorrection)
                          .where(LedgerCorrection.payment_month_id == month_id))
    await _carry_corrections(session, month_id=month_id, county=county, month=month)
    await _insert_lines(session, month_id=month_id, county=county, month=month)
    totals = (await session.execute(
        select(func.count(), func.coalesce(func.sum(LedgerLine.amount_fen), 0),
               func.coalesce(func.sum(LedgerLine.arrears_fen), 0),
               func.coalesce(func.sum(LedgerLine.recovery_fen), 0),
               func.count(case((LedgerLine.recovery_fen > 0, 1))))
        .where(LedgerLine.payment_month_id == month_id))).one()
    (payment_month.lines, payment_month.amount_fen, payment_month.arrears_fen,
     payment_month.recovery_fen, payment_month.recovery_lines) = (int(v) for v in totals)


async def _carry_corrections(session: AsyncSession, *, month_id: str, county: str,
                             month: str) -> None:
    frozen = aliased(PaymentMonth)
    candidates = (
        select(PayeeChange.payee_id.label("payee_id"), frozen.month.label("for_month"))
        .join(frozen, and_(frozen.county == county, frozen.state != MonthState.draft,
                           frozen.month < month, PayeeChange.effective_month <= frozen.month,
                           PayeeChange.recorded_at > frozen.changes_after))
        .distinct().subquery("candidate"))
    line = aliased(LedgerLine)
    ledgered = (select(func.coalesce(func.sum(line.amount_fen), 0))
                .where(line.payee_id == candidates.c.payee_id,
                       line.month == candidates.c.for_month)
                .correlate_except(line).scalar_subquery())
    earlier = aliased(LedgerCorrection)
    carried = (select(func.coalesce(func.sum(earlier.amount_fen), 0))
               .where(earlier.payee_id == candidates.c.payee_id,
                      earlier.for_month == candidates.c.for_month)
               .correlate_except(earlier).scalar_subquery())
    differences = (
        select(candidates.c.payee_id, candidates.c.for_month,
               (basis_for(candidates.c.for_month) - ledgered - carried).label("amount_fen"))
        .select_from(candidates.join(Payee, Payee.id == candidates.c.payee_id))
        .where(in_county(county)).subquery("difference"))
    await session.execute(insert(LedgerCorrection).from_select(
        ["payment_month_id", "month", "payee_id", "for_month", "amount_fen"],
        select(literal(month_id), literal(month), differences.c.payee_id,
               differences.c.for_month, differences.c.amount_fen)
        .where(differences.c.amount_fen != 0)))


async def _insert_lines(session: AsyncSession, *, month_id: str, county: str,
                        month: str) -> None:
    amount = LedgerCorrection.amount_fen
    carried = (
        select(LedgerCorrection.payee_id,
               func.sum(case((amount > 0, amount), else_=0)).label("arrears"),
               func.sum(case((amount < 0, -amount), else_=0)).label("recovery"))
        .where(LedgerCorrection.payment_month_id == month_id)
        .group_by(LedgerCorrection.payee_id).subquery("carried"))
    await session.execute(insert(LedgerLine).from_select(
        ["payment_month_id", "month", "payee_id", "beneficiary_id", "program", "division",
         "unit", "name_masked", "amount_fen", "arrears_fen", "recovery_fen"],
        select(literal(month_id), literal(month), Payee.id, Payee.beneficiary_id,
               Payee.program, Payee.division, Payee.unit, Payee.name_masked,
               basis_for(month), func.coalesce(carried.c.arrears, 0),
               func.coalesce(carried.c.recovery, 0))
        .select_from(Payee).outerjoin(carried, carried.c.payee_id == Payee.id)
        .where(in_county(county), Payee.payment == "monthly",
               or_(paid_in(month), carried.c.payee_id.is_not(None)))))
