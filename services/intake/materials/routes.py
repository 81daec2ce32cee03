"""Program and checklist endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.intake.materials import service
from services.intake.materials.schemas import ChecklistIn, ChecklistOut, MaterialOut, ProgramOut
from shared.auth import STAFF, Role, User, allow
from shared.programs import PROGRAMS, Program, review_period_working_days
from shared.service import DbSession, Kit

router = APIRouter(prefix="/programs", tags=["programs"])

Staff = Annotated[User, Depends(allow(*sorted(STAFF)))]
ChecklistKeeper = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer))]


@router.get("", response_model=list[ProgramOut], summary="The assistance programs",
            description="Every program with its code, Chinese name, unit (household or person), "
            "how it is paid and its review period in working days (R-AP-7; temporary aid as "
            "this installation configures it).")
async def list_programs(user: Staff, kit: Kit) -> list[ProgramOut]:
    days = kit.settings.temp_aid_working_days
    return [ProgramOut(code=p.code, name=p.name_zh, unit=p.unit, paid=p.paid,
                       review_working_days=review_period_working_days(
                           p.code, temp_aid_working_days=days))
            for p in PROGRAMS.values()]


def _out(checklist: service.Checklist) -> ChecklistOut:
    return ChecklistOut(program=checklist.program, county=checklist.county,
                        set_by_county=checklist.set_by_county,
                        items=[MaterialOut(code=m.code, name=m.name) for m in checklist.items])


@router.get("/{program}/checklist", response_model=ChecklistOut,
            summary="A program's checklist of materials in this county (R-IN-3)",
            description="The materials an application of this program needs, as the county set "
            "them (`set_by_county`), else the default checklist; an application missing any of "
            "them gets the one-time notice.")
async def get_checklist(session: DbSession, user: Staff, kit: Kit, program: Program
                        ) -> ChecklistOut:
    return _out(await service.county_checklist(session, program, kit.county))


@router.put("/{program}/checklist", response_model=ChecklistOut,
            summary="Replace a program's checklist in this county; issued notices keep theirs "
            "(R-IN-3)",
            description="The whole list at once, for this installation's county. Applications "
            "submitted later are checked against it; notices already issued keep the items they "
            "listed, since nothing else may be demanded of those applicants. Needs a token over "
            "the whole county.")
async def replace_checklist(session: DbSession, user: ChecklistKeeper, kit: Kit,
                            program: Program, body: ChecklistIn) -> ChecklistOut:
    user.require_access(kit.county)
    items = [service.Material(i.code, i.name) for i in body.items]
    await service.replace_checklist(session, program=program, county=kit.county, items=items)
    return _out(service.Checklist(county=kit.county, program=program, items=items,
                                  set_by_county=True))
