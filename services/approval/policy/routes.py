"""Policy version endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.approval.policy import service
from services.approval.policy.schemas import (
    Area,
    CountyCode,
    PolicyVersionIn,
    PolicyVersionOut,
    WithdrawalIn,
)
from shared.auth import STAFF, Role, User, allow
from shared.inputs import PAGED, CivilDate, Paging, RecordId
from shared.problems import NotFound
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/policy", tags=["policy"])

Reader = Annotated[User, Depends(allow(*sorted(STAFF)))]
Officer = Annotated[User, Depends(allow(Role.county_officer))]
County = Annotated[CountyCode, Query(description="the county, 6 digits", examples=["230722"])]


@router.get("/versions", response_model=list[PolicyVersionOut], responses=PAGED,
            summary="Versions of the counties' policy parameters",
            description="Every version published, withdrawn ones included (marked), by county "
            "and area, the newest first; those of the counties in or around your divisions "
            "(a township's staff read their county's).")
async def list_versions(session: DbSession, user: Reader, page: Paging,
                        county: County | None = None, area: Area | None = None
                        ) -> list[PolicyVersionOut]:
    rows = await service.list_versions(session, user=user, county=county, area=area,
                                       window=page.window(service.VERSIONS))
    return [PolicyVersionOut.of(r) for r in page.finish(rows, service.VERSIONS)]


@router.post("/versions", response_model=PolicyVersionOut, status_code=201,
             summary="Publish a new version of the county's parameters from a day on",
             description="The figures of `shared.benefits.Parameters` for urban or rural "
             "residents, checked whole: a figure the rules refuse is a 422 naming it "
             "(`parameters.<field>`) and nothing is stored. A version is never edited: a "
             "change is a new version, from today or later (a county and area's first version "
             "may begin earlier); 409 `policy-version-exists` when a version from that day is "
             "there. Only the county's own county officer. Emits `policy_version_published`.",
             dependencies=[Idempotent])
async def publish_version(session: DbSession, user: Officer, body: PolicyVersionIn
                          ) -> PolicyVersionOut:
    return PolicyVersionOut.of(await service.publish_version(session, user=user, body=body))


@router.get("/versions/{version_id}", response_model=PolicyVersionOut,
            summary="One policy version",
            description="One version of a county's parameters for urban or rural residents: "
            "every figure, the day it takes effect, who published it and why, and whether it "
            "was withdrawn before taking effect. 404 if there is none or outside your "
            "county.")
async def get_version(session: DbSession, user: Reader, version_id: RecordId
                      ) -> PolicyVersionOut:
    return PolicyVersionOut.of(await service.get_version(session, user=user,
                                                         version_id=version_id))


@router.post("/versions/{version_id}/withdraw", response_model=PolicyVersionOut,
             summary="Withdraw a version before it takes effect",
             description="Recorded on the version (who, when, why), never deleted; the version "
             "in force before it stays in force. 409 `policy-version-took-effect` once its day "
             "has come, `policy-version-withdrawn` the second time. Only the county's own "
             "county officer. Emits `policy_version_withdrawn`.", dependencies=[Idempotent])
async def withdraw_version(session: DbSession, user: Officer, version_id: RecordId,
                           body: WithdrawalIn) -> PolicyVersionOut:
    return PolicyVersionOut.of(await service.withdraw_version(
        session, user=user, version_id=version_id, reason=body.reason))


@router.get("/in-force", response_model=PolicyVersionOut,
            summary="The version in force on a day",
            description="The version of the county's parameters for `area` in force on `on` "
            "(default: today, Asia/Shanghai): the newest-dated one not withdrawn that took "
            "effect that day or before. 404 when there is none.")
async def in_force(session: DbSession, user: Reader, today: Today, county: County, area: Area,
                   on: Annotated[CivilDate | None, Query(
                       description="the day, YYYY-MM-DD; default: today")] = None
                   ) -> PolicyVersionOut:
    service.require_reach(user, county)
    day = on or today
    version = await service.version_in_force(session, county=county, area=area, on=day)
    if version is None:
        raise NotFound(f"no {area} policy parameters of county {county} are in force on {day}")
    return PolicyVersionOut.of(version)
