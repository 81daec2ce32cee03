"""Rules of the spot checks (抽查, R-OV-1): the register of decisions, the county's recorded and
reproducible draw of at least half of each township's decisions of a period, and each check's
result; a finding that needs correcting goes on the rectification ledger (R-OV-3)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.rectification import service as ledger
from services.complaints.rectification.models import Source
from services.complaints.spot_checks import sampling
from services.complaints.spot_checks.models import (
    CheckStatus,
    DecidedApplication,
    Method,
    SpotCheck,
    SpotCheckDraw,
)
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import ApplicationDecided
from shared.contracts.complaints import SpotCheckDrawn, SpotCheckRecorded, TownshipDrawn
from shared.db import where_given
from shared.divisions import level
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.records import get_in_jurisdiction

DRAWS = Keyset("spot-check-draws", SpotCheckDraw.drawn_at.desc(), SpotCheckDraw.id.asc())
"""The list of draws: the latest first."""
CHECKS = Keyset("spot-checks", SpotCheck.division.asc(), SpotCheck.id.asc())
"""The list of checks: by division."""


class AlreadyChecked(Conflict):
    slug = "spot-check-recorded"
    title = "The spot check's result is already recorded"


def township_of(division: str) -> str:
    """The township (9 digits) of a township or village code; a county's own code stays."""
    return division[:9] if len(division) >= 9 else division


async def note_decision(session: AsyncSession, data: ApplicationDecided) -> None:
    """Keep the decision in the register (a redelivered or restated one replaces it)."""
    record = await session.get(DecidedApplication, data.case_id)
    if record is None:
        record = DecidedApplication(case_id=data.case_id)
        session.add(record)
    record.application_id, record.application_number = data.application_id, \
        data.application_number
    record.program, record.division = data.program.value, data.division
    record.township, record.county = township_of(data.division), data.division[:6]
    record.outcome, record.decided_on, record.decided_at = data.outcome, data.decided_on, \
        data.decided_at


async def population(session: AsyncSession, *, county: str, period_from: date,
                     period_to: date) -> Sequence[Any]:
    """The county's decisions of the period, in the stable order of the draw (plain rows, not
    entities: a county's month may hold thousands)."""
    d = DecidedApplication
    return (await session.execute(
        select(d.case_id, d.application_number, d.program, d.division, d.township, d.outcome,
               d.decided_on)
        .where(d.county == county, d.decided_on >= period_from, d.decided_on <= period_to)
        .order_by(d.township, d.decided_on, d.case_id))).all()


def _as_decisions(rows: Sequence[Any]) -> list[sampling.Decision]:
    return [sampling.Decision(r.case_id, r.township, r.decided_on) for r in rows]


def _check_period(period_from: date, period_to: date, today: date) -> None:
    if period_from > period_to:
        raise InvalidField("period_to", f"{period_to} is before period_from {period_from}")
    if period_to >= today:
        raise InvalidField("period_to", f"the period must have ended: {period_to} is not "
                           f"before today {today}")


async def draw(
    session: AsyncSession, *, user: User, county: str, period_from: date, period_to: date,
    share_percent: int = sampling.MIN_SHARE_PERCENT, seed: str | None = None,
) -> SpotCheckDraw:
    """R-OV-1: draw and record the sample of the county's decisions of an ended period: at
    least half of each township's, reproducible from the stored seed; emits
    ``spot_check_drawn``. An empty period is refused (nothing to check)."""
    if level(county) != "county":
        raise InvalidField("county", f"{county} is not a county code (6 digits)")
    user.require_access(county)
    _check_period(period_from, period_to, today_of(session))
    rows = await population(session, county=county, period_from=period_from,
                            period_to=period_to)
    if not rows:
        raise Conflict(f"county {county} has no decision from {period_from} to {period_to} "
                       "to check", field="period_from")
    seed = seed or secrets.token_hex(16)
    decisions = _as_decisions(rows)
    samples = sampling.draw(decisions, seed=seed, share_percent=share_percent)
    record = SpotCheckDraw(
        id=new_id(), division=county, period_from=period_from, period_to=period_to, seed=seed,
        share_percent=share_percent, population_count=len(rows),
        sample_count=sum(len(s.sample) for s in samples),
        population_digest=sampling.population_digest(decisions),
        townships=[{"township": s.township, "population": s.population,
                    "sample": len(s.sample)} for s in samples],
        drawn_by=user.user_id, drawn_at=now_of(session))
    session.add(record)
    await session.flush()
    by_case = {r.case_id: r for r in rows}
    sampled = [c for s in samples for c in s.sample]
    await session.execute(insert(SpotCheck), [  # one statement for the whole sample
        {"id": new_id(), "draw_id": record.id, "position": position, "case_id": case_id,
         "application_number": by_case[case_id].application_number,
         "program": by_case[case_id].program, "division": by_case[case_id].division,
         "township": by_case[case_id].township, "outcome": by_case[case_id].outcome,
         "decided_on": by_case[case_id].decided_on, "status": CheckStatus.pending.value}
        for position, case_id in enumerate(sampled, start=1)])
    await emit(session, SpotCheckDrawn(
        draw_id=record.id, division=county, period_from=period_from, period_to=period_to,
        seed=seed, share_percent=share_percent, population_count=record.population_count,
        sample_count=record.sample_count, population_digest=record.population_digest,
        townships=[TownshipDrawn.model_validate(t) for t in record.townships],
        sample_case_ids=sampled, drawn_by=user.user_id,
        drawn_at=record.drawn_at), subject=record.id, division=county)
    return record


@dataclass(frozen=True)
class Reproduction:
    """The draw run again from its stored seed over the register as it is now."""

    draw_id: str
    seed: str
    reproduced: bool  # the same sample as recorded
    population_unchanged: bool  # the same decisions as when drawn (digest)
    population_count: int
    recorded_sample: list[str]
    sample_now: list[str]


async def get_draw(session: AsyncSession, *, user: User, draw_id: str) -> SpotCheckDraw:
    return await get_in_jurisdiction(session, SpotCheckDraw, draw_id, user=user,
                                     missing=f"no spot-check draw {draw_id}")


async def sample_of(session: AsyncSession, draw_id: str) -> list[str]:
    return list((await session.scalars(select(SpotCheck.case_id)
                                       .where(SpotCheck.draw_id == draw_id)
                                       .order_by(SpotCheck.position))).all())


async def reproduce(session: AsyncSession, *, user: User, draw_id: str) -> Reproduction:
    """R-OV-1: draw again with the stored seed, share and period over the register; the sample
    is the recorded one unless decisions of the period arrived since (the digest says so)."""
    record = await get_draw(session, user=user, draw_id=draw_id)
    rows = await population(session, county=record.division, period_from=record.period_from,
                            period_to=record.period_to)
    decisions = _as_decisions(rows)
    now = [c for s in sampling.draw(decisions, seed=record.seed,
                                    share_percent=record.share_percent) for c in s.sample]
    recorded = await sample_of(session, record.id)
    return Reproduction(
        draw_id=record.id, seed=record.seed, reproduced=now == recorded,
        population_unchanged=sampling.population_digest(decisions) == record.population_digest,
        population_count=len(rows), recorded_sample=recorded, sample_now=now)


async def list_draws(session: AsyncSession, *, user: User,
                     window: Window | None = None) -> Sequence[SpotCheckDraw]:
    query = select(SpotCheckDraw).where(user.jurisdiction(SpotCheckDraw.division))
    return (await session.scalars((window or Window(DRAWS, limit=100)).apply(query))).all()


async def list_checks(
    session: AsyncSession, *, user: User, draw_id: str | None = None,
    status: CheckStatus | None = None, township: str | None = None,
    window: Window | None = None,
) -> Sequence[SpotCheck]:
    query = select(SpotCheck).where(user.jurisdiction(SpotCheck.division))
    query = where_given(query, (SpotCheck.draw_id, draw_id), (SpotCheck.status, status),
                        (SpotCheck.township, township))
    return (await session.scalars((window or Window(CHECKS, limit=100)).apply(query))).all()


async def get_check(session: AsyncSession, *, user: User, check_id: str,
                    for_update: bool = False) -> SpotCheck:
    return await get_in_jurisdiction(session, SpotCheck, check_id, user=user,
                                     missing=f"no spot check {check_id}", for_update=for_update)


async def record_result(
    session: AsyncSession, *, user: User, check_id: str, method: Method, finding: str,
    needs_correction: bool, correction_due_on: date | None, responsible: str | None,
) -> SpotCheck:
    """R-OV-1: the check's result, once (409 ``spot-check-recorded``): file review or home
    visit and the finding; a finding that needs correcting has a correction deadline and the
    responsible person, and goes on the rectification ledger (R-OV-3)."""
    check = await get_check(session, user=user, check_id=check_id, for_update=True)
    if check.status == CheckStatus.checked:
        raise AlreadyChecked(f"spot check {check_id} was recorded on {check.checked_on}")
    if needs_correction and (correction_due_on is None or responsible is None):
        raise InvalidField("correction_due_on", "a finding that needs correcting needs a "
                           "correction deadline and the responsible person (R-OV-1)")
    if not needs_correction:
        correction_due_on = None
    check.status, check.method, check.finding = CheckStatus.checked, method.value, finding
    check.needs_correction, check.correction_due_on = needs_correction, correction_due_on
    check.checked_by, check.checked_at = user.user_id, now_of(session)
    check.checked_on = today_of(session)
    if needs_correction:
        assert correction_due_on is not None and responsible is not None
        item = await ledger.open_item(
            session, source=Source.spot_check, source_id=check.id, division=check.division,
            finding=finding, responsible=responsible, due_on=correction_due_on,
            opened_by=user.user_id, case_id=check.case_id)
        check.rectification_item_id = item.id
    await session.flush()
    await emit(session, SpotCheckRecorded(
        check_id=check.id, draw_id=check.draw_id, case_id=check.case_id,
        division=check.division, method=method.value, finding=finding,
        needs_correction=needs_correction, correction_due_on=correction_due_on,
        rectification_item_id=check.rectification_item_id, checked_by=user.user_id,
        checked_at=check.checked_at), subject=check.id, division=check.division)
    return check
