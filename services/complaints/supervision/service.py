"""Rules of the monthly supervision (月度督导, R-OV-4): the county records its supervision of
each township each month (problems go on the rectification ledger, R-OV-3) and reports to the
city: per township the dedicated staff (at least 2, flagged when fewer), acceptance,
investigations, decisions and their on-time rate, overdue items (ledger and complaints) and
the month's spot checks. The figures are kept from the other services' events and counted in
SQL (one grouped query each); a report sent is kept as sent, with its digest, and is an event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.lists import overdue_by_handler
from services.complaints.rectification import service as ledger
from services.complaints.rectification.models import Source
from services.complaints.spot_checks.models import SpotCheck
from services.complaints.supervision.models import (
    SupervisedApplication,
    SupervisedStaff,
    SupervisionReport,
    SupervisionVisit,
)
from services.complaints.supervision.report import STAFF_MINIMUM, MonthlyReport, TownshipLine
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.complaints import SupervisionRecorded, SupervisionReportSent
from shared.db import per_transaction
from shared.divisions import is_within, level, name_of
from shared.events import Envelope
from shared.inputs import Keyset, Window
from shared.months import add_months, first_day, month_of
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.records import get_in_jurisdiction

VISITS = Keyset("supervision-visits", SupervisionVisit.month.desc(), SupervisionVisit.id.asc())
REPORTS = Keyset("supervision-reports", SupervisionReport.made_at.desc(),
                 SupervisionReport.id.asc())


class AlreadySupervised(Conflict):
    slug = "supervision-recorded"
    title = "The township's supervision of the month is already recorded"


def last_day(month: str) -> date:
    return first_day(add_months(month, 1)) - timedelta(days=1)


def _township(division: str | None) -> str | None:
    return division[:9] if division is not None and len(division) >= 9 else None


# --- the figures, from the other services' events ---------------------------------------------


def _kept(session: AsyncSession) -> dict[str, SupervisedApplication | None]:
    """The applications this transaction has read or added, by id (None: none yet).

    A consumer applies a batch of events in one transaction: the batch's rows are read in one
    query before its first event (:func:`read_applications`) and written together at its
    commit, so an event about an application already seen in the batch finds it here."""
    return per_transaction(session, "supervised_applications", dict)


async def read_applications(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """The batch hook: the rows of every application the batch's events name, in one query
    (where each event read its own)."""
    kept = _kept(session)
    ids = list(dict.fromkeys(
        i for e in events if isinstance(i := e.data.get("application_id"), str)
        and i not in kept))
    if not ids:
        return
    with session.no_autoflush:
        found = {row.application_id: row for row in await session.scalars(
            select(SupervisedApplication)
            .where(SupervisedApplication.application_id.in_(ids)))}
    kept.update((i, found.get(i)) for i in ids)


async def _application(session: AsyncSession, application_id: str,
                       division: str | None) -> SupervisedApplication | None:
    kept = _kept(session)
    if application_id in kept:
        row = kept[application_id]
    else:
        row = kept[application_id] = await session.get(SupervisedApplication, application_id)
    township = _township(division)
    if row is None and township is not None:
        row = kept[application_id] = SupervisedApplication(
            application_id=application_id, township=township, county=township[:6])
        session.add(row)
    elif row is not None and township is not None:
        row.township, row.county = township, township[:6]
    return row


async def on_accepted(session: AsyncSession, *, application_id: str, division: str,
                      accepted_on: date, review_due_on: date) -> None:
    row = await _application(session, application_id, division)
    if row is not None:
        row.accepted_on, row.review_due_on = accepted_on, review_due_on


async def on_deadline_extended(session: AsyncSession, *, application_id: str, division: str,
                               review_due_on: date) -> None:
    row = await _application(session, application_id, division)
    if row is not None:
        row.review_due_on = review_due_on
        if row.decided_on is not None:
            row.on_time = row.decided_on <= review_due_on


async def on_investigated(session: AsyncSession, *, application_id: str,
                          division: str | None, completed_on: date) -> None:
    row = await _application(session, application_id, division)
    if row is not None:
        row.investigated_on = completed_on


async def on_decided(session: AsyncSession, *, application_id: str, division: str,
                     decided_on: date) -> None:
    row = await _application(session, application_id, division)
    if row is not None:
        row.decided_on = decided_on
        row.on_time = None if row.review_due_on is None else decided_on <= row.review_due_on


async def on_staff(session: AsyncSession, *, staff_id: str, division: str, kind: str,
                   dedicated: bool, valid_from: date, valid_until: date | None) -> None:
    row = await session.get(SupervisedStaff, staff_id)
    if row is None:
        row = SupervisedStaff(staff_id=staff_id)
        session.add(row)
    row.division, row.kind, row.dedicated = division, kind, dedicated
    row.valid_from, row.valid_until = valid_from, valid_until


# --- the supervision records ------------------------------------------------------------------


async def record_visit(
    session: AsyncSession, *, user: User, township: str, month: str, visited_on: date,
    supervisors: str, seen: str, problems: Sequence[tuple[str, str, date]],
) -> SupervisionVisit:
    """R-OV-4: the county's supervision of a township in a month, once (409
    ``supervision-recorded``), on a day of that month not after today; each problem (finding,
    responsible, deadline) goes on the rectification ledger. Emits ``supervision_recorded``."""
    if level(township) != "township":
        raise InvalidField("township", f"{township} is not a township code (9 digits)")
    user.require_access(township)
    if month_of(visited_on) != month:
        raise InvalidField("visited_on", f"{visited_on} is not in {month}")
    if visited_on > today_of(session):
        raise InvalidField("visited_on", f"{visited_on} is after today")
    if await session.scalar(select(SupervisionVisit.id).where(
            SupervisionVisit.division == township, SupervisionVisit.month == month)):
        raise AlreadySupervised(f"township {township}'s supervision of {month} is recorded: "
                                "a further problem goes on the rectification ledger")
    visit = SupervisionVisit(
        id=new_id(), division=township, month=month, visited_on=visited_on,
        supervisors=supervisors, seen=seen, problems=len(problems), item_ids=[],
        recorded_by=user.user_id, recorded_at=now_of(session))
    session.add(visit)
    await session.flush()
    items = [await ledger.open_item(
        session, source=Source.supervision, source_id=visit.id, division=township,
        finding=finding, responsible=responsible, due_on=due_on, opened_by=user.user_id)
        for finding, responsible, due_on in problems]
    visit.item_ids = [i.id for i in items]
    await session.flush()
    await emit(session, SupervisionRecorded(
        visit_id=visit.id, division=township, month=month, visited_on=visited_on,
        supervisors=supervisors, seen=seen, rectification_item_ids=visit.item_ids,
        recorded_by=user.user_id, recorded_at=visit.recorded_at),
        subject=visit.id, division=township)
    return visit


async def list_visits(session: AsyncSession, *, user: User, month: str | None = None,
                      window: Window | None = None) -> Sequence[SupervisionVisit]:
    query = select(SupervisionVisit).where(user.jurisdiction(SupervisionVisit.division))
    if month is not None:
        query = query.where(SupervisionVisit.month == month)
    return (await session.scalars((window or Window(VISITS, limit=100)).apply(query))).all()


async def get_visit(session: AsyncSession, *, user: User, visit_id: str) -> SupervisionVisit:
    return await get_in_jurisdiction(session, SupervisionVisit, visit_id, user=user,
                                     missing=f"no supervision record {visit_id}")


# --- the monthly report -----------------------------------------------------------------------


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _staff_counts(session: AsyncSession, county: str, on: date) -> dict[str, int]:
    township = func.substr(SupervisedStaff.division, 1, 9)
    rows = await session.execute(
        select(township, _count(SupervisedStaff.dedicated.is_(True)))
        .where(SupervisedStaff.division.startswith(county),
               func.length(SupervisedStaff.division) >= 9,
               SupervisedStaff.valid_from <= on,
               or_(SupervisedStaff.valid_until.is_(None), SupervisedStaff.valid_until > on))
        .group_by(township))
    return {t: int(n) for t, n in rows}


async def _application_counts(session: AsyncSession, county: str, start: date,
                              end: date) -> dict[str, tuple[int, int, int, int]]:
    a = SupervisedApplication

    def within(column: Any) -> Any:
        return and_(column >= start, column <= end)

    rows = await session.execute(
        select(a.township, _count(within(a.accepted_on)), _count(within(a.investigated_on)),
               _count(within(a.decided_on)), _count(and_(within(a.decided_on),
                                                         a.on_time.is_(True))))
        .where(a.county == county,
               or_(within(a.accepted_on), within(a.investigated_on), within(a.decided_on)))
        .group_by(a.township))
    return {t: (int(x), int(i), int(d), int(o)) for t, x, i, d, o in rows}


async def _spot_check_counts(session: AsyncSession, county: str, start: date,
                             end: date) -> dict[str, tuple[int, int]]:
    rows = await session.execute(
        select(SpotCheck.township, func.count(), _count(SpotCheck.needs_correction.is_(True)))
        .where(SpotCheck.township.startswith(county), SpotCheck.checked_on >= start,
               SpotCheck.checked_on <= end)
        .group_by(SpotCheck.township))
    return {t: (int(n), int(f)) for t, n, f in rows}


async def complaints_overdue(session: AsyncSession, *, user: User,
                             county: str) -> dict[str, tuple[int, int]]:
    """Per handling township: complaints past their handling deadline and answers past theirs,
    read through the complaints module's own count (R-CO-3)."""
    counts = await overdue_by_handler(session, user=user)
    return {c.handled_by: (c.handling_overdue, c.answer_overdue) for c in counts
            if c.handled_by.startswith(county) and len(c.handled_by) == 9}


async def monthly_report(session: AsyncSession, *, user: User, county: str,
                         month: str) -> MonthlyReport:
    """R-OV-4: the county's report of a month (not after the current one), per township."""
    if level(county) != "county":
        raise InvalidField("county", f"{county} is not a county code (6 digits)")
    user.require_access(county)
    today = today_of(session)
    if month > month_of(today):
        raise InvalidField("month", f"{month} has not begun")
    start, end = first_day(month), min(last_day(month), today)
    staff = await _staff_counts(session, county, end)
    applications = await _application_counts(session, county, start, end)
    checks = await _spot_check_counts(session, county, start, end)
    overdue_items: dict[str, int] = {}
    for division, n in (await ledger.overdue_by_division(session, county=county,
                                                         today=today)).items():
        if (t := _township(division)) is not None:
            overdue_items[t] = overdue_items.get(t, 0) + n
    complaints = await complaints_overdue(session, user=user, county=county)
    visits = {v.division: v for v in (await session.scalars(select(SupervisionVisit).where(
        SupervisionVisit.division.startswith(county), SupervisionVisit.month == month))).all()}
    townships = sorted({t for t in (*staff, *applications, *checks, *overdue_items,
                                    *complaints, *visits) if is_within(t, county)})
    lines = []
    for t in townships:
        accepted, investigated, decided, on_time = applications.get(t, (0, 0, 0, 0))
        visit = visits.get(t)
        dedicated = staff.get(t, 0)
        flags = []
        if dedicated < STAFF_MINIMUM:
            flags.append(f"dedicated staff {dedicated}, fewer than {STAFF_MINIMUM} (二(四)7)")
        if visit is None:
            flags.append("not supervised this month")
        if decided and on_time < decided:
            flags.append(f"{decided - on_time} of {decided} decisions after their due date")
        lines.append(TownshipLine(
            township=t, name=name_of(t), dedicated_staff=dedicated,
            staff_short=dedicated < STAFF_MINIMUM, accepted=accepted,
            investigations_completed=investigated, decided=decided, decided_on_time=on_time,
            on_time_percent=round(on_time * 100 / decided, 1) if decided else None,
            overdue_rectification=overdue_items.get(t, 0),
            overdue_complaints=complaints.get(t, (0, 0))[0],
            overdue_answers=complaints.get(t, (0, 0))[1],
            spot_checks=checks.get(t, (0, 0))[0], spot_check_findings=checks.get(t, (0, 0))[1],
            supervised=visit is not None, supervision_visit_id=visit.id if visit else None,
            supervision_problems=visit.problems if visit else 0, flags=flags))
    summed = ("dedicated_staff", "accepted", "investigations_completed", "decided",
              "decided_on_time", "overdue_rectification", "overdue_complaints",
              "overdue_answers", "spot_checks", "spot_check_findings", "supervision_problems")
    return MonthlyReport(
        county=county, county_name=name_of(county), month=month,
        period_from=start.isoformat(), period_to=last_day(month).isoformat(), townships=lines,
        totals={k: sum(getattr(line, k) for line in lines) for k in summed},
        townships_supervised=sum(1 for line in lines if line.supervised),
        townships_short_of_staff=sum(1 for line in lines if line.staff_short))


def digest_of(content: dict[str, Any]) -> str:
    """SHA-256 of the report's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def send_report(session: AsyncSession, *, user: User, county: str,
                      month: str) -> SupervisionReport:
    """R-OV-4: make the report of an ended month and record it as sent to the city (a month
    sent again is its next version); emits ``supervision_report_sent``."""
    if month >= month_of(today_of(session)):
        raise InvalidField("month", f"{month} has not ended: its report follows it")
    content = (await monthly_report(session, user=user, county=county,
                                    month=month)).model_dump(mode="json")
    latest = await session.scalar(select(func.max(SupervisionReport.version)).where(
        SupervisionReport.division == county, SupervisionReport.month == month))
    report = SupervisionReport(
        id=new_id(), division=county, month=month, version=(latest or 0) + 1, content=content,
        sha256=digest_of(content), made_by=user.user_id, made_at=now_of(session))
    session.add(report)
    await session.flush()
    await emit(session, SupervisionReportSent(
        report_id=report.id, division=county, month=month, report_version=report.version,
        sha256=report.sha256, townships=len(content["townships"]),
        townships_supervised=content["townships_supervised"],
        townships_short_of_staff=content["townships_short_of_staff"],
        totals=content["totals"], made_by=user.user_id, made_at=report.made_at),
        subject=report.id, division=county)
    return report


async def list_reports(session: AsyncSession, *, user: User, month: str | None = None,
                       window: Window | None = None) -> Sequence[SupervisionReport]:
    query = select(SupervisionReport).where(user.jurisdiction(SupervisionReport.division))
    if month is not None:
        query = query.where(SupervisionReport.month == month)
    return (await session.scalars((window or Window(REPORTS, limit=100)).apply(query))).all()


async def get_report(session: AsyncSession, *, user: User, report_id: str) -> SupervisionReport:
    return await get_in_jurisdiction(session, SupervisionReport, report_id, user=user,
                                     missing=f"no supervision report {report_id}")

