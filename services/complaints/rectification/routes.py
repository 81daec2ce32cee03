"""Rectification ledger endpoints (整改台账, R-OV-3): thin, the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends

from services.complaints.rectification import service
from services.complaints.rectification.models import ItemStatus, RectificationItem, Source
from services.complaints.rectification.schemas import (
    CloseIn,
    FollowUpIn,
    FollowUpOut,
    ItemDetailOut,
    ItemIn,
    ItemOut,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Identifier, Paging, RecordId
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/rectification", tags=["rectification ledger"])

Reader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
County = Annotated[User, Depends(allow(Role.county_officer))]
FollowingUp = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer))]


def item_out(item: RectificationItem, today: date) -> ItemOut:
    return ItemOut.model_validate(item).model_copy(
        update={"overdue": service.is_overdue(item, today)})


async def _detail(session: DbSession, item: RectificationItem, today: date) -> ItemDetailOut:
    base = item_out(item, today).model_dump()
    steps = [FollowUpOut.model_validate(f) for f in await service.follow_ups(session, item.id)]
    return ItemDetailOut(**base, follow_ups=steps)


@router.get("/items", response_model=list[ItemOut], responses=PAGED,
            summary="The rectification ledger",
            description="Findings inside your divisions, the earliest deadline first (R-OV-3): "
            "filter by status, source, source record, division; `overdue=true` is the overdue "
            "list (not done, deadline before today).")
async def list_items(
    session: DbSession, user: Reader, page: Paging, today: Today,
    status: ItemStatus | None = None, source: Source | None = None,
    source_id: Identifier | None = None, division: DivisionCode | None = None,
    overdue: bool | None = None,
) -> list[ItemOut]:
    rows = await service.list_items(session, user=user, status=status, source=source,
                                    source_id=source_id, division=division, overdue=overdue,
                                    window=page.window(service.ITEMS))
    return [item_out(r, today) for r in page.finish(rows, service.ITEMS)]


@router.get("/items/{item_id}", response_model=ItemDetailOut,
            summary="One rectification item with its follow-ups",
            description="The finding, its responsible person, deadline and status, and every "
            "follow-up in order. 404 if there is none or outside your divisions.")
async def get_item(session: DbSession, user: Reader, today: Today,
                   item_id: RecordId) -> ItemDetailOut:
    item = await service.get_item(session, user=user, item_id=item_id)
    return await _detail(session, item, today)


@router.post("/items", response_model=ItemDetailOut, status_code=201,
             summary="Put an inspection or audit finding on the ledger (R-OV-3)",
             description="The county officer records a finding of its inspection or of the "
             "audit for a division of theirs (403 `out-of-jurisdiction` otherwise), with the "
             "responsible person and the deadline (422 `rule-violation` if already past). "
             "Emits `rectification_item_opened`.", dependencies=[Idempotent])
async def open_item(session: DbSession, user: County, today: Today,
                    body: ItemIn) -> ItemDetailOut:
    user.require_access(body.division)
    item = await service.open_item(
        session, source=body.source, source_id=body.source_id, division=body.division,
        finding=body.finding, responsible=body.responsible, due_on=body.due_on,
        case_id=body.case_id, opened_by=user.user_id)
    return await _detail(session, item, today)


@router.post("/items/{item_id}/follow-ups", response_model=ItemDetailOut, status_code=201,
             summary="Append a follow-up (整改进展)",
             description="The township leader or the county officer reports progress: the item "
             "is `rectifying`; follow-ups are appended, never rewritten. 409 "
             "`rectification-closed` once closed. Emits `rectification_followed_up`.",
             dependencies=[Idempotent])
async def follow_up(session: DbSession, user: FollowingUp, today: Today, item_id: RecordId,
                    body: FollowUpIn) -> ItemDetailOut:
    await service.follow_up(session, user=user, item_id=item_id, note=body.note)
    item = await service.get_item(session, user=user, item_id=item_id)
    return await _detail(session, item, today)


@router.post("/items/{item_id}/close", response_model=ItemDetailOut,
             summary="Close an item with its result (R-OV-3)",
             description="The county officer closes the item with the result of the "
             "rectification: it is `done` (409 `rectification-closed` if already). Emits "
             "`rectification_item_closed` (with `on_time`).", dependencies=[Idempotent])
async def close(session: DbSession, user: County, today: Today, item_id: RecordId,
                body: CloseIn) -> ItemDetailOut:
    item = await service.close(session, user=user, item_id=item_id, result=body.result)
    return await _detail(session, item, today)
