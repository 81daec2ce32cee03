"""R-BE-1 the dibao difference at household level, rounded once to whole yuan; R-BE-3 the add-on
once per person; with hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from shared.benefits import (
    DEMO,
    Household,
    IncomeItem,
    Member,
    addon_grounds,
    assess_dibao,
)
from shared.money import RoundingMode
from shared.programs import Program

from .builders import URBAN, adults, household


def test_r_be_1_difference_times_covered_members() -> None:
    """R-BE-1: 3 × 750 − 1,500 = 750 yuan a month; per capita 500."""
    result = assess_dibao(household(*adults(3), monthly_income=150_000), URBAN)
    assert result.program is Program.DIBAO
    assert result.eligible and result.reasons == ()
    assert result.amount_fen == 75_000
    assert result.per_capita_income_fen == 50_000
    assert result.standard_fen == 75_000 and result.area == "urban"
    assert result.payment == "monthly"


def test_r_be_1_zero_income_gets_the_full_standard_per_member() -> None:
    """R-BE-1: no income: standard × members."""
    assert assess_dibao(household(*adults(2)), URBAN).amount_fen == 150_000


def test_r_be_1_income_exactly_at_the_standard_is_not_eligible() -> None:
    """R-BE-1: per-capita income equal to the standard: difference 0, not eligible."""
    result = assess_dibao(household(*adults(2), monthly_income=150_000), URBAN)
    assert not result.eligible and result.amount_fen == 0
    (reason,) = result.reasons
    assert reason.code == "income_not_below_standard"
    assert reason.limit == "dibao_standard_fen" and reason.limit_value == 75_000
    assert reason.actual == 75_000


def test_r_be_1_one_fen_below_the_standard_is_eligible_and_rounds_up_to_a_yuan() -> None:
    """R-BE-1: 1 fen short of 2 × 750 → difference 0.01 yuan → rounded up to 1 yuan."""
    result = assess_dibao(household(*adults(2), monthly_income=149_999), URBAN)
    assert result.eligible and result.amount_fen == 100


def test_r_be_1_the_per_capita_figure_is_never_rounded() -> None:
    """R-BE-1: 1 yuan a month for 3 persons: 2,250 − 1 = 2,249 yuan, not 3 × (750 − 1)."""
    result = assess_dibao(household(*adults(3), monthly_income=100), URBAN)
    assert result.amount_fen == 224_900
    assert result.per_capita_income_fen == Decimal("33.33")


@pytest.mark.parametrize(("period_income", "mode", "amount"), [
    # 1,000,000 fen over 12 months: monthly 83,333.33…; 225,000 − that = 141,666.67
    (1_000_000, "up", 141_700), (1_000_000, "half_up", 141_700), (1_000_000, "down", 141_600),
    # monthly 100,050: difference 124,950 — exactly half a yuan
    (1_200_600, "up", 125_000), (1_200_600, "half_up", 125_000), (1_200_600, "down", 124_900),
    # monthly 100,051: difference 124,949
    (1_200_612, "up", 125_000), (1_200_612, "half_up", 124_900), (1_200_612, "down", 124_900),
    # monthly 100,000: difference 125,000, already whole yuan
    (1_200_000, "up", 125_000), (1_200_000, "half_up", 125_000), (1_200_000, "down", 125_000),
])
def test_r_be_1_rounding_modes_act_on_the_final_amount_only(
        period_income: int, mode: RoundingMode, amount: int) -> None:
    """R-BE-1: benefit_rounding up / half_up / down on the exact household figure."""
    h = household(*adults(3), income=(IncomeItem("wages", period_income, "review_period"),))
    result = assess_dibao(h, replace(URBAN, benefit_rounding=mode))
    assert result.amount_fen == amount
    assert result.parts_total() == amount


def test_r_be_1_a_member_not_covered_neither_counts_nor_brings_income() -> None:
    """R-BE-1, R-BE-9: a member not counted: not in the divisor, their income not counted."""
    members = (*adults(2), Member("away", age=45, covered=False))
    h = household(*members, income=(IncomeItem("wages", 300_000, member_id="away"),
                                     IncomeItem("transfer", 50_000, member_id="m1")))
    result = assess_dibao(h, URBAN)
    assert result.amount_fen == 150_000 - 50_000
    assert result.per_capita_income_fen == 25_000


def test_r_be_1_no_covered_member_is_not_eligible() -> None:
    """R-BE-1: nobody counted, nothing to pay."""
    result = assess_dibao(household(Member("a", age=40, covered=False)), URBAN)
    assert not result.eligible and result.reasons[0].code == "no_covered_members"
    assert result.per_capita_income_fen is None


def test_r_be_1_steps_explain_the_amount_and_add_up() -> None:
    """R-BE-1: each step names its rule; the parts (difference, add-ons, rounding) add up."""
    h = household(Member("a", age=70), Member("b", age=40), monthly_income=100_001)
    result = assess_dibao(h, URBAN)
    # 150,000 − 100,001 = 49,999; add-on 11,250; 61,249 → up → 61,300
    assert result.amount_fen == 61_300
    parts = [(s.rule, s.value) for s in result.steps if s.part]
    assert parts == [("R-BE-1", 49_999), ("R-BE-3", 11_250), ("R-BE-1", 51)]
    standard = next(s for s in result.steps if s.parameter == "dibao_standard_fen")
    assert standard.parameter_value == 75_000 and standard.value == 150_000
    rounding = next(s for s in result.steps if s.parameter == "benefit_rounding")
    assert rounding.parameter_value == "up"
    assert result.steps[-1].value == 61_300


def test_r_be_1_to_dict_is_json_ready() -> None:
    """R-BE-1: the explanation serialises to ints and strings (Decimals as strings)."""
    import json
    result = assess_dibao(household(*adults(3), monthly_income=100), URBAN)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["amount_fen"] == 224_900 and data["amount_yuan"] == "2249.00"
    assert data["per_capita_income_fen"] == "33.33"
    assert data["program"] == "dibao" and data["payment"] == "monthly"
    assert all(isinstance(s["value"], int | str) for s in data["steps"])


def test_r_be_1_works_with_the_parameters_by_area() -> None:
    """R-BE-1: the county's parameters by area (DEMO) pick the registered area's standard."""
    h = household(*adults(1), area="rural")
    result = assess_dibao(h, DEMO)
    assert result.area == "rural" and result.amount_fen == 56_000


# R-BE-3 add-on


def test_r_be_3_add_on_is_15_percent_once_per_person() -> None:
    """R-BE-3: elderly and severely disabled: one add-on of 15 % × 750 = 112.50 yuan."""
    h = household(Member("a", age=70, disability_grade=1), Member("b", age=45))
    result = assess_dibao(h, URBAN)
    assert [s.value for s in result.steps_for("R-BE-3")] == [11_250]
    # 150,000 + 11,250 = 161,250 → up → 161,300
    assert result.amount_fen == 161_300


def test_r_be_3_add_on_on_the_rural_standard() -> None:
    """R-BE-3: rural 560 yuan: 84 yuan per person with a ground; two such members."""
    h = household(Member("a", age=8), Member("b", age=65), area="rural")
    result = assess_dibao(h, DEMO)
    assert result.amount_fen == 2 * 56_000 + 2 * 8_400


def test_r_be_3_no_add_on_for_a_member_not_covered() -> None:
    """R-BE-3: the add-on goes to covered members only."""
    h = household(Member("a", age=40), Member("b", age=80, covered=False))
    assert assess_dibao(h, URBAN).amount_fen == 75_000


def test_r_be_3_no_add_on_when_the_household_is_not_eligible() -> None:
    """R-BE-3: income above the standard: no dibao, so no add-on either."""
    h = household(Member("a", age=70), monthly_income=80_000)
    result = assess_dibao(h, URBAN)
    assert result.amount_fen == 0 and result.parts_total() == 0


@pytest.mark.parametrize(("member", "grounds"), [
    (Member("x", age=60), ("elderly",)),
    (Member("x", age=59), ()),
    (Member("x", age=17), ("minor",)),
    (Member("x", age=18), ()),
    (Member("x", age=40, disability_grade=2), ("severely_disabled",)),
    (Member("x", age=40, disability_grade=3), ()),
    (Member("x", age=40, disabled_serviceman_grade=4), ("severely_disabled",)),
    (Member("x", age=40, disabled_serviceman_grade=5), ()),
    (Member("x", age=40, seriously_ill=True), ("seriously_ill",)),
    (Member("x", age=40, military_or_martyr_family=True), ("military_or_martyr_family",)),
    (Member("x", age=70, old_demobilised_rural_soldier=True),
     ("elderly", "old_demobilised_rural_soldier")),
])
def test_r_be_3_grounds(member: Member, grounds: tuple[str, ...]) -> None:
    """R-BE-3: severely disabled (servicemen 1–4), seriously ill, elderly ≥ 60, minor < 18,
    military or martyr family, old demobilised rural soldier."""
    assert addon_grounds(member, None, URBAN) == grounds


def test_r_be_3_elderly_age_is_a_parameter_and_age_comes_from_the_birth_date() -> None:
    """R-BE-3: addon_elderly_age 65; born 1961-06-01 is 64 on 2026-05-31, 65 on 2026-06-01."""
    member = Member("x", birth_date=date(1961, 6, 1))
    params = replace(URBAN, addon_elderly_age=65)
    assert addon_grounds(member, date(2026, 5, 31), params) == ()
    assert addon_grounds(member, date(2026, 6, 1), params) == ("elderly",)
    h = Household(area="urban", county="230717", members=(member,), on=date(2026, 6, 1))
    assert assess_dibao(h, params).amount_fen == 75_000 + 11_300  # 86,250 → 86,300


def test_r_be_3_add_on_rate_is_a_parameter() -> None:
    """R-BE-3: addon_rate 0.2 of 750 = 150 yuan."""
    h = household(Member("a", age=10))
    assert assess_dibao(h, replace(URBAN, addon_rate=Decimal("0.2"))).amount_fen == 90_000
