"""Low-income register endpoints (低收入人口, R-DY-4): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.approval.low_income import service
from services.approval.low_income.models import Category, Source
from services.approval.low_income.schemas import (
    CountsOut,
    EndIn,
    LowIncomePersonIn,
    LowIncomePersonOut,
)
from shared.auth import Role, User, allow
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/low-income", tags=["low-income register"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Staff = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                      Role.county_officer))]


@router.get("", response_model=list[LowIncomePersonOut], responses=PAGED,
            summary="The low-income register (R-DY-4)",
            description="People of the register inside your divisions, masked, the oldest entry "
            "first, by category, division (and below), source and `active` (default: on the "
            "register now; `false`: ended entries).")
async def list_people(
    session: DbSession, user: Reader, page: Paging, category: Category | None = None,
    division: DivisionCode | None = None, source: Source | None = None,
    active: Annotated[bool | None, Query(description="default true")] = True,
) -> list[LowIncomePersonOut]:
    rows = await service.list_people(session, user=user, category=category, division=division,
                                     active=active, source=source,
                                     window=page.window(service.REGISTER))
    return [LowIncomePersonOut.model_validate(r) for r in page.finish(rows, service.REGISTER)]


@router.get("/counts", response_model=CountsOut, summary="People per category (R-DY-4)",
            description="How many people of each category are on the register now, inside "
            "your divisions (or a division of them).")
async def counts(session: DbSession, user: Reader, division: DivisionCode | None = None
                 ) -> CountsOut:
    if division is not None:
        user.require_access(division)
    return CountsOut(division=division, counts=await service.count_by_category(
        session, user=user, division=division))


@router.get("/{person_id}", response_model=LowIncomePersonOut, summary="One register entry",
            description="One person of the low-income register (R-DY-4): the category, where "
            "it came from (the roll, or entered by staff), since when and until when, the ID "
            "number masked (R-SE-2). 404 if there is none or outside your divisions.")
async def get_person(session: DbSession, user: Reader, person_id: RecordId
                     ) -> LowIncomePersonOut:
    return LowIncomePersonOut.model_validate(
        await service.get_person(session, user=user, person_id=person_id))


@router.post("", response_model=LowIncomePersonOut, status_code=201,
             summary="Add someone to the register (R-DY-4)",
             description="At-risk (易返贫致贫), expenditure-hardship, near-dibao or other "
             "low-income people; dibao and tekun come from the roll alone (409). The name and "
             "ID number are kept masked. Emits `low_income_person_added`.",
             dependencies=[Idempotent])
async def add_person(session: DbSession, user: Staff, body: LowIncomePersonIn
                     ) -> LowIncomePersonOut:
    return LowIncomePersonOut.model_validate(await service.add_person(
        session, user=user, category=Category(body.category), division=body.division,
        name=body.name, id_number=body.id_number, note=body.note))


@router.post("/{person_id}/end", response_model=LowIncomePersonOut,
             summary="End an entry staff added",
             description="Kept, marked ended with the reason; the roll's entries end with the "
             "benefit (409). Emits `low_income_person_ended`.", dependencies=[Idempotent])
async def end_person(session: DbSession, user: Staff, person_id: RecordId, body: EndIn
                     ) -> LowIncomePersonOut:
    return LowIncomePersonOut.model_validate(await service.end_person(
        session, user=user, person_id=person_id, reason=body.reason))
