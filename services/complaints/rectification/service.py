"""Rules of the rectification ledger (整改台账, R-OV-3): every finding becomes an item with its
responsible person, deadline and status (open → rectifying → done), followed up by appended
notes, never rewritten, and closed with its result; an item not done after its deadline is
overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.rectification.models import (
    FollowUp,
    ItemStatus,
    RectificationItem,
    Source,
)
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.complaints import (
    RectificationFollowedUp,
    RectificationItemClosed,
    RectificationItemOpened,
)
from shared.db import where_given
from shared.divisions import validate_division_code
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, RuleViolation
from shared.records import get_in_jurisdiction

ITEMS = Keyset("rectification-items", RectificationItem.due_on.asc(), RectificationItem.id.asc())
"""The order of the ledger and its cursors: the earliest deadline first."""


class ItemClosed(Conflict):
    slug = "rectification-closed"
    title = "The rectification item is closed"


def overdue_on(today: date) -> ColumnElement[bool]:
    """SQL: items not done whose deadline has passed (due_on before today) — overdue."""
    return and_(RectificationItem.status != ItemStatus.done, RectificationItem.due_on < today)


def is_overdue(item: RectificationItem, today: date) -> bool:
    return item.status != ItemStatus.done and item.due_on < today


async def open_item(
    session: AsyncSession, *, source: Source | str, source_id: str, division: str,
    finding: str, responsible: str, due_on: date, opened_by: str, case_id: str | None = None,
) -> RectificationItem:
    """R-OV-3: put a finding on the ledger — the one entry point every module calls (spot
    checks, monitoring, supervision, complaints, media cases, the county's own inspections and
    audit findings). The deadline is today or later; emits ``rectification_item_opened``."""
    source = Source(source)
    validate_division_code(division)
    today = today_of(session)
    if due_on < today:
        raise RuleViolation(f"the correction deadline {due_on} is already past (today {today})",
                            rule="R-OV-3", field="due_on")
    item = RectificationItem(
        id=new_id(), source=source.value, source_id=source_id, division=division,
        finding=finding, responsible=responsible, due_on=due_on, status=ItemStatus.open,
        case_id=case_id, opened_by=opened_by, opened_at=now_of(session), follow_up_count=0)
    session.add(item)
    await session.flush()
    await emit(session, RectificationItemOpened(
        item_id=item.id, source=item.source, source_id=source_id, division=division,
        finding=finding, responsible=responsible, due_on=due_on, case_id=case_id,
        opened_by=opened_by, opened_at=item.opened_at,
    ), subject=item.id, division=division)
    return item


async def get_item(session: AsyncSession, *, user: User, item_id: str,
                   for_update: bool = False) -> RectificationItem:
    return await get_in_jurisdiction(session, RectificationItem, item_id, user=user,
                                     missing=f"no rectification item {item_id}",
                                     for_update=for_update)


async def follow_ups(session: AsyncSession, item_id: str) -> Sequence[FollowUp]:
    return (await session.scalars(select(FollowUp).where(FollowUp.item_id == item_id)
                                  .order_by(FollowUp.seq))).all()


async def follow_up(session: AsyncSession, *, user: User, item_id: str, note: str) -> FollowUp:
    """Append a follow-up (整改进展): an open item becomes ``rectifying``; a closed one takes
    none (409 ``rectification-closed``)."""
    item = await get_item(session, user=user, item_id=item_id, for_update=True)
    if item.status == ItemStatus.done:
        raise ItemClosed(f"rectification item {item_id} is closed: open a new item for a new "
                         "finding")
    item.follow_up_count += 1
    item.status = ItemStatus.rectifying
    entry = FollowUp(id=new_id(), item_id=item.id, seq=item.follow_up_count, note=note,
                     by=user.user_id, at=now_of(session))
    session.add(entry)
    await session.flush()
    await emit(session, RectificationFollowedUp(
        item_id=item.id, division=item.division, seq=entry.seq, note=note, status=item.status,
        by=entry.by, at=entry.at), subject=item.id, division=item.division)
    return entry


async def close(session: AsyncSession, *, user: User, item_id: str,
                result: str) -> RectificationItem:
    """Close the item with its result (整改结果): it is done; closed once (409
    ``rectification-closed``); ``on_time`` if closed by its deadline."""
    item = await get_item(session, user=user, item_id=item_id, for_update=True)
    if item.status == ItemStatus.done:
        raise ItemClosed(f"rectification item {item_id} is already closed")
    item.status = ItemStatus.done
    item.result, item.closed_by = result, user.user_id
    item.closed_at, item.closed_on = now_of(session), today_of(session)
    await session.flush()
    await emit(session, RectificationItemClosed(
        item_id=item.id, source=item.source, source_id=item.source_id, division=item.division,
        result=result, due_on=item.due_on, closed_on=item.closed_on,
        on_time=item.closed_on <= item.due_on, closed_by=user.user_id,
        closed_at=item.closed_at), subject=item.id, division=item.division)
    return item


async def list_items(
    session: AsyncSession, *, user: User, status: ItemStatus | None = None,
    source: Source | None = None, source_id: str | None = None, division: str | None = None,
    overdue: bool | None = None, window: Window | None = None,
) -> Sequence[RectificationItem]:
    """The ledger inside the user's divisions (R-SE-1), the earliest deadline first; ``overdue``
    keeps the items not done past their deadline (or, false, the others)."""
    query = select(RectificationItem).where(user.jurisdiction(RectificationItem.division))
    if division is not None:
        user.require_access(division)
        query = query.where(RectificationItem.division.startswith(division))
    query = where_given(query, (RectificationItem.status, status),
                        (RectificationItem.source, source),
                        (RectificationItem.source_id, source_id))
    if overdue is not None:
        late = overdue_on(today_of(session))
        query = query.where(late if overdue else ~late)
    query = (window or Window(ITEMS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def overdue_by_division(session: AsyncSession, *, county: str,
                              today: date) -> dict[str, int]:
    """Overdue items per division of a county (one GROUP BY), for the monthly report (R-OV-4)."""
    rows = await session.execute(
        select(RectificationItem.division, func.count())
        .where(RectificationItem.division.startswith(county), overdue_on(today))
        .group_by(RectificationItem.division))
    return {division: count for division, count in rows}
