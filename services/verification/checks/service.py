"""Rules of the cross-checks (R-VE-4): who is checked, runs of the check sources, results per
investigation, source and item, and manual checks (the data files: ``datasets.py``).

The members' full ID numbers arrive sealed in ``intake.application_accepted``. They are kept
only for counted members, sealed at rest with the installation's event keys (``check_subject``),
opened only to build a check request, and never shown: the API shows them masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks.models import (
    CheckFindingRow,
    CheckResultRow,
    CheckRun,
    CheckSubject,
    ResultStatus,
    RunStatus,
)
from services.verification.checks.sources import CheckQuery, Finding, ItemResult, Person
from services.verification.investigations.models import Investigation
from services.verification.investigations.service import get_investigation, record_check_summary
from shared import direct
from shared.at_rest import open_at_rest, seal_at_rest, sealer_of
from shared.auth import User
from shared.context import correlation_id, new_id
from shared.contracts.intake import MemberIdentified
from shared.contracts.verification import CheckFinding as FindingData
from shared.contracts.verification import (
    CheckResult,
    CheckResultsRecorded,
    CheckSourceOutcome,
    CheckSummary,
)
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound

STALE_RUN = timedelta(minutes=10)
"""A run still ``running`` after this was dropped by a runner that stopped: it runs again."""

RESULTS = Keyset("checks", CheckResultRow.checked_at.asc(), CheckResultRow.id.asc())
"""Results across investigations, oldest first: the list of what to retry."""
RESULTS_OF = Keyset("investigation-checks", CheckResultRow.source.asc(),
                    CheckResultRow.item.asc(), CheckResultRow.id.asc())
"""An investigation's results by source and item."""


class NoSubjects(Conflict):
    slug, title = "no-check-subjects", "No one to check"


# --- the people to check -------------------------------------------------------------------------


def subject_context(investigation_id: str, member_id: str) -> str:
    """What a sealed ID number is bound to (``shared.at_rest``): it opens only in its own row."""
    return f"check-subject:{investigation_id}:{member_id}"


def id_number_of(session: AsyncSession, subject: CheckSubject) -> str:
    """A counted subject's full ID number, opened to be checked (never shown)."""
    if subject.id_number_sealed is None:
        raise ValueError(f"member {subject.member_id} is not counted: no ID number is kept")
    return open_at_rest(session, "id_number",
                        subject_context(subject.investigation_id, subject.member_id),
                        subject.id_number_sealed)


_SUBJECTS = CheckSubject.metadata.tables[CheckSubject.__tablename__]
_KEEP_SUBJECTS = direct.Statement(insert(_SUBJECTS).inline().values(
    {c.name: bindparam(c.name) for c in _SUBJECTS.columns}))
"""The subjects' rows, built once and run on the driver (:mod:`shared.direct`)."""


async def record_subjects(session: AsyncSession, *, investigation_id: str,
                          members: Sequence[MemberIdentified], opened: bool = False,
                          into: direct.Writes | None = None) -> None:
    """Keep the household's members for the checks, once: the counted members' full ID
    numbers sealed (R-VE-4, R-SE-2), everyone's masked.

    ``opened``: this transaction has just opened the investigation, so it has no subjects yet
    and none are read first. The rows are written by one insert on the driver (nothing reads
    them back as objects in the transaction that writes them), not as ORM objects flushed;
    ``into``: added to these writes, sent by the caller."""
    if not opened:
        known = await session.scalar(select(CheckSubject.member_id).where(
            CheckSubject.investigation_id == investigation_id).limit(1))
        if known is not None:
            return
    sealer = sealer_of(session)
    async with direct.writing(session, into) as writes:
        writes.add(_KEEP_SUBJECTS, [
            {"investigation_id": investigation_id, "member_id": m.member_id, "position": i,
             "name": m.name, "relationship": m.relationship, "counted": m.counted,
             "id_number_masked": mask_id_number(m.id_number),
             "id_number_sealed": seal_at_rest(sealer, "id_number",
                                              subject_context(investigation_id, m.member_id),
                                              m.id_number) if m.counted else None}
            for i, m in enumerate(members)])


async def subjects_of(session: AsyncSession, investigation_id: str) -> list[CheckSubject]:
    return list(await session.scalars(select(CheckSubject).where(
        CheckSubject.investigation_id == investigation_id).order_by(CheckSubject.position)))


# --- runs of the sources -------------------------------------------------------------------------


async def request_run(
    session: AsyncSession, *, user: User, investigation_id: str, sources: Sequence[str],
    only_unavailable: bool,
) -> CheckRun:
    """Queue a run of ``sources`` for the household (R-VE-4): the runner asks them outside the
    request. ``only_unavailable``: ask again only what was ``unavailable`` (the retry)."""
    investigation = await get_investigation(session, user=user,
                                            investigation_id=investigation_id)
    subjects = await subjects_of(session, investigation.id)
    if not any(s.id_number_sealed for s in subjects):
        raise NoSubjects(f"investigation {investigation.id} has no counted member whose ID "
                         "number verification holds: nothing to check")
    run = CheckRun(id=new_id(), investigation_id=investigation.id,
                   division=investigation.division, sources=list(sources),
                   only_unavailable=only_unavailable, status=RunStatus.queued,
                   requested_by=user.user_id, correlation_id=correlation_id.get(),
                   requested_at=utcnow(), tries=0)
    session.add(run)
    await session.flush()
    await _summarize(session, investigation.id)
    return run


async def get_run(session: AsyncSession, *, user: User, run_id: str) -> CheckRun:
    run = await session.get(CheckRun, run_id)
    if run is None:
        raise NotFound(f"no check run {run_id}")
    user.require_record(run.division, f"no check run {run_id}")
    return run


async def claim_run(session: AsyncSession) -> CheckRun | None:
    """The oldest queued run (or one a stopped runner left), marked running; None if none."""
    now = utcnow()
    due = or_(CheckRun.status == RunStatus.queued,
              (CheckRun.status == RunStatus.running) & (CheckRun.started_at < now - STALE_RUN))
    run = await session.scalar(select(CheckRun).where(due).order_by(CheckRun.requested_at,
                                                                    CheckRun.id).limit(1))
    if run is None:
        return None
    claimed = await session.execute(update(CheckRun).where(
        CheckRun.id == run.id, CheckRun.status == run.status,
        CheckRun.tries == run.tries).values(status=RunStatus.running, started_at=now,
                                            tries=run.tries + 1))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another replica took it
    await session.refresh(run)
    return run


@dataclass(frozen=True)
class Plan:
    """What a run asks: each source, its items, about these people."""

    query_people: tuple[Person, ...]
    items_by_source: dict[str, tuple[str, ...]]


async def plan_run(session: AsyncSession, run: CheckRun,
                   items_of: dict[str, tuple[str, ...]]) -> Plan:
    """The people (ID numbers opened) and, per source, the items to ask."""
    people = tuple(Person(s.member_id, s.name, id_number_of(session, s))
                   for s in await subjects_of(session, run.investigation_id)
                   if s.id_number_sealed)
    wanted = {s: items_of[s] for s in run.sources if s in items_of}
    if run.only_unavailable:
        rows = (await session.execute(select(CheckResultRow.source, CheckResultRow.item).where(
            CheckResultRow.investigation_id == run.investigation_id,
            CheckResultRow.status == ResultStatus.unavailable))).all()
        pending: dict[str, list[str]] = {}
        for source, item in rows:
            if item in wanted.get(source, ()):
                pending.setdefault(source, []).append(item)
        wanted = {s: tuple(i for i in wanted[s] if i in pending[s]) for s in sorted(pending)}
    return Plan(people, wanted)


def query_of(run: CheckRun, plan: Plan, source: str) -> CheckQuery:
    return CheckQuery(reference=run.id, people=plan.query_people,
                      items=plan.items_by_source[source])


async def record_run(session: AsyncSession, run: CheckRun,
                     answers: dict[str, list[ItemResult]]) -> list[CheckResultRow]:
    """Store a run's answers, replacing each source's earlier results for those items, and
    publish them (``check_results_recorded``)."""
    investigation = await session.get(Investigation, run.investigation_id)
    assert investigation is not None
    now = utcnow()
    rows: list[CheckResultRow] = []
    for source, results in sorted(answers.items()):
        for result in results:
            rows.append(await _store_result(
                session, investigation, source=source, item=result.item,
                status=ResultStatus(result.status), reason=result.reason, basis=result.basis,
                findings=result.findings, run_id=run.id, by=run.requested_by, at=now))
    run.status = RunStatus.done
    run.finished_at = now
    await session.flush()
    if rows:
        await _publish(session, investigation, rows, run_id=run.id, by=run.requested_by, at=now)
    await _summarize(session, investigation.id)
    return rows


async def _store_result(
    session: AsyncSession, investigation: Investigation, *, source: str, item: str,
    status: ResultStatus, reason: str | None, basis: str | None, findings: Sequence[Finding],
    run_id: str | None, by: str, at: datetime,
) -> CheckResultRow:
    row = await session.scalar(select(CheckResultRow).where(
        CheckResultRow.investigation_id == investigation.id, CheckResultRow.source == source,
        CheckResultRow.item == item))
    if row is None:
        row = CheckResultRow(id=new_id(), investigation_id=investigation.id,
                             division=investigation.division, source=source, item=item,
                             asked=0)
        session.add(row)
    else:
        await session.execute(delete(CheckFindingRow).where(CheckFindingRow.result_id == row.id))
    row.status, row.reason, row.basis = status, reason, basis
    row.run_id, row.checked_by, row.checked_at = run_id, by, at
    row.asked = (row.asked or 0) + 1
    await session.flush()
    session.add_all(CheckFindingRow(result_id=row.id, position=i, member_id=f.member_id,
                                    amount_fen=f.amount_fen, quantity=f.quantity,
                                    detail=f.detail) for i, f in enumerate(findings))
    await session.flush()
    return row


async def _publish(session: AsyncSession, investigation: Investigation,
                   rows: Sequence[CheckResultRow], *, run_id: str | None, by: str,
                   at: datetime) -> None:
    findings = await findings_of(session, [r.id for r in rows])
    await emit(session, CheckResultsRecorded(
        investigation_id=investigation.id, application_id=investigation.application_id,
        run_id=run_id, checked_by=by, recorded_at=at,
        results=[CheckResult(
            result_id=r.id, source=r.source, item=r.item, status=r.status, reason=r.reason,
            basis=r.basis, findings=[FindingData(member_id=f.member_id, amount_fen=f.amount_fen,
                                                 quantity=f.quantity, detail=f.detail)
                                     for f in findings.get(r.id, [])]) for r in rows],
    ), subject=investigation.id, division=investigation.division)


async def record_manual(
    session: AsyncSession, *, user: User, investigation_id: str, source: str, item: str,
    note: str, findings: Sequence[Finding],
) -> CheckResultRow:
    """A caseworker's own check of an item (R-VE-4 "plus manual checks"): status ``manual``
    with what was checked and how, and the figures found; it replaces that source's result for
    the item (an ``unavailable`` one, say, while the department's system is down)."""
    investigation = await get_investigation(session, user=user,
                                            investigation_id=investigation_id)
    members = {s.member_id for s in await subjects_of(session, investigation.id)}
    for i, finding in enumerate(findings):
        if finding.member_id is not None and finding.member_id not in members:
            raise InvalidField(f"findings.{i}.member_id",
                               f"{finding.member_id} is not a member of this household")
    now = utcnow()
    row = await _store_result(session, investigation, source=source, item=item,
                              status=ResultStatus.manual, reason=note, basis=None,
                              findings=findings, run_id=None, by=user.user_id, at=now)
    await _publish(session, investigation, [row], run_id=None, by=user.user_id, at=now)
    await _summarize(session, investigation.id)
    return row


# --- the summary the investigation carries ------------------------------------------------------


async def check_summary(session: AsyncSession, investigation_id: str) -> CheckSummary:
    """What each source said about the household, for ``investigation_completed``: ``pending``
    while a run is to ask it (the investigation cannot complete then), ``unavailable`` while an
    item of it is, ``match`` when it holds records (to compare with the declaration, R-VE-5),
    else ``nothing_found``."""
    runs = (await session.scalars(select(CheckRun).where(
        CheckRun.investigation_id == investigation_id,
        CheckRun.status.in_([RunStatus.queued, RunStatus.running])))).all()
    rows = (await session.scalars(select(CheckResultRow).where(
        CheckResultRow.investigation_id == investigation_id)
        .order_by(CheckResultRow.source, CheckResultRow.item))).all()
    findings = await findings_of(session, [r.id for r in rows])
    by_source: dict[str, list[CheckResultRow]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    pending = {s for run in runs for s in run.sources if not run.only_unavailable
               or any(r.status == ResultStatus.unavailable for r in by_source.get(s, []))}
    outcomes = []
    for source in sorted(set(by_source) | pending):
        results = by_source.get(source, [])
        records = sum(len(findings.get(r.id, [])) for r in results)
        unavailable = [r for r in results if r.status == ResultStatus.unavailable]
        outcome = ("pending" if source in pending else "unavailable" if unavailable
                   else "match" if records else "nothing_found")
        note = "; ".join(f"{r.item}: {r.reason}" for r in unavailable) if unavailable else (
            "; ".join(f"{r.item}: {r.status}" + (f" ({r.reason})" if r.reason else "")
                      for r in results) or None)
        outcomes.append(CheckSourceOutcome(source=source, outcome=outcome, items=records,
                                           note=note[:2000] if note else None,
                                           result_ids=[r.id for r in results]))
    return CheckSummary(checked_at=max((r.checked_at for r in rows), default=None),
                        sources=outcomes)


async def _summarize(session: AsyncSession, investigation_id: str) -> None:
    """Leave the summary with the investigation whenever the results change."""
    await record_check_summary(session, investigation_id=investigation_id,
                               summary=await check_summary(session, investigation_id))


# --- reading the results -------------------------------------------------------------------------


async def findings_of(session: AsyncSession, result_ids: Sequence[str]
                      ) -> dict[str, list[CheckFindingRow]]:
    found: dict[str, list[CheckFindingRow]] = {}
    if not result_ids:
        return found
    for f in await session.scalars(select(CheckFindingRow).where(
            CheckFindingRow.result_id.in_(list(result_ids)))
            .order_by(CheckFindingRow.result_id, CheckFindingRow.position)):
        found.setdefault(f.result_id, []).append(f)
    return found


async def list_results(
    session: AsyncSession, *, user: User, window: Window, investigation_id: str | None = None,
    status: str | None = None, source: str | None = None, item: str | None = None,
) -> Sequence[CheckResultRow]:
    """Results inside the user's jurisdiction, filtered; ``status=unavailable`` is the list of
    what to ask again."""
    query = select(CheckResultRow).where(user.jurisdiction(CheckResultRow.division))
    query = where_given(query, (CheckResultRow.investigation_id, investigation_id),
                        (CheckResultRow.status, status), (CheckResultRow.source, source),
                        (CheckResultRow.item, item))
    return (await session.scalars(window.apply(query))).all()


async def results_of_run(session: AsyncSession, run: CheckRun) -> Sequence[CheckResultRow]:
    return (await session.scalars(select(CheckResultRow).where(
        CheckResultRow.run_id == run.id).order_by(CheckResultRow.source,
                                                  CheckResultRow.item))).all()


async def results_summary(session: AsyncSession, investigation_id: str) -> list[dict[str, Any]]:
    """The investigation's cross-check results as plain data, for whoever sums up the
    investigation (``investigation_completed``): per source and item, the status, why when
    ``unavailable``, what answered, and the findings (member id, figures in fen)."""
    rows = (await session.scalars(select(CheckResultRow).where(
        CheckResultRow.investigation_id == investigation_id)
        .order_by(CheckResultRow.source, CheckResultRow.item))).all()
    findings = await findings_of(session, [r.id for r in rows])
    return [{"result_id": r.id, "source": r.source, "item": r.item, "status": r.status,
             "reason": r.reason, "basis": r.basis, "checked_at": r.checked_at,
             "findings": [{"member_id": f.member_id, "amount_fen": f.amount_fen,
                           "quantity": f.quantity, "detail": f.detail}
                          for f in findings.get(r.id, [])]} for r in rows]

