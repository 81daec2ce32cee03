"""Division register endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.intake.divisions import service
from services.intake.divisions.schemas import (
    DivisionCodeOut,
    DivisionEndIn,
    DivisionIn,
    DivisionLoadIn,
    DivisionNode,
    DivisionOut,
    Level,
    RegisterChangeOut,
)
from shared.auth import STAFF, Role, User, allow
from shared.inputs import PAGED, CivilDate, Paging
from shared.problems import NotFound
from shared.service import DbSession, Idempotent, Kit
from shared.workdays import today_in_shanghai

router = APIRouter(prefix="/divisions", tags=["divisions"])

Keeper = Annotated[User, Depends(allow(Role.county_officer))]
Reader = Annotated[User, Depends(allow(*sorted(STAFF)))]
Code = Annotated[str, Path(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$",
                           description="6 (the county), 9 (township) or 12 (village) digits",
                           examples=["230722100201"])]
On = Annotated[CivilDate | None, Query(description="the day; default: today (Asia/Shanghai)")]


@router.get("", response_model=list[DivisionOut], responses=PAGED,
            summary="The codes of the county's register in force on a day",
            description="By code; filtered by level and parent. Paged by cursor.")
async def list_divisions(
    session: DbSession, user: Reader, page: Paging, on: On = None, level: Level | None = None,
    parent: Annotated[str | None, Query(pattern=r"^[0-9]{6}([0-9]{3})?$",
                                        description="the county's or a township's code")] = None,
) -> list[DivisionOut]:
    rows = await service.in_force_on(session, on or today_in_shanghai(), level_=level,
                                     parent=parent, window=page.window(service.DIVISIONS))
    return [DivisionOut.of(r) for r in page.finish(rows, service.DIVISIONS)]


@router.get("/tree", response_model=DivisionNode,
            summary="The county's division tree in force on a day",
            description="The county with its townships, each with its villages, as the "
            "register has them on `on`. 409 `division-register-empty` before the register is "
            "loaded.")
async def division_tree(session: DbSession, user: Reader, kit: Kit, on: On = None
                        ) -> DivisionNode:
    rows = await service.in_force_on(session, on or today_in_shanghai())
    nodes = {r.code: DivisionNode(code=r.code, name=r.name, level=r.level,
                                  valid_from=r.valid_from, valid_until=r.valid_until)
             for r in rows}
    root = nodes.get(kit.county)
    if root is None:
        if await service.is_empty(session):
            raise service.RegisterNotLoaded(service.EMPTY_REGISTER)
        raise NotFound(f"county {kit.county} is not in force on {on or today_in_shanghai()}")
    for r in rows:
        if r.parent in nodes and r.code != kit.county:
            nodes[r.parent].children.append(nodes[r.code])
    return root


@router.get("/{code}", response_model=DivisionCodeOut,
            summary="One code with every version it had",
            description="Its versions oldest first (names and the days they were in force), "
            "and the one in force today, if any: a code once used stays explainable.")
async def get_division(session: DbSession, user: Reader, code: Code) -> DivisionCodeOut:
    versions = [DivisionOut.of(r) for r in await service.versions_of(session, code)]
    today = today_in_shanghai()
    in_force = next((v for v in versions if v.valid_from <= today
                     and (v.valid_until is None or today < v.valid_until)), None)
    return DivisionCodeOut(code=code, level=versions[0].level, parent=versions[0].parent,
                           in_force=in_force, versions=versions)


@router.put("/{code}", response_model=RegisterChangeOut,
            summary="Add a code, or replace its name from a day on",
            description="The version in force on `valid_from` ends that day and the new one "
            "begins; a version beginning that very day is corrected; the same name and end "
            "as the version in force changes nothing. A township or village needs its parent "
            "in force all along. Emits `division_register_changed`.")
async def put_division(session: DbSession, user: Keeper, kit: Kit, code: Code,
                       body: DivisionIn) -> RegisterChangeOut:
    user.require_access(kit.county)
    register = await service.load_register(session, kit.county, for_update=True)
    register.put(code, body.name, body.valid_from or today_in_shanghai(), body.valid_until)
    return RegisterChangeOut.of(await service.save(session, register, change="put",
                                                   subject=code, by=user))


@router.post("/{code}/end", response_model=RegisterChangeOut,
             summary="End a code, and the codes below it, from a day on",
             description="Never deleted: the versions keep their names and get `valid_until`. "
             "Versions that end earlier stay as they are, so ending again changes nothing. "
             "Emits `division_register_changed`.", dependencies=[Idempotent])
async def end_division(session: DbSession, user: Keeper, kit: Kit, code: Code,
                       body: DivisionEndIn) -> RegisterChangeOut:
    user.require_access(kit.county)
    register = await service.load_register(session, kit.county, for_update=True)
    register.end(code, body.valid_until)
    return RegisterChangeOut.of(await service.save(session, register, change="end",
                                                   subject=code, by=user))


@router.post("/load", response_model=RegisterChangeOut,
             summary="Load many codes at once (a whole county's tree)",
             description="Each entry is put as by `PUT /divisions/{code}`, in the order county, "
             "townships, villages; the register is checked as a whole, and the load is taken "
             "whole or not at all. Loading the same entries again changes nothing. Emits one "
             "`division_register_changed` for the whole load.", dependencies=[Idempotent])
async def load_divisions(session: DbSession, user: Keeper, kit: Kit, body: DivisionLoadIn
                         ) -> RegisterChangeOut:
    user.require_access(kit.county)
    register = await service.load_register(session, kit.county, for_update=True)
    today = today_in_shanghai()
    order = sorted(range(len(body.entries)),
                   key=lambda i: (len(body.entries[i].code), body.entries[i].code,
                                  body.entries[i].valid_from or today))
    for i in order:
        entry = body.entries[i]
        register.put(entry.code, entry.name, entry.valid_from or today, entry.valid_until,
                     field=f"entries.{i}")
    return RegisterChangeOut.of(await service.save(session, register, change="load",
                                                   subject=kit.county, by=user))
