"""The calculation endpoint: public, no token; thin, the rules are in shared.benefits."""

from __future__ import annotations

from fastapi import APIRouter

from services.approval.calculations import service
from services.approval.calculations.schemas import CalculationIn, CalculationOut
from shared.ratelimit import TOO_MANY_REQUESTS, PublicRateLimit
from shared.service import DbSession, Today

router = APIRouter(prefix="/calculations", tags=["calculations"])


@router.post("", response_model=CalculationOut,
             summary="Calculate a household's benefit without opening a case",
             description="Public, no token: a portal's self-check for residents, or a "
             "caseworker's trial calculation. The household's figures (ages, who is counted, "
             "add-on grounds, income, assets, rigid expenditure; no names, no ID numbers, "
             "members named by their place in the list) go through the benefit rules "
             "(R-BE-1 … R-BE-12) with the county's policy version in force on the first day "
             "of `month`. The answer explains each step with the rule and the parameter it "
             "used, names the policy versions used (R-BE-12 may put a rural household of a "
             "border county on the urban standard), and for dibao adds the near-dibao "
             "recognition (R-BE-5) and the single-person outcomes (R-BE-4). Nothing is stored "
             "and nothing is logged about the household. 409 `no-policy-in-force` when the "
             "county has no version that month. A few requests a minute per address (429).",
             responses=TOO_MANY_REQUESTS, dependencies=[PublicRateLimit])
async def calculate(session: DbSession, today: Today, body: CalculationIn) -> CalculationOut:
    return await service.calculate(session, body, today=today)
