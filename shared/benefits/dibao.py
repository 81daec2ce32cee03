"""R-BE-1 the dibao benefit (低保金, the difference plus the add-ons) and R-BE-5 near-dibao
recognition (低保边缘家庭)."""

from __future__ import annotations

from fractions import Fraction

from shared.benefits._common import (
    finish,
    household_figures,
    no_members_reason,
    rounding_steps,
)
from shared.benefits._figures import show, yuan
from shared.benefits.area import ParametersArg
from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.grounds import addon_amount, addon_grounds, addon_step
from shared.benefits.household import Household
from shared.programs import Program


def assess_dibao(household: Household, params: ParametersArg) -> Assessment:
    """R-BE-1: max(0, standard × counted members − counted monthly income) + add-ons (R-BE-3),
    rounded once to whole yuan; not eligible over an asset limit (R-BE-10)."""
    figures = household_figures(household, params)
    p, income, standard = figures.params, figures.income, figures.standard
    steps = list(figures.steps)
    reasons = list(figures.assets.reasons)
    n = income.members
    full = standard * n
    steps.append(Step("R-BE-1", f"低保标准 × 计入人数 standard × {n} members", full,
                      parameter="dibao_standard_fen", parameter_value=standard))
    difference = max(Fraction(0), full - income.monthly)
    steps.append(Step("R-BE-1", "差额 difference: standard × members − household monthly income",
                      show(difference), part=True))
    if n == 0:
        reasons.insert(0, no_members_reason("R-BE-1"))
    elif difference == 0:
        reasons.insert(0, Reason(
            "R-BE-1", "income_not_below_standard",
            f"月人均收入不低于低保标准 monthly per-capita income "
            f"{yuan(income.per_capita or 0)} is not below the standard {yuan(standard)}",
            limit="dibao_standard_fen", limit_value=standard, actual=figures.per_capita))
    addons = Fraction(0)
    for member in household.covered:
        grounds = addon_grounds(member, household.on, p)
        if grounds:
            steps.append(addon_step(member, grounds, p, standard))
            addons += Fraction(addon_amount(p, standard))
    amount = rounding_steps(steps, difference + addons, p.benefit_rounding,
                            "月低保金 monthly dibao benefit")
    return finish(Program.DIBAO, eligible=not reasons, amount_fen=amount, steps=steps,
                  reasons=reasons, figures=figures)


def assess_near_dibao(household: Household, params: ParametersArg) -> Assessment:
    """R-BE-5: standard < per-capita income ≤ near_dibao_factor × standard, within the asset
    rules (R-BE-10); recognition only, no cash (amount 0)."""
    figures = household_figures(household, params)
    p, income, standard = figures.params, figures.income, figures.standard
    steps = list(figures.steps)
    reasons = list(figures.assets.reasons)
    limit = p.near_dibao_factor * standard
    steps.append(Step("R-BE-5", f"低保边缘上限 near-dibao limit: {p.near_dibao_factor} × "
                      f"{yuan(standard)}", show(limit), parameter="near_dibao_factor",
                      parameter_value=p.near_dibao_factor))
    pc = income.per_capita
    if pc is None:
        reasons.insert(0, no_members_reason("R-BE-5"))
    elif pc <= standard:
        reasons.insert(0, Reason(
            "R-BE-5", "income_within_dibao_standard",
            f"月人均收入不高于低保标准, 属低保 per-capita income {yuan(pc)} is not above the "
            f"standard {yuan(standard)}: a dibao household", limit="dibao_standard_fen",
            limit_value=standard, actual=figures.per_capita))
    elif pc > Fraction(limit):
        reasons.insert(0, Reason(
            "R-BE-5", "income_above_near_dibao_limit",
            f"月人均收入超过低保边缘上限 per-capita income {yuan(pc)} is above "
            f"{p.near_dibao_factor} × the standard ({yuan(limit)})", limit="near_dibao_factor",
            limit_value=show(limit), actual=figures.per_capita))
    steps.append(Step("R-BE-5", "低保边缘家庭 near-dibao household" if not reasons
                      else "非低保边缘家庭 not a near-dibao household", int(not reasons),
                      unit="number"))
    return finish(Program.NEAR_DIBAO, eligible=not reasons, amount_fen=0, steps=steps,
                  reasons=reasons, figures=figures)
