"""Staff register endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.intake.staff import service
from services.intake.staff.schemas import DepartureIn, StaffIn, StaffOut
from shared.auth import Role, User, allow
from shared.contracts.intake import StaffKind
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent, Kit, Today

router = APIRouter(prefix="/staff", tags=["staff"])

Registrar = Annotated[User, Depends(allow(Role.county_officer))]
Reader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]


@router.post("", status_code=201, response_model=StaffOut,
             summary="Register a person in a post: assistance staff or village cadre "
             "(R-DI-5, R-OV-4)",
             description="The county officer registers who serves in social assistance "
             "(dedicated staff of the county or a township, caseworkers, village assistants) "
             "and the village cadres. The ID number is kept only as a keyed digest and shown "
             "masked; the event carries it sealed, so disbursement can refuse these people as "
             "proxies (R-DI-5). 409 when the person already holds that post. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def register_staff(session: DbSession, user: Registrar, kit: Kit, today: Today,
                         body: StaffIn, response: Response) -> StaffOut:
    member = await service.register(session, user=user, county=kit.county, body=body)
    response.headers["Location"] = f"/api/v1/staff/{member.id}"
    return StaffOut.of(member, today=today)


@router.get("", response_model=list[StaffOut], responses=PAGED,
            summary="The staff register in your jurisdiction",
            description="The latest registered first, filtered by division (and below), kind "
            "and `active_on` (in the post that day). ID numbers masked; paged by cursor.")
async def list_staff(
    session: DbSession, user: Reader, today: Today, page: Paging,
    division: DivisionCode | None = None, kind: StaffKind | None = None,
    active_on: Annotated[CivilDate | None, Query(description="in the post that day")] = None,
) -> list[StaffOut]:
    rows = await service.list_staff(session, user=user, division=division, kind=kind,
                                    active_on=active_on, window=page.window(service.STAFF))
    return [StaffOut.of(s, today=today) for s in page.finish(rows, service.STAFF)]


@router.get("/{staff_id}", response_model=StaffOut, summary="One person of the staff register",
            description="404 if there is none or if it lies outside your divisions.")
async def get_staff(session: DbSession, user: Reader, today: Today, staff_id: RecordId
                    ) -> StaffOut:
    return StaffOut.of(await service.get(session, user=user, staff_id=staff_id), today=today)


@router.post("/{staff_id}/departure", response_model=StaffOut,
             summary="The person left the post (R-DI-5, R-OV-4)",
             description="From `left_on` (after the first day; default today) they no longer "
             "count. Once: 409 when already recorded.", dependencies=[Idempotent])
async def record_departure(session: DbSession, user: Registrar, today: Today, staff_id: RecordId,
                           body: DepartureIn) -> StaffOut:
    member = await service.end(session, user=user, staff_id=staff_id, left_on=body.left_on,
                               reason=body.reason)
    return StaffOut.of(member, today=today)
