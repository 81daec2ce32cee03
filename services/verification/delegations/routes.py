"""Delegation endpoints (R-VE-3): thin, the rules are in service.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.delegations import service
from services.verification.delegations.courier import DelegationCourier
from services.verification.delegations.models import Delegation, DelegationDelivery
from services.verification.delegations.schemas import (
    AnswerIn,
    DelegationIn,
    DelegationOut,
    IncomingIn,
    RefuseIn,
    ReturnIn,
)
from services.verification.delegations.transports import Transport, transport_to
from shared.auth import Role, User, allow
from shared.contracts.verification import DelegatedFinding
from shared.inputs import PAGED, Identifier, Paging, RecordId
from shared.problems import InvalidField, NotFound
from shared.service import DbSession, Idempotent, Kit, ServiceKit

router = APIRouter(prefix="/delegations", tags=["delegations"])
requests_router = APIRouter(tags=["delegations"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Worker = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer))]
PeerSystem = Annotated[User, Depends(allow(Role.system))]


def _wake_courier(kit: ServiceKit) -> None:
    for worker in kit.workers:
        if isinstance(worker, DelegationCourier):
            worker.wake()


async def _out(session: AsyncSession, rows: Sequence[Delegation]) -> list[DelegationOut]:
    """The rows with their latest delivery (REST), in one more query."""
    latest: dict[str, DelegationDelivery] = {}
    if rows:
        for d in await session.scalars(select(DelegationDelivery).where(
                DelegationDelivery.delegation_id.in_([r.id for r in rows]))
                .order_by(DelegationDelivery.id)):
            latest[d.delegation_id] = d
    return [DelegationOut.of(r, latest.get(r.id)) for r in rows]


async def _one(session: AsyncSession, row: Delegation) -> DelegationOut:
    [out] = await _out(session, [row])
    return out


@requests_router.post(
    "/investigations/{investigation_id}/delegations", response_model=DelegationOut,
    status_code=201, summary="Delegate the household investigation to the county of residence",
    description="人户分离 (R-VE-3): the household lives in another county; its township "
    "(`residence_division`) investigates and returns the result. Sent over the shared NATS "
    "cluster, or over REST to a configured peer (`ASSIST_DELEGATION_PEERS`). Carries the "
    "members' names and masked ID numbers, the address and the application number; no full "
    "ID number. 409 while another delegation of the investigation is open. Emits "
    "`delegation_requested`.", dependencies=[Idempotent])
async def request_delegation(session: DbSession, user: Worker, kit: Kit,
                             investigation_id: RecordId, body: DelegationIn) -> DelegationOut:
    transport = transport_to(kit.settings, body.residence_division[:6])
    row = await service.request_delegation(
        session, user=user, transport=transport, investigation_id=investigation_id,
        residence_division=body.residence_division, address=body.address, tasks=body.tasks)
    _wake_courier(kit)
    return await _one(session, row)


@router.get("", response_model=list[DelegationOut], responses=PAGED,
            summary="Delegations in your jurisdiction: the work list",
            description="Incoming delegations of your townships (another county asks you to "
            "investigate) and outgoing ones of your investigations, newest first; filtered by "
            "direction, status, investigation or the other county.")
async def list_delegations(
    session: DbSession, user: Reader, page: Paging,
    direction: Literal["incoming", "outgoing"] | None = None,
    status: Annotated[str | None, Query(
        pattern="^(requested|received|accepted|returned|refused)$")] = None,
    investigation_id: Identifier | None = None,
    county: Annotated[str | None, Query(pattern="^[0-9]{6}$",
                                        description="the other county")] = None,
) -> list[DelegationOut]:
    rows = await service.list_delegations(
        session, user=user, direction=direction, status=status,
        investigation_id=investigation_id, other_county=county,
        window=page.window(service.DELEGATIONS))
    return await _out(session, page.finish(rows, service.DELEGATIONS))


@router.get("/{delegation_id}", response_model=DelegationOut, summary="One delegation",
            description="404 if there is none or if it is not your division's work.")
async def get_delegation(session: DbSession, user: Reader, delegation_id: RecordId
                         ) -> DelegationOut:
    return await _one(session, await service.get_delegation(session, user=user,
                                                            delegation_id=delegation_id))


@router.post("/{delegation_id}/accept", response_model=DelegationOut,
             summary="Accept an incoming delegation",
             description="The residence township will investigate; the accepting county is "
             "told. 409 unless it is `received`. Emits `delegation_accepted`.",
             dependencies=[Idempotent])
async def accept(session: DbSession, user: Worker, kit: Kit, delegation_id: RecordId
                 ) -> DelegationOut:
    row = await service.accept(session, user=user, delegation_id=delegation_id,
                               transport=await _back(session, kit, delegation_id))
    _wake_courier(kit)
    return await _one(session, row)


@router.post("/{delegation_id}/return", response_model=DelegationOut,
             summary="Return the result of an incoming delegation",
             description="The household investigation's summary, the income and assets found "
             "(figures in fen) and who investigated (two at least, R-VE-1), sent back to the "
             "accepting county. 409 unless it is `accepted`. Emits `delegation_returned`.",
             dependencies=[Idempotent])
async def return_result(session: DbSession, user: Worker, kit: Kit, delegation_id: RecordId,
                        body: ReturnIn) -> DelegationOut:
    row = await service.return_result(
        session, user=user, delegation_id=delegation_id,
        transport=await _back(session, kit, delegation_id), summary=body.summary,
        investigated_on=body.investigated_on, investigators=body.investigators,
        findings=[DelegatedFinding.model_validate(f.model_dump()) for f in body.findings])
    _wake_courier(kit)
    return await _one(session, row)


@router.post("/{delegation_id}/refuse", response_model=DelegationOut,
             summary="Refuse an incoming delegation, with the reason",
             description="Never without a reason (R-VE-3): a blank one is 422. 409 once it is "
             "returned or refused. Emits `delegation_refused`.", dependencies=[Idempotent])
async def refuse(session: DbSession, user: Worker, kit: Kit, delegation_id: RecordId,
                 body: RefuseIn) -> DelegationOut:
    row = await service.refuse(session, user=user, delegation_id=delegation_id,
                               transport=await _back(session, kit, delegation_id),
                               reason=body.reason)
    _wake_courier(kit)
    return await _one(session, row)


async def _back(session: AsyncSession, kit: ServiceKit, delegation_id: str) -> Transport:
    """How answers reach the accepting county of a delegation."""
    row = await session.get(Delegation, delegation_id)
    return transport_to(kit.settings, row.accepting_county if row else kit.county)


@router.post("/incoming", response_model=DelegationOut, status_code=201,
             summary="Take a delegation from another county (REST transport)",
             description="For the verification service of another county, with a `system` token "
             "this installation issued to it (its divisions name that county): the delegation "
             "enters the residence township's work list. The same delegation again changes "
             "nothing (200). 409 `not-for-this-county` if it is not addressed here. Emits "
             "`delegation_received`.",
             responses={200: {"model": DelegationOut, "description": "Already received"}},
             dependencies=[Idempotent])
async def receive(session: DbSession, user: PeerSystem, response: Response, body: IncomingIn
                  ) -> DelegationOut:
    user.require_access(body.accepting_county)
    known = await session.get(Delegation, body.delegation_id)
    row = await service.receive_request(session, body.as_contract(), transport="rest")
    if known is not None:
        response.status_code = 200
    return await _one(session, row)


@router.post("/{delegation_id}/answers", response_model=DelegationOut,
             summary="Take the county of residence's answer (REST transport)",
             description="For the verification service of the county of residence, with a "
             "`system` token this installation issued to it: `accepted`, `returned` with the "
             "result, or `refused` with the reason. An answer already taken changes nothing. "
             "Emits `delegation_answered`.", dependencies=[Idempotent])
async def take_answer(session: DbSession, user: PeerSystem, delegation_id: RecordId,
                      body: AnswerIn) -> DelegationOut:
    user.require_access(body.residence_county)
    if await session.get(Delegation, delegation_id) is None:
        raise NotFound(f"this county sent no delegation {delegation_id}")
    if body.delegation_id != delegation_id:
        raise InvalidField("delegation_id", f"is not {delegation_id}, the delegation posted to")
    row = await service.take_answer(session, body.as_contract(), transport="rest")
    return await _one(session, row)
