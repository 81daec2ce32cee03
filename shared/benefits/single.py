"""R-BE-4 the single-person household (单人户) of a near-dibao household, and R-BE-6 the gradual
exit (渐退期) of a dibao household whose income rose into the near-dibao band."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

from shared.benefits._common import finish, rounding_steps
from shared.benefits.area import ParametersArg, select_parameters
from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.dibao import assess_near_dibao
from shared.benefits.grounds import (
    SINGLE_ZH,
    addon_amount,
    addon_grounds,
    addon_step,
    single_person_grounds,
)
from shared.benefits.household import Household
from shared.programs import Program


def single_person_benefit(household: Household, member_id: str,
                          params: ParametersArg) -> Assessment:
    """R-BE-4: a member of a near-dibao household on a single-person ground is covered alone:
    the county's average per-capita dibao payment + the add-on (R-BE-3), rounded once."""
    member = household.member(member_id)
    area, p = select_parameters(household, params)
    if p.average_dibao_per_capita_fen <= 0:
        raise ValueError("average_dibao_per_capita_fen is not set for this county (R-BE-4)")
    near = assess_near_dibao(household, params)
    steps = list(near.steps)
    reasons: list[Reason] = []
    if not near.eligible:
        reasons.append(Reason("R-BE-4", "household_not_near_dibao",
                              "家庭不是低保边缘家庭 the household is not near-dibao"))
        reasons.extend(near.reasons)
    grounds = single_person_grounds(member)
    named = "、".join(SINGLE_ZH[g] for g in grounds) or "无 none"
    steps.append(Step("R-BE-4", f"单人户条件 single-person grounds: {named} "
                      f"({', '.join(grounds) or 'none'})", len(grounds), unit="number",
                      member_id=member_id))
    if not grounds:
        reasons.append(Reason("R-BE-4", "no_single_person_ground",
                              "不符合单独纳入低保的条件 no ground to be covered alone"))
    average = p.average_dibao_per_capita_fen
    steps.append(Step("R-BE-4", "县平均低保月人均补助 county average per-capita dibao payment",
                      average, parameter="average_dibao_per_capita_fen", parameter_value=average,
                      part=True, member_id=member_id))
    total = Fraction(average)
    addon = addon_grounds(member, household.on, p)
    if addon:
        steps.append(addon_step(member, addon, p, p.dibao_standard_fen))
        total += Fraction(addon_amount(p, p.dibao_standard_fen))
    amount = rounding_steps(steps, total, p.benefit_rounding, "单人户月低保金 monthly benefit")
    result = finish(Program.DIBAO, eligible=not reasons, amount_fen=amount, steps=steps,
                    reasons=reasons, area=area, standard_fen=p.dibao_standard_fen)
    return replace(result, per_capita_income_fen=near.per_capita_income_fen)


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` after `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def gradual_exit_period(start_month: date, months: int) -> tuple[date, date]:
    """R-BE-6: the first and last month paid in a gradual exit of `months` months."""
    if months < 1:
        raise ValueError("a gradual exit has at least one month")
    first = start_month.replace(day=1)
    return first, add_months(first, months - 1)


def gradual_exit(household: Household, params: ParametersArg, *, start_month: date,
                 amount_fen: int) -> Assessment:
    """R-BE-6: a dibao household now near-dibao keeps `amount_fen` for gradual_exit_months
    months from `start_month` (渐退期), then it stops; first and last month are given."""
    if amount_fen < 0:
        raise ValueError("amount_fen must not be negative")
    _, p = select_parameters(household, params)
    near = assess_near_dibao(household, params)
    steps = list(near.steps)
    reasons: list[Reason] = []
    if not near.eligible:
        reasons.append(Reason("R-BE-6", "not_near_dibao",
                              "不属低保边缘家庭, 不适用渐退 not near-dibao: no gradual exit"))
        reasons.extend(near.reasons)
    months = p.gradual_exit_months
    if months < 1:
        reasons.append(Reason("R-BE-6", "no_gradual_exit_period", "未设渐退期 no gradual exit "
                              "period", limit="gradual_exit_months", limit_value=months))
    steps.append(Step("R-BE-6", "渐退期 gradual exit months", months, unit="months",
                      parameter="gradual_exit_months", parameter_value=months))
    first = last = None
    if months >= 1:
        first, last = gradual_exit_period(start_month, months)
        steps.append(Step("R-BE-6", f"渐退期 {first:%Y-%m} – {last:%Y-%m}, 停发自 stops from "
                          f"{add_months(last, 1):%Y-%m}", months, unit="months"))
    steps.append(Step("R-BE-6", "渐退期内保留原低保金 benefit kept during the exit", amount_fen,
                      part=True))
    result = finish(Program.DIBAO, eligible=not reasons, amount_fen=amount_fen, steps=steps,
                    reasons=reasons, area=near.area, standard_fen=near.standard_fen,
                    first_month=first, last_month=last)
    return replace(result, per_capita_income_fen=near.per_capita_income_fen)
