"""Rules of the monitoring (监测预警, R-OV-2): the county loads its population figures per
township (CSV, versioned by year); the recipients and their amounts are kept from approval's
events; per township, coverage and average benefit are set against the county's in SQL (one
GROUP BY per month asked), and outliers are flagged with the reason (``outliers.judge``); a
flagged township can be sent to inspection as a rectification item (R-OV-3)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import structlog
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.monitoring import outliers
from services.complaints.monitoring.models import (
    PopulationFigure,
    PopulationLoad,
    Recipient,
    RecipientAmount,
)
from services.complaints.rectification import service as ledger
from services.complaints.rectification.models import RectificationItem, Source
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.approval import (
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
    GradualExitStarted,
)
from shared.contracts.complaints import PopulationFiguresLoaded
from shared.divisions import is_within, level
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, Problem
from shared.records import get_in_jurisdiction

log = structlog.get_logger(__name__)

LOADS = Keyset("population-loads", PopulationLoad.loaded_at.desc(), PopulationLoad.id.asc())
MAX_ROWS = 2000
MAX_POPULATION = 100_000_000


class FileRefused(Problem):
    status, slug, title = 422, "file-refused", "The file is refused whole"


class NotFlagged(Conflict):
    slug = "township-not-flagged"
    title = "The monitoring does not flag this township"


# --- the recipients, from approval's events ---------------------------------------------------


def _township(division: str) -> str:
    return division[:9] if len(division) >= 9 else division


async def _set_amount(session: AsyncSession, beneficiary_id: str, month: str,
                      amount_fen: int) -> None:
    row = await session.scalar(select(RecipientAmount).where(
        RecipientAmount.beneficiary_id == beneficiary_id, RecipientAmount.from_month == month))
    if row is None:
        session.add(RecipientAmount(id=new_id(), beneficiary_id=beneficiary_id,
                                    from_month=month, amount_fen=amount_fen))
    else:
        row.amount_fen = amount_fen


async def on_approved(session: AsyncSession, data: BeneficiaryApproved) -> None:
    recipient = await session.get(Recipient, data.beneficiary_id)
    if recipient is None:
        recipient = Recipient(beneficiary_id=data.beneficiary_id)
        session.add(recipient)
    recipient.program, recipient.division = data.program.value, data.division
    recipient.township, recipient.county = _township(data.division), data.division[:6]
    recipient.persons = len(data.member_ids) if data.member_ids else None
    recipient.start_month, recipient.stop_month = data.effective_month, None
    await session.flush()
    await _set_amount(session, data.beneficiary_id, data.effective_month, data.amount_fen)


async def _known(session: AsyncSession, beneficiary_id: str) -> Recipient | None:
    """The recipient, or None (logged) for a beneficiary whose approval the monitoring never
    took in (approved before it ran): skipped, never retried, so the other modules taking the
    same event in the same transaction (case links) are not held up by it."""
    recipient = await session.get(Recipient, beneficiary_id)
    if recipient is None:
        log.warning("monitoring_unknown_beneficiary", beneficiary_id=beneficiary_id)
    return recipient


async def on_adjusted(session: AsyncSession, data: BeneficiaryAdjusted) -> None:
    recipient = await _known(session, data.beneficiary_id)
    if recipient is None:
        return
    if data.division is not None:
        recipient.division, recipient.township = data.division, _township(data.division)
    await _set_amount(session, data.beneficiary_id, data.effective_month, data.amount_fen)


async def on_gradual_exit(session: AsyncSession, data: GradualExitStarted) -> None:
    if await _known(session, data.beneficiary_id) is not None:
        await _set_amount(session, data.beneficiary_id, data.first_month, data.amount_fen)


async def on_stopped(session: AsyncSession, data: BeneficiaryStopped) -> None:
    recipient = await _known(session, data.beneficiary_id)
    if recipient is not None:
        recipient.stop_month = data.effective_month


# --- population figures -----------------------------------------------------------------------


def parse_population(content: bytes, *, county: str) -> dict[str, int]:
    """The CSV ``township,population`` (a header line, UTF-8, a BOM allowed; further columns
    such as a name are ignored): each township of the county once, a whole number ≥ 0. Every
    fault is listed with its line; any fault refuses the file whole (422 ``file-refused``)."""
    faults: list[dict[str, object]] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the file is not UTF-8 text",
                          faults=[{"line": 0, "reason": "not UTF-8"}]) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["township", "population"]:
        raise FileRefused("the first line must be the header `township,population`",
                          faults=[{"line": 1, "reason": "header"}])
    figures: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2:
            faults.append({"line": number, "reason": "two columns expected"})
            continue
        township, count = row[0].strip(), row[1].strip()
        if not (len(township) == 9 and township.isascii() and township.isdigit()
                and is_within(township, county)):
            faults.append({"line": number, "reason": f"{township[:20]!r} is not a township "
                           f"of county {county}"})
        elif township in figures:
            faults.append({"line": number, "reason": f"{township} is listed twice"})
        elif not (count.isascii() and count.isdigit() and int(count) <= MAX_POPULATION):
            faults.append({"line": number, "reason": f"population {count[:20]!r} is not a "
                           "whole number"})
        else:
            figures[township] = int(count)
        if len(figures) > MAX_ROWS:
            faults.append({"line": number, "reason": f"more than {MAX_ROWS} townships"})
            break
    if not figures and not faults:
        faults.append({"line": 2, "reason": "no township listed"})
    if faults:
        raise FileRefused(f"{len(faults)} line(s) refused: nothing was loaded", faults=faults)
    return figures


async def load_population(session: AsyncSession, *, user: User, county: str, year: int,
                          content: bytes) -> PopulationLoad:
    """R-OV-2: load a year's population figures of the county's townships as its next version;
    emits ``population_figures_loaded``."""
    if level(county) != "county":
        raise InvalidField("county", f"{county} is not a county code (6 digits)")
    user.require_access(county)
    figures = parse_population(content, county=county)
    latest = await session.scalar(select(func.max(PopulationLoad.version)).where(
        PopulationLoad.division == county, PopulationLoad.year == year))
    load = PopulationLoad(
        id=new_id(), division=county, year=year, version=(latest or 0) + 1,
        townships=len(figures), total_population=sum(figures.values()),
        sha256=hashlib.sha256(content).hexdigest(), loaded_by=user.user_id,
        loaded_at=now_of(session))
    session.add(load)
    await session.flush()
    session.add_all([PopulationFigure(id=new_id(), load_id=load.id, township=t, population=n)
                     for t, n in sorted(figures.items())])
    await session.flush()
    await emit(session, PopulationFiguresLoaded(
        load_id=load.id, division=county, year=year, load_version=load.version,
        townships=load.townships, total_population=load.total_population, sha256=load.sha256,
        figures=dict(sorted(figures.items())), loaded_by=user.user_id,
        loaded_at=load.loaded_at), subject=load.id, division=county)
    return load


async def list_loads(session: AsyncSession, *, user: User, year: int | None = None,
                     window: Window | None = None) -> Sequence[PopulationLoad]:
    query = select(PopulationLoad).where(user.jurisdiction(PopulationLoad.division))
    if year is not None:
        query = query.where(PopulationLoad.year == year)
    return (await session.scalars((window or Window(LOADS, limit=100)).apply(query))).all()


async def get_load(session: AsyncSession, *, user: User, load_id: str) -> PopulationLoad:
    return await get_in_jurisdiction(session, PopulationLoad, load_id, user=user,
                                     missing=f"no population load {load_id}")


async def figures_of(session: AsyncSession, load_id: str) -> dict[str, int]:
    rows = await session.execute(select(PopulationFigure.township, PopulationFigure.population)
                                 .where(PopulationFigure.load_id == load_id)
                                 .order_by(PopulationFigure.township))
    return {township: population for township, population in rows}


async def population_in_force(session: AsyncSession, *, county: str,
                              year: int) -> PopulationLoad | None:
    """The latest version of the latest year up to ``year`` (last year's figures until this
    year's are loaded)."""
    return await session.scalar(
        select(PopulationLoad).where(PopulationLoad.division == county,
                                     PopulationLoad.year <= year)
        .order_by(PopulationLoad.year.desc(), PopulationLoad.version.desc()).limit(1))


# --- the month's figures and their judgement --------------------------------------------------


async def recipients_by_township(session: AsyncSession, *, county: str, month: str,
                                 program: str) -> dict[str, tuple[int, int, int]]:
    """Per township: (recipients, persons listed, the month's amounts in fen), in one query:
    the recipients paid in ``month`` with the amount in force in it."""
    latest = (select(RecipientAmount.beneficiary_id,
                     func.max(RecipientAmount.from_month).label("from_month"))
              .where(RecipientAmount.from_month <= month)
              .group_by(RecipientAmount.beneficiary_id).subquery())
    rows = await session.execute(
        select(Recipient.township, func.count(), func.coalesce(func.sum(Recipient.persons), 0),
               func.coalesce(func.sum(RecipientAmount.amount_fen), 0))
        .join(latest, latest.c.beneficiary_id == Recipient.beneficiary_id)
        .join(RecipientAmount, and_(RecipientAmount.beneficiary_id == latest.c.beneficiary_id,
                                    RecipientAmount.from_month == latest.c.from_month))
        .where(Recipient.county == county, Recipient.program == program,
               Recipient.start_month <= month,
               or_(Recipient.stop_month.is_(None), Recipient.stop_month > month))
        .group_by(Recipient.township))
    return {t: (int(n), int(p or 0), int(a or 0)) for t, n, p, a in rows}


@dataclass(frozen=True)
class TownshipRow:
    township: str
    figures: outliers.Figures
    persons: int
    judgement: outliers.Judgement


@dataclass(frozen=True)
class Monitoring:
    county: str
    month: str
    program: str
    population_load: PopulationLoad | None
    county_figures: outliers.Figures
    county_coverage: Fraction | None
    townships: list[TownshipRow]
    thresholds: outliers.Thresholds


async def monitor(session: AsyncSession, *, user: User, county: str, month: str,
                  program: str, thresholds: outliers.Thresholds = outliers.DEFAULT
                  ) -> Monitoring:
    """R-OV-2: every township of the county with a population figure or a recipient in the
    month: its coverage and average benefit against the county's, flagged with the reasons."""
    if level(county) != "county":
        raise InvalidField("county", f"{county} is not a county code (6 digits)")
    user.require_access(county)
    load = await population_in_force(session, county=county, year=int(month[:4]))
    population = await figures_of(session, load.id) if load is not None else {}
    paid = await recipients_by_township(session, county=county, month=month, program=program)
    county_figures = outliers.Figures(population=sum(population.values()) or None,
                                      recipients=sum(v[0] for v in paid.values()),
                                      amount_fen=sum(v[2] for v in paid.values()))
    # the county's coverage counts the recipients of the townships that have a figure
    covered = sum(paid[t][0] for t in paid if t in population)
    county_coverage = (Fraction(covered, county_figures.population)
                       if county_figures.population else None)
    rows = []
    for township in sorted(set(population) | set(paid)):
        recipients, persons, amount = paid.get(township, (0, 0, 0))
        figures = outliers.Figures(population.get(township), recipients, amount)
        rows.append(TownshipRow(township, figures, persons, outliers.judge(
            figures, county_coverage=county_coverage,
            county_average=county_figures.average_fen, thresholds=thresholds)))
    return Monitoring(county, month, program, load, county_figures, county_coverage, rows,
                      thresholds)


async def send_to_inspection(
    session: AsyncSession, *, user: User, county: str, month: str, program: str,
    township: str, responsible: str, due_on: date,
) -> RectificationItem:
    """A flagged township goes to inspection as a rectification item (R-OV-2, R-OV-3), its
    finding the monitoring's reasons; 409 ``township-not-flagged`` otherwise."""
    if not is_within(township, county) or level(township) != "township":
        raise InvalidField("township", f"{township} is not a township of county {county}")
    result = await monitor(session, user=user, county=county, month=month, program=program)
    row = next((r for r in result.townships if r.township == township), None)
    if row is None or not row.judgement.outlier:
        raise NotFlagged(f"the monitoring of {program} in {month} does not flag township "
                         f"{township}", field="township")
    finding = f"监测预警 {program} {month}: " + "; ".join(f.reason for f in row.judgement.flags)
    return await ledger.open_item(
        session, source=Source.monitoring, source_id=f"{program}:{month}:{township}",
        division=township, finding=finding, responsible=responsible, due_on=due_on,
        opened_by=user.user_id)
