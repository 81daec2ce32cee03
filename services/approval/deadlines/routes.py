"""The deadline calculator: public, no token (R-AP-7, R-AP-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.approval.deadlines import service
from services.approval.deadlines.schemas import DeadlinesOut
from shared.inputs import CivilDate
from shared.programs import Program
from shared.ratelimit import TOO_MANY_REQUESTS, PublicRateLimit

router = APIRouter(prefix="/deadlines", tags=["deadlines"])


@router.get("", response_model=DeadlinesOut, summary="The deadlines of a program from a day",
            description="Public, no token: for portals and other systems. From the acceptance "
            "day `start` (not counted), the review's last day (R-AP-7: dibao 20 working days, "
            "tekun 15, temporary aid the county's setting) and, except for temporary aid, "
            "the last day with a recorded extension (dibao 30, tekun 20); with `decided_on`, "
            "the last day to notify a refusal in writing (R-AP-5: 3 working days). Working "
            "days follow the official calendar (holidays off, adjusted weekend working days "
            "on); each period ends at 24:00 Asia/Shanghai of its last day. A period that "
            "touches a year with no loaded calendar is counted on weekdays and marked "
            "`provisional`. A few requests a minute per address (429 beyond).",
            responses=TOO_MANY_REQUESTS, dependencies=[PublicRateLimit])
async def deadlines(
    request: Request,
    program: Annotated[Program, Query(description="the program")],
    start: Annotated[CivilDate, Query(description="the acceptance day, YYYY-MM-DD",
                                      examples=["2026-12-01"])],
    decided_on: Annotated[CivilDate | None, Query(
        description="the decision day, for the written refusal's deadline (R-AP-5)")] = None,
) -> DeadlinesOut:
    kit = request.app.state.kit
    return service.deadlines(program, start, kit.calendar, decided_on=decided_on,
                             temp_aid_working_days=kit.settings.temp_aid_working_days)
