"""Rules of delegations between counties (人户分离, R-VE-3).

The accepting county asks the county where the household lives to investigate; the residence
county's township sees the delegation in its work list, accepts it and returns the result, or
refuses it, never without a reason. Each side records its own changes as its own events; the
request and the answers travel by a ``Transport`` (the shared NATS cluster, or REST).

What travels is what the visit needs: the application number, the address, what to
investigate, the members' names and relationships, their ID numbers masked. No full ID number
leaves the county: the two installations seal with different keys, and the residence township
visits people at an address, it does not check them against departments' data (the accepting
county's cross-checks do that, R-VE-4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks.service import subjects_of
from services.verification.delegations.models import (
    OPEN,
    Delegation,
    DelegationStatus,
    Direction,
)
from services.verification.delegations.transports import (
    INCOMING_PATH,
    Transport,
    answers_path,
)
from services.verification.investigations.service import get_investigation
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import (
    DelegatedFinding,
    DelegatedMember,
    DelegationAccepted,
    DelegationAnswered,
    DelegationReceived,
    DelegationRefused,
    DelegationRequested,
    DelegationReturned,
)
from shared.db import utcnow, where_given
from shared.divisions import level
from shared.inputs import Keyset, Window
from shared.outbox import EventSource, emit
from shared.problems import Conflict, InvalidField, NotFound

DELEGATIONS = Keyset("delegations", Delegation.requested_at.desc(), Delegation.id.desc())
"""The work list: newest first."""

Answer = DelegationAccepted | DelegationReturned | DelegationRefused
ANSWERS: dict[type[Answer], DelegationStatus] = {
    DelegationAccepted: DelegationStatus.accepted,
    DelegationReturned: DelegationStatus.returned,
    DelegationRefused: DelegationStatus.refused,
}
KINDS = {DelegationStatus.accepted: "accepted", DelegationStatus.returned: "returned",
         DelegationStatus.refused: "refused"}


class DelegationConflict(Conflict):
    slug, title = "delegation-state", "The delegation is not in a state that allows this"


class NotForThisCounty(Conflict):
    slug, title = "not-for-this-county", "The delegation is not addressed to this county"


def own_county(session: AsyncSession) -> str:
    source: EventSource = session.info["events"]
    return source.county


# --- the accepting county ------------------------------------------------------------------------


async def request_delegation(
    session: AsyncSession, *, user: User, transport: Transport, investigation_id: str,
    residence_division: str, address: str, tasks: str,
) -> Delegation:
    """Ask the county of residence to investigate the household (R-VE-3)."""
    county = own_county(session)
    investigation = await get_investigation(session, user=user,
                                            investigation_id=investigation_id)
    if level(residence_division) not in ("township", "village"):
        raise InvalidField("residence_division", "must be the township (9 digits) or village "
                           "(12 digits) where the household lives")
    residence_county = residence_division[:6]
    if residence_county == county:
        raise InvalidField("residence_division", f"lies in this county ({county}): the "
                           "township investigates itself, no delegation is needed")
    open_one = await session.scalar(select(Delegation.id).where(
        Delegation.investigation_id == investigation.id, Delegation.status.in_(OPEN)))
    if open_one is not None:
        raise DelegationConflict(f"delegation {open_one} of this investigation is still open")
    members = [DelegatedMember(member_id=s.member_id, name=s.name,
                               id_number_masked=s.id_number_masked, relationship=s.relationship)
               for s in await subjects_of(session, investigation.id)]
    now = utcnow()
    delegation = Delegation(
        id=new_id(), direction=Direction.outgoing, division=investigation.division,
        status=DelegationStatus.requested, transport=transport.name,
        investigation_id=investigation.id, application_id=investigation.application_id,
        application_number=investigation.application_number, program=investigation.program,
        accepting_county=county, accepting_division=investigation.division,
        residence_county=residence_county, residence_division=residence_division,
        address=address, tasks=tasks, members=[m.model_dump(mode="json") for m in members],
        requested_by=user.user_id, requested_at=now)
    session.add(delegation)
    await session.flush()
    message = DelegationRequested(
        delegation_id=delegation.id, accepting_county=county, residence_county=residence_county,
        investigation_id=investigation.id, application_id=investigation.application_id,
        application_number=investigation.application_number, program=investigation.program,
        accepting_division=investigation.division, residence_division=residence_division,
        address=address, tasks=tasks, members=members, requested_by=user.user_id,
        requested_at=now, transport=transport.name)
    await emit(session, message, subject=delegation.id, division=delegation.division)
    await transport.send(session, message, to_county=residence_county, path=INCOMING_PATH,
                         division=residence_division)
    return delegation


async def take_answer(session: AsyncSession, answer: Answer, *, transport: str) -> Delegation:
    """The residence county's answer reaches the accepting county. An answer already taken, or
    one overtaken by a later one (accepted after returned), changes nothing."""
    delegation = await session.get(Delegation, answer.delegation_id)
    if delegation is None or delegation.direction != Direction.outgoing:
        raise NotFound(f"this county sent no delegation {answer.delegation_id}")
    if (answer.residence_county != delegation.residence_county
            or answer.accepting_county != delegation.accepting_county):
        raise NotForThisCounty(f"delegation {delegation.id} went from "
                               f"{delegation.accepting_county} to {delegation.residence_county}")
    target = ANSWERS[type(answer)]
    current = DelegationStatus(delegation.status)
    if current == target or (target == DelegationStatus.accepted and current not in (
            DelegationStatus.requested,)):
        return delegation  # already taken, or overtaken by the result
    if current in (DelegationStatus.returned, DelegationStatus.refused):
        raise DelegationConflict(f"delegation {delegation.id} is already {current}")
    _apply_answer(delegation, answer)
    await session.flush()
    answered_at = (answer.accepted_at if isinstance(answer, DelegationAccepted)
                   else answer.returned_at if isinstance(answer, DelegationReturned)
                   else answer.refused_at)
    assert delegation.investigation_id is not None
    await emit(session, DelegationAnswered(
        delegation_id=delegation.id, accepting_county=delegation.accepting_county,
        residence_county=delegation.residence_county,
        investigation_id=delegation.investigation_id,
        application_id=delegation.application_id, answer=KINDS[target],
        transport=transport, answered_at=answered_at,
    ), subject=delegation.id, division=delegation.division)
    return delegation


def _apply_answer(delegation: Delegation, answer: Answer) -> None:
    delegation.status = ANSWERS[type(answer)]
    if isinstance(answer, DelegationAccepted):
        delegation.accepted_by, delegation.accepted_at = answer.accepted_by, answer.accepted_at
    elif isinstance(answer, DelegationReturned):
        delegation.answered_by, delegation.answered_at = answer.returned_by, answer.returned_at
        delegation.summary, delegation.investigated_on = answer.summary, answer.investigated_on
        delegation.investigators = list(answer.investigators)
        delegation.findings = [f.model_dump(mode="json") for f in answer.findings]
    else:
        delegation.answered_by, delegation.answered_at = answer.refused_by, answer.refused_at
        delegation.refusal_reason = answer.reason


# --- the county of residence ---------------------------------------------------------------------


async def receive_request(session: AsyncSession, request: DelegationRequested, *,
                          transport: str) -> Delegation:
    """A delegation from another county enters the residence township's work list, once."""
    county = own_county(session)
    if (request.residence_county != county or request.residence_division[:6] != county
            or request.accepting_county == county):
        raise NotForThisCounty(f"delegation {request.delegation_id} goes from "
                               f"{request.accepting_county} to {request.residence_division}, "
                               f"not from another county to this one ({county})")
    known = await session.get(Delegation, request.delegation_id)
    if known is not None:
        if known.direction != Direction.incoming:
            raise NotForThisCounty(f"delegation {known.id} was sent by this county")
        return known
    now = utcnow()
    delegation = Delegation(
        id=request.delegation_id, direction=Direction.incoming,
        division=request.residence_division, status=DelegationStatus.received,
        transport=transport, investigation_id=None, application_id=request.application_id,
        application_number=request.application_number, program=request.program,
        accepting_county=request.accepting_county,
        accepting_division=request.accepting_division, residence_county=county,
        residence_division=request.residence_division, address=request.address,
        tasks=request.tasks, members=[m.model_dump(mode="json") for m in request.members],
        requested_by=request.requested_by, requested_at=request.requested_at, received_at=now)
    session.add(delegation)
    await session.flush()
    await emit(session, DelegationReceived(
        delegation_id=delegation.id, accepting_county=delegation.accepting_county,
        residence_county=county, residence_division=delegation.residence_division,
        application_number=delegation.application_number,
        transport=transport, received_at=now,
    ), subject=delegation.id, division=delegation.division)
    return delegation


async def _incoming_for_work(session: AsyncSession, user: User, delegation_id: str,
                             allowed: Sequence[DelegationStatus]) -> Delegation:
    delegation = await get_delegation(session, user=user, delegation_id=delegation_id)
    if delegation.direction != Direction.incoming:
        raise DelegationConflict(f"delegation {delegation.id} was sent by this county: the "
                                 f"county of residence ({delegation.residence_county}) answers it")
    if delegation.status not in allowed:
        raise DelegationConflict(f"delegation {delegation.id} is {delegation.status}; this "
                                 f"needs it {' or '.join(allowed)}")
    return delegation


async def _answer(session: AsyncSession, delegation: Delegation, answer: Answer,
                  transport: Transport) -> Delegation:
    _apply_answer(delegation, answer)
    await session.flush()
    await emit(session, answer, subject=delegation.id, division=delegation.division)
    await transport.send(session, answer, to_county=delegation.accepting_county,
                         path=answers_path(delegation.id), division=delegation.accepting_division,
                         extra={"answer": KINDS[ANSWERS[type(answer)]]})
    return delegation


async def accept(session: AsyncSession, *, user: User, transport: Transport,
                 delegation_id: str) -> Delegation:
    """The residence township takes the delegation on: it will investigate."""
    delegation = await _incoming_for_work(session, user, delegation_id,
                                          (DelegationStatus.received,))
    return await _answer(session, delegation, DelegationAccepted(
        delegation_id=delegation.id, accepting_county=delegation.accepting_county,
        residence_county=delegation.residence_county, accepted_by=user.user_id,
        accepted_at=utcnow()), transport)


async def return_result(
    session: AsyncSession, *, user: User, transport: Transport, delegation_id: str,
    summary: str, investigated_on: date, investigators: Sequence[str],
    findings: Sequence[DelegatedFinding],
) -> Delegation:
    """The residence township investigated: the household investigation's summary, the income
    and assets found, who investigated (two at least, R-VE-1), back to the accepting county."""
    delegation = await _incoming_for_work(session, user, delegation_id,
                                          (DelegationStatus.accepted,))
    if len(set(investigators)) < 2:
        raise InvalidField("investigators", "two different investigators at least (R-VE-1)")
    members = {m["member_id"] for m in delegation.members}
    for i, finding in enumerate(findings):
        if finding.member_id is not None and finding.member_id not in members:
            raise InvalidField(f"findings.{i}.member_id",
                               f"{finding.member_id} is not a member the delegation names")
    return await _answer(session, delegation, DelegationReturned(
        delegation_id=delegation.id, accepting_county=delegation.accepting_county,
        residence_county=delegation.residence_county, summary=summary,
        investigated_on=investigated_on, investigators=list(investigators),
        findings=list(findings), returned_by=user.user_id, returned_at=utcnow()), transport)


async def refuse(session: AsyncSession, *, user: User, transport: Transport, delegation_id: str,
                 reason: str) -> Delegation:
    """The residence county declines, never without a recorded reason (R-VE-3)."""
    delegation = await _incoming_for_work(
        session, user, delegation_id, (DelegationStatus.received, DelegationStatus.accepted))
    if not reason.strip():
        raise InvalidField("reason", "a refusal needs its reason (R-VE-3)")
    return await _answer(session, delegation, DelegationRefused(
        delegation_id=delegation.id, accepting_county=delegation.accepting_county,
        residence_county=delegation.residence_county, reason=reason, refused_by=user.user_id,
        refused_at=utcnow()), transport)


# --- reading -------------------------------------------------------------------------------------


async def get_delegation(session: AsyncSession, *, user: User, delegation_id: str) -> Delegation:
    """One delegation the user may see: their own division's work (R-SE-1)."""
    delegation = await session.get(Delegation, delegation_id)
    if delegation is None:
        raise NotFound(f"no delegation {delegation_id}")
    user.require_record(delegation.division, f"no delegation {delegation_id}")
    return delegation


async def list_delegations(
    session: AsyncSession, *, user: User, window: Window, direction: str | None = None,
    status: str | None = None, investigation_id: str | None = None,
    other_county: str | None = None,
) -> Sequence[Delegation]:
    """The work list: incoming delegations of the user's townships, outgoing ones of their
    investigations; filtered."""
    query = select(Delegation).where(user.jurisdiction(Delegation.division))
    query = where_given(query, (Delegation.direction, direction), (Delegation.status, status),
                        (Delegation.investigation_id, investigation_id))
    if other_county:
        query = query.where((Delegation.accepting_county == other_county)
                            | (Delegation.residence_county == other_county))
    return (await session.scalars(window.apply(query))).all()


async def returned_results(session: AsyncSession, investigation_id: str) -> list[dict[str, Any]]:
    """The results other counties returned for an investigation, as plain data (for whoever
    sums up the investigation): summary, day, investigators and the income and assets found."""
    rows = (await session.scalars(select(Delegation).where(
        Delegation.investigation_id == investigation_id,
        Delegation.status == DelegationStatus.returned).order_by(Delegation.answered_at))).all()
    return [{"delegation_id": d.id, "residence_county": d.residence_county,
             "residence_division": d.residence_division, "summary": d.summary,
             "investigated_on": d.investigated_on, "investigators": d.investigators,
             "findings": d.findings, "returned_at": d.answered_at} for d in rows]
