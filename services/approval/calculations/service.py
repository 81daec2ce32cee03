"""The calculation without a case: a household's figures through the rules of ``shared.benefits``
with the policy version in force (R-BE-1 … R-BE-12). Nothing is stored and nothing emitted."""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.calculations.schemas import (
    AssessmentOut,
    CalculationIn,
    CalculationOut,
    PolicyUsed,
)
from services.approval.policy.models import PolicyVersion
from services.approval.policy.schemas import Area
from services.approval.policy.service import parameters_in_force
from shared.benefits import (
    Assessment,
    Asset,
    Expenditure,
    Household,
    IncomeItem,
    Member,
    Parameters,
    assess_dibao,
    assess_near_dibao,
    assess_tekun,
    border_rule_applies,
    cap_temporary_aid,
    single_person_benefit,
    single_person_grounds,
)
from shared.problems import InvalidField

NOTICE = ("测算结果仅供参考，不是审核确认决定 — a calculation from the figures given, with the "
          "policy version named; not a decision: a benefit is granted only after an "
          "application, the household investigation and the township's confirmation (R-AP).")
NO_AVERAGE = (" The county has not published its average per-capita dibao payment, so the "
              "single-person outcome (R-BE-4) is not calculated.")


def _member_id(place: int | None) -> str | None:
    return None if place is None else str(place)


def _refer(field: str, place: int | None, members: int) -> str | None:
    if place is not None and place > members:
        raise InvalidField(field, f"names member {place}, but the household has {members}")
    return _member_id(place)


def to_household(body: CalculationIn, on: date) -> Household:
    """The rules' input; members are named by their place (1, 2, …), never by name."""
    n = len(body.members)
    try:
        members = tuple(Member(member_id=str(i), **m.model_dump())
                        for i, m in enumerate(body.members, start=1))
        income = tuple(IncomeItem(kind=x.kind, amount_fen=x.amount_fen, period=x.period,
                                  member_id=_refer(f"income.{i}.member", x.member, n),
                                  name=x.item or "", in_kind=x.in_kind)
                       for i, x in enumerate(body.income))
        spent = tuple(Expenditure(kind=x.kind, amount_fen=x.amount_fen, period=x.period,
                                  member_id=_refer(f"expenditure.{i}.member", x.member, n),
                                  documented=x.documented)
                      for i, x in enumerate(body.expenditure))
        assets = []
        for i, a in enumerate(body.assets):
            if a.exempt and not a.exempt_reason:
                raise InvalidField(f"assets.{i}.exempt_reason", "an exempt asset needs its "
                                   "reason (R-BE-10)")
            assets.append(Asset(kind=a.kind, value_fen=a.value_fen, count=a.count,
                                exempt=a.exempt, exempt_reason=a.exempt_reason or ""))
        return Household(area=body.area, county=body.county, members=members, income=income,
                         assets=tuple(assets), expenditure=spent, review_months=body.review_months,
                         long_lived_in_border_county=body.long_lived_in_border_county, on=on)
    except ValueError as exc:
        raise InvalidField("body", str(exc)) from None


def month_of(body: CalculationIn, today: date) -> date:
    """The first day of the month calculated (the standard in force that day is used)."""
    if body.month is None:
        return today.replace(day=1)
    year, month = body.month.split("-")
    return date(int(year), int(month), 1)


def assessment_out(assessment: Assessment, member: str | None = None) -> AssessmentOut:
    data = assessment.to_dict()
    for step in data["steps"]:
        step["member"] = int(step.pop("member_id")) if step.get("member_id") else None
    return AssessmentOut.model_validate({**data, "member": int(member) if member else None})


def _used(version: PolicyVersion, used_for: Literal["standard", "border_counties"]
          ) -> PolicyUsed:
    return PolicyUsed(version_id=version.id, county=version.county,
                      area=cast(Area, version.area), version=version.version,
                      effective_from=version.effective_from, demo=version.demo,
                      used_for=used_for)


async def calculate(session: AsyncSession, body: CalculationIn, *, today: date) -> CalculationOut:
    """R-BE: the program's outcome for the household's figures, explained step by step, with
    the policy versions used; 409 ``no-policy-in-force`` when the county has none that month."""
    on = month_of(body, today)
    household = to_household(body, on)
    versions: dict[Area, tuple[PolicyVersion, Parameters]] = {
        body.area: await parameters_in_force(session, county=body.county, area=body.area, on=on)}
    border = versions[body.area][1].border_counties
    if body.area == "rural" and border_rule_applies(household, border):
        versions["urban"] = await parameters_in_force(session, county=body.county, area="urban",
                                                      on=on)  # R-BE-12
    params = {area: p for area, (_, p) in versions.items()}
    near = None
    single: list[AssessmentOut] = []
    notice = NOTICE
    if body.program == "dibao":
        result = assess_dibao(household, params)
        if not result.eligible:
            near = assess_near_dibao(household, params)
        if near is not None and near.eligible:
            if params[near.area or body.area].average_dibao_per_capita_fen <= 0:
                notice += NO_AVERAGE
            else:
                single = [assessment_out(single_person_benefit(household, m.member_id, params),
                                         m.member_id)
                          for m in household.covered if single_person_grounds(m)]
        out = assessment_out(result)
    elif body.program == "tekun":
        person = _tekun_person(body)
        result = assess_tekun(household, person, params, covered_as_child=body.covered_as_child)
        out = assessment_out(result, person or "1")
    else:
        if body.requested_fen is None:
            raise InvalidField("requested_fen", "temporary aid needs the amount asked for")
        result = cap_temporary_aid(body.program, body.requested_fen, params, household=household)
        out = assessment_out(result)
    applied = result.area or body.area
    used = [_used(versions[applied][0], "standard")]
    if applied != body.area:
        used.append(_used(versions[body.area][0], "border_counties"))
    return CalculationOut(program=body.program, county=body.county, area=body.area,
                          month=f"{on:%Y-%m}", result=out,
                          near_dibao=assessment_out(near) if near is not None else None,
                          single_person=single, policy_versions=used, notice=notice)


def _tekun_person(body: CalculationIn) -> str | None:
    if body.person is not None:
        return _refer("person", body.person, len(body.members))
    if len(body.members) != 1:
        raise InvalidField("person", "name the person assessed in a household of several")
    return None

