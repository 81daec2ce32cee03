"""R-BE-9 what counts as income, and R-BE-2 the deductions: the household's counted income over
the review period, less rigid expenditure and employment costs, per month and per capita."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from shared.benefits._figures import show, yuan
from shared.benefits.assessment import Step
from shared.benefits.household import NOT_COUNTED_KINDS, Household, IncomeItem
from shared.benefits.parameters import Parameters

EMPLOYMENT_COST_MONTHS_PER_YEAR = 2
"""R-BE-2: two months of the minimum wage per employed member and year (就业成本)."""

KIND_ZH: dict[str, str] = {
    "wages": "工资性收入", "business": "经营净收入", "property": "财产净收入",
    "transfer": "转移净收入", "other": "其他收入", "preferential_survivor": "优待抚恤金",
    "family_planning_reward": "计划生育奖励", "scholarship": "奖学金",
    "bravery_award": "见义勇为奖励",
    "social_assistance": "社会救助款物", "resident_basic_pension": "城乡居民基础养老金",
    "serious_illness": "重特大疾病医疗", "disability_rehabilitation": "残疾康复",
    "schooling": "教育",
}


@dataclass(frozen=True)
class Income:
    """The household's counted income (R-BE-9) and its monthly per-capita figure (R-BE-2), exact."""

    members: int
    """Counted members (the divisor)."""
    months: int
    counted: Fraction
    """Counted income over the review period."""
    employment_cost: Fraction
    rigid_expenditure: Fraction
    net: Fraction
    """Over the period, after the deductions, never below 0."""
    monthly: Fraction
    """The household's counted monthly income."""
    per_capita: Fraction | None
    """Monthly per-capita income; None when no member is counted."""
    steps: tuple[Step, ...]


EXCLUSION_ZH: dict[str, str] = {
    "statutory": "法定不计入 statutory, not counted",
    "city": "市政府规定不计入 excluded by the city",
    "member_not_counted": "非计入家庭成员 member not counted in the household",
}


def exclusion(item: IncomeItem, household: Household, params: Parameters) -> str | None:
    """R-BE-9: why an item is not counted (statutory, city, member_not_counted), or None."""
    if item.kind in NOT_COUNTED_KINDS:
        return "statutory"
    if item.kind in params.excluded_income_items or (
            item.name and item.name in params.excluded_income_items):
        return "city"
    if item.member_id is not None and not household.member(item.member_id).covered:
        return "member_not_counted"
    return None


def _over_period(amount_fen: int, period: str, months: int) -> int:
    return amount_fen * months if period == "monthly" else amount_fen


def counted_income(household: Household, params: Parameters) -> Income:
    """R-BE-9 and R-BE-2: counted income over the period less deductions, per month and head."""
    months = household.review_months
    steps: list[Step] = []
    counted = 0
    wages = 0
    for item in household.income:
        total = _over_period(item.amount_fen, item.period, months)
        why = exclusion(item, household, params)
        name = f"{KIND_ZH[item.kind]} {item.kind}" + (f" 「{item.name}」" if item.name else "")
        per = f" ({months} × {yuan(item.amount_fen)})" if item.period == "monthly" else ""
        if why is None:
            counted += total
            wages += total if item.kind == "wages" else 0
            label = f"计入收入 counted income: {name}{per}"
        else:
            label = f"不计入 not counted: {name}{per} — {EXCLUSION_ZH[why]}"
        city = why == "city"
        steps.append(Step("R-BE-9", label, total, member_id=item.member_id,
                          parameter="excluded_income_items" if city else None,
                          parameter_value=",".join(params.excluded_income_items) if city else None))
    steps.append(Step("R-BE-9", f"审核期计入收入合计 counted income over {months} months", counted))

    employment = Fraction(0)
    for member in household.covered:
        if not member.employed:
            continue
        wage = member.minimum_wage_fen
        used = params.minimum_wage_fen if wage is None else wage
        cost = Fraction(EMPLOYMENT_COST_MONTHS_PER_YEAR * used * months, 12)
        employment += cost
        steps.append(Step(
            "R-BE-2",
            f"就业成本 employment cost: 2 months of the minimum wage a year × {months}/12",
            show(cost), parameter="minimum_wage_fen" if wage is None else "member.minimum_wage_fen",
            parameter_value=used, member_id=member.member_id))
    if employment > wages:
        steps.append(Step("R-BE-2", "就业成本以工资性收入为限 employment cost capped at "
                          "counted wages", wages))
        employment = Fraction(wages)

    rigid = 0
    for spent in household.expenditure:
        if spent.member_id is not None and not household.member(spent.member_id).covered:
            continue
        total = _over_period(spent.amount_fen, spent.period, months)
        if not spent.documented:
            steps.append(Step("R-BE-2", f"无凭据不扣除 undocumented, not deducted: "
                              f"{KIND_ZH[spent.kind]} {spent.kind}", total,
                              member_id=spent.member_id))
            continue
        rigid += total
        steps.append(Step("R-BE-2", f"刚性支出 rigid expenditure: {KIND_ZH[spent.kind]} "
                          f"{spent.kind}", total, member_id=spent.member_id))

    net = max(Fraction(0), counted - employment - rigid)
    steps.append(Step("R-BE-2", "扣除后审核期收入 income over the period after deductions"
                      + (" (不低于0 not below 0)" if counted - employment - rigid < 0 else ""),
                      show(net)))
    monthly = net / months
    steps.append(Step("R-BE-2", f"家庭月收入 household monthly income (÷ {months} months)",
                      show(monthly)))
    n = len(household.covered)
    steps.append(Step("R-BE-2", "计入家庭成员 counted members", n, unit="persons"))
    per_capita = monthly / n if n else None
    if per_capita is not None:
        steps.append(Step("R-BE-2", "家庭月人均收入 monthly per-capita income (not rounded)",
                          show(per_capita)))
    return Income(members=n, months=months, counted=Fraction(counted),
                  employment_cost=employment, rigid_expenditure=Fraction(rigid), net=net,
                  monthly=monthly, per_capita=per_capita, steps=tuple(steps))
