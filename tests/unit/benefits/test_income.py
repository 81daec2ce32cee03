"""R-BE-9 what counts as income and R-BE-2 the deductions (rigid expenditure, employment cost),
over the review period, per month and per capita; hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from shared.benefits import (
    NOT_COUNTED_KINDS,
    Expenditure,
    IncomeItem,
    Member,
    assess_dibao,
    counted_income,
)

from .builders import URBAN, adults, household


@pytest.mark.parametrize("kind", sorted(NOT_COUNTED_KINDS))
def test_r_be_9_statutory_items_are_not_counted(kind: str) -> None:
    """R-BE-9: 优待抚恤金, family-planning rewards, scholarships, bravery awards, assistance
    money, the residents' basic pension: never income."""
    h = household(*adults(2), income=(IncomeItem(kind, 90_000, member_id="m1"),))  # type: ignore[arg-type]
    assert counted_income(h, URBAN).counted == 0
    result = assess_dibao(h, URBAN)
    assert result.amount_fen == 150_000
    (step,) = [s for s in result.steps_for("R-BE-9") if s.value == 12 * 90_000]
    assert "not counted" in step.label


def test_r_be_9_all_counted_kinds_count_monthly_and_over_the_period() -> None:
    """R-BE-9: wages, business, property, transfers, other, in kind too; monthly × months."""
    h = household(*adults(2), review_months=6, income=(
        IncomeItem("wages", 10_000), IncomeItem("business", 20_000, "review_period"),
        IncomeItem("property", 3_000), IncomeItem("transfer", 6_000, "review_period"),
        IncomeItem("other", 1_000, in_kind=True)))
    income = counted_income(h, URBAN)
    assert income.counted == 6 * 10_000 + 20_000 + 6 * 3_000 + 6_000 + 6 * 1_000  # 110,000
    assert income.monthly == Fraction(110_000, 6)
    assert income.per_capita == Fraction(110_000, 12)


def test_r_be_9_items_the_city_excludes_by_name_or_kind() -> None:
    """R-BE-9: Parameters.excluded_income_items names free-named items (or whole kinds)."""
    params = replace(URBAN, excluded_income_items=("高龄津贴", "property"))
    h = household(*adults(1), income=(IncomeItem("other", 20_000, name="高龄津贴"),
                                      IncomeItem("property", 5_000),
                                      IncomeItem("other", 7_000, name="零工")))
    result = assess_dibao(h, params)
    assert result.amount_fen == 75_000 - 7_000
    city = [s for s in result.steps if s.parameter == "excluded_income_items"]
    assert len(city) == 2 and city[0].parameter_value == "高龄津贴,property"
    # without the city's list both count
    assert assess_dibao(h, URBAN).amount_fen == 75_000 - 32_000


def test_r_be_2_employment_cost_and_rigid_expenditure_over_a_year() -> None:
    """R-BE-2: 12 × 3,000 − 2 × 1,750 − 6,000 (illness) = 26,500 yuan a year; ÷ 12 ÷ 4."""
    members = (Member("w", age=40, employed=True), *adults(3))
    h = household(*members, income=(IncomeItem("wages", 300_000, member_id="w"),),
                  expenditure=(Expenditure("serious_illness", 600_000, member_id="m1"),))
    income = counted_income(h, URBAN)
    assert income.counted == 3_600_000
    assert income.employment_cost == 350_000
    assert income.rigid_expenditure == 600_000
    assert income.net == 2_650_000
    assert income.per_capita == Fraction(2_650_000, 48)
    result = assess_dibao(h, URBAN)
    # 300,000 − 220,833.33… = 79,166.67 → up → 79,200
    assert result.amount_fen == 79_200
    assert result.per_capita_income_fen == Decimal("55208.33")
    cost = next(s for s in result.steps if s.parameter == "minimum_wage_fen")
    assert cost.rule == "R-BE-2" and cost.value == 350_000 and cost.parameter_value == 175_000


def test_r_be_2_employment_cost_over_six_months_is_one_month_of_minimum_wage() -> None:
    """R-BE-2: 2 months a year → over 6 months, 1 month: 6 × 2,000 − 1,750 = 10,250 yuan."""
    h = household(Member("w", age=30, employed=True), review_months=6,
                  income=(IncomeItem("wages", 200_000, member_id="w"),))
    income = counted_income(h, URBAN)
    assert income.employment_cost == 175_000
    assert income.monthly == Fraction(1_025_000, 6)


def test_r_be_2_employment_cost_per_employed_member_at_their_own_minimum_wage() -> None:
    """R-BE-2: two employed members, one working where the minimum wage is 1,800 yuan."""
    members = (Member("a", age=30, employed=True),
               Member("b", age=30, employed=True, minimum_wage_fen=180_000))
    h = household(*members, income=(IncomeItem("wages", 500_000),))
    assert counted_income(h, URBAN).employment_cost == 350_000 + 360_000


def test_r_be_2_employment_cost_of_a_review_of_seven_months_is_not_rounded() -> None:
    """R-BE-2: 2 × 1,750 × 7/12 = 2,041.666… yuan, kept exact."""
    h = household(Member("w", age=30, employed=True), review_months=7,
                  income=(IncomeItem("wages", 300_000),))
    income = counted_income(h, URBAN)
    assert income.employment_cost == Fraction(2 * 175_000 * 7, 12)
    assert income.net == 7 * 300_000 - Fraction(2 * 175_000 * 7, 12)


def test_r_be_2_employment_cost_is_capped_at_the_counted_wages() -> None:
    """R-BE-2, R-BE-9: wages less employment costs: never below 0, other income stays."""
    h = household(Member("w", age=30, employed=True),
                  income=(IncomeItem("wages", 100_000, "review_period"),
                          IncomeItem("transfer", 120_000, "review_period")))
    income = counted_income(h, URBAN)
    assert income.employment_cost == 100_000
    assert income.monthly == 10_000


def test_r_be_2_no_employment_cost_for_a_member_not_employed_or_not_covered() -> None:
    """R-BE-2: only employed, counted members."""
    members = (Member("a", age=30), Member("b", age=30, employed=True, covered=False))
    h = household(*members, income=(IncomeItem("wages", 100_000, member_id="a"),))
    assert counted_income(h, URBAN).employment_cost == 0


def test_r_be_2_undocumented_expenditure_is_not_deducted_and_net_income_stops_at_zero() -> None:
    """R-BE-2: only documented rigid expenditure; deductions never make income negative."""
    h = household(*adults(2), monthly_income=10_000, expenditure=(
        Expenditure("schooling", 50_000, period="monthly", member_id="m2"),
        Expenditure("disability_rehabilitation", 999_999, documented=False)))
    income = counted_income(h, URBAN)
    assert income.rigid_expenditure == 12 * 50_000
    assert income.net == 0
    assert assess_dibao(h, URBAN).amount_fen == 150_000


def test_r_be_2_expenditure_of_a_member_not_covered_is_not_deducted() -> None:
    """R-BE-2: the household's deductions are its counted members'."""
    members = (Member("a", age=30), Member("away", age=30, covered=False))
    h = household(*members, monthly_income=50_000,
                  expenditure=(Expenditure("schooling", 120_000, member_id="away"),))
    assert counted_income(h, URBAN).rigid_expenditure == 0
