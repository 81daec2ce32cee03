"""Disbursement's reports, each one set-based query: work funds against 2% of the year's
assistance funds paid (R-DI-8), and the monthly summary per township and county."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries.models import Payee
from services.disbursement.payments.models import Payment, PaymentStatus
from services.disbursement.reports.models import WorkFundSpending
from services.disbursement.reports.schemas import (
    MonthlySummary,
    SpendingIn,
    StatusFigures,
    SummaryRow,
    WorkFundReport,
)
from shared import divisions
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.disbursement import WorkFundSpendingRecorded
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import InvalidField

SPENDING = Keyset("work-funds", WorkFundSpending.recorded_at.desc(), WorkFundSpending.id.desc())
WORK_FUND_SHARE = (2, 100)
"""R-DI-8: work funds may not exceed 2% of the year's assistance funds."""
STATUSES = tuple(PaymentStatus)


def work_fund_figures(county: str, year: int, paid_fen: int, spent_fen: int) -> WorkFundReport:
    """R-DI-8 in integers: over when spent × 100 > paid × 2; the limit rounded down."""
    numerator, denominator = WORK_FUND_SHARE
    limit = paid_fen * numerator // denominator
    over = spent_fen * denominator > paid_fen * numerator
    return WorkFundReport(
        county=county, year=year, assistance_paid_fen=paid_fen, work_funds_fen=spent_fen,
        limit_fen=limit,
        share_basis_points=spent_fen * 10_000 // paid_fen if paid_fen else None,
        over_limit=over, excess_fen=spent_fen - limit if over else 0)


def _county(county: str) -> None:
    if divisions.level(county) != "county":
        raise InvalidField("county", f"{county} is not a 6-digit county code")


async def record_spending(session: AsyncSession, *, user: User, body: SpendingIn
                          ) -> WorkFundSpending:
    _county(body.county)
    user.require_access(body.county)
    spending = WorkFundSpending(
        id=new_id(), county=body.county, year=body.spent_on.year, amount_fen=body.amount_fen,
        spent_on=body.spent_on, purpose=body.purpose, recorded_by=user.user_id,
        recorded_at=now_of(session))
    session.add(spending)
    await session.flush()
    await emit(session, WorkFundSpendingRecorded(
        spending_id=spending.id, county=spending.county, year=spending.year,
        amount_fen=spending.amount_fen, spent_on=spending.spent_on, purpose=spending.purpose),
        subject=spending.id, division=spending.county)
    return spending


async def list_spending(session: AsyncSession, *, user: User, county: str | None = None,
                        year: int | None = None, window: Window | None = None
                        ) -> Sequence[WorkFundSpending]:
    query = select(WorkFundSpending).where(user.jurisdiction(WorkFundSpending.county))
    if county is not None:
        query = query.where(WorkFundSpending.county == county)
    if year is not None:
        query = query.where(WorkFundSpending.year == year)
    query = (window or Window(SPENDING, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def work_fund_report(session: AsyncSession, *, user: User, county: str, year: int
                           ) -> WorkFundReport:
    """R-DI-8: the year's work funds of the county against 2% of the assistance funds paid for
    the year's months (payments paid, from the treasury or a reserve)."""
    _county(county)
    user.require_access(county)
    paid = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(
            Payment.status == PaymentStatus.paid,
            Payment.month >= f"{year}-01", Payment.month <= f"{year}-12",
            Payment.division.startswith(county)))
    spent = await session.scalar(
        select(func.coalesce(func.sum(WorkFundSpending.amount_fen), 0)).where(
            WorkFundSpending.county == county, WorkFundSpending.year == year))
    return work_fund_figures(county, year, int(paid or 0), int(spent or 0))


def _figures(cells: dict[str, tuple[int, int]], status: str) -> StatusFigures:
    count, amount = cells.get(status, (0, 0))
    return StatusFigures(count=count, amount_fen=amount)


def _row(division: str, program: str | None, payees: int,
         cells: dict[str, tuple[int, int]]) -> SummaryRow:
    return SummaryRow(
        division=division, program=program, payees=payees,
        payments=sum(c for c, _ in cells.values()), amount_fen=sum(a for _, a in cells.values()),
        **{status.value: _figures(cells, status) for status in STATUSES})


def _add(into: dict[str, tuple[int, int]], cells: dict[str, tuple[int, int]]) -> None:
    for status, (count, amount) in cells.items():
        c, a = into.get(status, (0, 0))
        into[status] = (c + count, a + amount)


async def monthly_summary(session: AsyncSession, *, user: User, county: str, month: str
                          ) -> MonthlySummary:
    """Per township and program of the county: the payees paid for ``month`` and its payments
    by status, count and amount; then per township, then the county. Two grouped queries,
    whatever the number of payments; only divisions inside the user's."""
    _county(county)  # a township's staff see their township's rows only
    township = func.substr(Payment.division, 1, 9)
    by_status = (await session.execute(
        select(township, Payment.program, Payment.status, func.count(),
               func.coalesce(func.sum(Payment.amount_fen), 0))
        .where(Payment.month == month, Payment.division.startswith(county),
               user.jurisdiction(Payment.division))
        .group_by(township, Payment.program, Payment.status))).all()
    payee_township = func.substr(Payee.division, 1, 9)
    active = and_(Payee.start_month <= month,
                  or_(Payee.stopped_from.is_(None), Payee.stopped_from > month),
                  or_(Payee.payment == "monthly", Payee.start_month == month))
    payees = (await session.execute(
        select(payee_township, Payee.program, func.count())
        .where(Payee.division.startswith(county), user.jurisdiction(Payee.division), active)
        .group_by(payee_township, Payee.program))).all()
    cells: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    for town, program, status, count, amount in by_status:
        cells[(town, program)][status] = (int(count), int(amount))
    counted = {(town, program): int(n) for town, program, n in payees}
    return MonthlySummary(month=month, county=county,
                          rows=list(_rows(county, cells, counted)))


def _rows(county: str, cells: dict[tuple[str, str], dict[str, tuple[int, int]]],
          counted: dict[tuple[str, str], int]) -> Iterable[SummaryRow]:
    keys = sorted(set(cells) | set(counted))
    towns: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    town_payees: dict[str, int] = defaultdict(int)
    total: dict[str, tuple[int, int]] = {}
    for town, program in keys:
        here = cells.get((town, program), {})
        yield _row(town, program, counted.get((town, program), 0), here)
        _add(towns[town], here)
        _add(total, here)
        town_payees[town] += counted.get((town, program), 0)
    for town in sorted(towns):
        yield _row(town, None, town_payees[town], towns[town])
    yield _row(county, None, sum(town_payees.values()), total)
