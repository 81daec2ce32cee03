"""Temporary-aid reserve endpoints (临时救助备用金, R-DI-9): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.disbursement.reserves import service
from services.disbursement.reserves.schemas import (
    DrawIn,
    MovementOut,
    ReserveIn,
    ReserveOut,
    TopUpIn,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Paging, RecordId
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(prefix="/reserves", tags=["reserves"])

County = Annotated[User, Depends(allow(Role.county_officer))]
Township = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]
Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer, Role.finance_officer,
                                       Role.city_officer, Role.auditor))]


@router.post("", status_code=201, response_model=MovementOut,
             summary="Set up a township's temporary-aid reserve (R-DI-9)",
             description="The county sets up the reserve with its first amount (integer fen); "
             "once per township (409: top it up). Answers its first movement; the reserve is "
             "at `Location`.", dependencies=[Idempotent])
async def set_up_reserve(session: DbSession, user: County, kit: Kit, body: ReserveIn,
                         response: Response) -> MovementOut:
    reserve, movement = await service.set_up(session, user=user, county=kit.county, body=body)
    response.headers["Location"] = f"/api/v1/reserves/{reserve.id}"
    return MovementOut.model_validate(movement)


@router.get("", response_model=list[ReserveOut], responses=PAGED,
            summary="Reserves in your jurisdiction, with their balances",
            description="By township; paged by cursor.")
async def list_reserves(session: DbSession, user: Reader, page: Paging) -> list[ReserveOut]:
    rows = await service.list_reserves(session, user=user, window=page.window(service.RESERVES))
    return [ReserveOut.model_validate(r) for r in page.finish(rows, service.RESERVES)]


@router.get("/{reserve_id}", response_model=ReserveOut, summary="One reserve and its balance",
            description="404 if there is none or if it lies outside your divisions.")
async def get_reserve(session: DbSession, user: Reader, reserve_id: RecordId) -> ReserveOut:
    return ReserveOut.model_validate(await service.get(session, user=user,
                                                       reserve_id=reserve_id))


@router.get("/{reserve_id}/movements", response_model=list[MovementOut], responses=PAGED,
            summary="The reserve's ledger: every movement with the balance after it (R-DI-9)",
            description="Oldest first: set up, top-ups, and the temporary aid paid from it.")
async def list_movements(session: DbSession, user: Reader, page: Paging, reserve_id: RecordId
                         ) -> list[MovementOut]:
    rows = await service.movements(session, user=user, reserve_id=reserve_id,
                                   window=page.window(service.MOVEMENTS))
    return [MovementOut.model_validate(m) for m in page.finish(rows, service.MOVEMENTS)]


@router.post("/{reserve_id}/top-ups", status_code=201, response_model=MovementOut,
             summary="Top the reserve up (R-DI-9)",
             description="The county adds to it (integer fen, more than 0).",
             dependencies=[Idempotent])
async def top_up_reserve(session: DbSession, user: County, reserve_id: RecordId, body: TopUpIn
                         ) -> MovementOut:
    _, movement = await service.top_up(session, user=user, reserve_id=reserve_id,
                                       amount_fen=body.amount_fen, note=body.note)
    return MovementOut.model_validate(movement)


@router.post("/{reserve_id}/draws", status_code=201, response_model=MovementOut,
             summary="Pay a temporary-aid payment from the reserve (R-DI-9)",
             description="The township pays a ready one-time (temporary aid) payment of its own "
             "from its reserve: the payment becomes paid, from the reserve, and the balance "
             "falls by its amount. **409 naming the balance** when the payment is more than "
             "the reserve holds (nothing changes); 409 when the payment is not ready (held "
             "with its reason, or paid already); 422 for a monthly payment or one of another "
             "township.", dependencies=[Idempotent])
async def draw_on_reserve(session: DbSession, user: Township, reserve_id: RecordId,
                          body: DrawIn) -> MovementOut:
    _, movement = await service.draw(session, user=user, reserve_id=reserve_id,
                                     payment_id=body.payment_id, note=body.note)
    return MovementOut.model_validate(movement)
