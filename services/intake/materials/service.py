"""Rules of materials (R-IN-3): the checklist, what is missing, and the one-time notice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.models import Application
from services.intake.materials.models import (
    DEFAULT_CHECKLIST,
    ChecklistItem,
    MaterialsNotice,
    NoticeItem,
    SuppliedMaterial,
)
from shared import direct
from shared.auth import User
from shared.bulk import built
from shared.context import new_id
from shared.contracts import intake as contracts
from shared.outbox import emit
from shared.problems import Conflict


@dataclass(frozen=True)
class Material:
    """A kind of material: its code and its name (申请书, 身份证, ...)."""

    code: str
    name: str


def missing_materials(required: Sequence[Material], supplied: Iterable[str]) -> list[Material]:
    """R-IN-3: every required item not handed in, all at once, in the order of the list."""
    handed_in = set(supplied)
    return [item for item in required if item.code not in handed_in]


@dataclass(frozen=True)
class Checklist:
    """A program's checklist in a county, and whether the county set it (else the default)."""

    county: str
    program: str
    items: list[Material]
    set_by_county: bool


_items = ChecklistItem.__table__.c
CHECKLISTS = direct.Statement(
    select(_items.county, _items.code, _items.name)
    .where(_items.program == bindparam("program"),
           _items.county.in_([bindparam("county"), DEFAULT_CHECKLIST]))
    .order_by(_items.county, _items.position))
"""A program's checklists of the county and the default: built once, run on the driver
(every submission)."""


async def county_checklist(session: AsyncSession, program: str, county: str) -> Checklist:
    """The program's checklist in the county: its own, else the default one (R-IN-3)."""
    rows = await direct.fetch(session, CHECKLISTS, {"program": program, "county": county})
    own = [r for r in rows if r.county == county]
    chosen = own or [r for r in rows if r.county == DEFAULT_CHECKLIST]
    return Checklist(county=county, program=program,
                     items=[Material(r.code, r.name) for r in chosen], set_by_county=bool(own))


async def checklist_of(session: AsyncSession, program: str, county: str) -> list[Material]:
    """The items of the program's checklist in the county (R-IN-3)."""
    return (await county_checklist(session, program, county)).items


async def replace_checklist(
    session: AsyncSession, *, program: str, county: str, items: Sequence[Material]
) -> list[Material]:
    """Set a program's checklist in a county; notices already issued keep their items."""
    previous = await checklist_of(session, program, county)
    await session.execute(delete(ChecklistItem).where(ChecklistItem.program == program,
                                                      ChecklistItem.county == county))
    session.add_all(
        ChecklistItem(county=county, program=program, code=m.code, name=m.name, position=i)
        for i, m in enumerate(items)
    )
    await session.flush()
    await emit(session, contracts.ChecklistReplaced(
        program=program, county=county,
        items=[contracts.Material(code=m.code, name=m.name) for m in items],
        previous_items=[contracts.Material(code=m.code, name=m.name) for m in previous],
    ), subject=program)
    return list(items)


def check_demand(notice: MaterialsNotice | None, supplied: Iterable[str],
                 codes: Sequence[str], *, application_number: str) -> None:
    """R-IN-3: after the one-time notice nothing may be demanded that is not on it; an
    application accepted without a notice owes nothing. Items of the notice already handed
    in are not demanded again either."""
    on_notice = {item.code for item in notice.items} if notice is not None else set()
    handed_in = set(supplied)
    not_on_notice = [c for c in codes if c not in on_notice]
    if not_on_notice:
        where = (f"its one-time notice {notice.id} lists {', '.join(sorted(on_notice))}"
                 if notice is not None else "it was complete and has no one-time notice")
        raise Conflict(f"{', '.join(not_on_notice)} cannot be demanded of application "
                       f"{application_number}: {where}, and nothing else may be asked for "
                       "(R-IN-3)", rule="R-IN-3", not_on_notice=not_on_notice,
                       notice_id=notice.id if notice is not None else None)
    already = [c for c in codes if c in handed_in]
    if already:
        raise Conflict(f"{', '.join(already)} of application {application_number} were "
                       "handed in already (R-IN-3)", rule="R-IN-3", already_supplied=already)


def supplied_material(application_id: str, code: str, *, at: datetime, by: User
                      ) -> SuppliedMaterial:
    """A material handed in, for a new application's graph (``shared.bulk.insert_new``)."""
    return built(SuppliedMaterial, application_id=application_id, code=code, supplied_at=at,
                 supplied_by=by.user_id)


async def record_supplied(
    session: AsyncSession, *, application_id: str, codes: Iterable[str], at: datetime, by: User,
) -> list[str]:
    """Record materials handed in; returns the codes not recorded before, in the given order."""
    already = set(
        await session.scalars(
            select(SuppliedMaterial.code).where(SuppliedMaterial.application_id == application_id)
        )
    )
    new_codes = [c for c in dict.fromkeys(codes) if c not in already]
    session.add_all(SuppliedMaterial(application_id=application_id, code=c, supplied_at=at,
                                     supplied_by=by.user_id) for c in new_codes)
    await session.flush()
    return new_codes


def one_time_notice(application_id: str, missing: Sequence[Material], *, at: datetime,
                    by: User) -> MaterialsNotice:
    """THE one-time notice (一次性告知) of a new application, listing every missing item
    (R-IN-3): made with the application, which can have no other."""
    if not missing:
        raise ValueError("a one-time notice lists at least one missing item")
    return built(MaterialsNotice, id=new_id(), application_id=application_id, issued_at=at,
                 issued_by=by.user_id,
                 items=[built(NoticeItem, code=m.code, name=m.name, position=i)
                        for i, m in enumerate(missing)])


async def announce_notice(session: AsyncSession, *, application: Application,
                          notice: MaterialsNotice) -> None:
    """The one-time notice's event, once the application and its notice are written."""
    await emit(session, contracts.MaterialsNoticeIssued(
        application_id=application.id, application_number=application.number,
        program=application.program,
        division=application.division, notice_id=notice.id, issued_at=notice.issued_at,
        missing=[contracts.Material(code=item.code, name=item.name) for item in notice.items],
    ), subject=application.id, division=application.division)


def notice_materials(notice: MaterialsNotice) -> list[Material]:
    """The items a notice demands, as they were when it was issued."""
    return [Material(item.code, item.name) for item in notice.items]
