"""R-BE-5 near-dibao, R-BE-4 the single-person household, R-BE-6 the gradual exit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from shared.benefits import (
    Member,
    add_months,
    assess_near_dibao,
    gradual_exit,
    gradual_exit_period,
    single_person_benefit,
    single_person_grounds,
)
from shared.programs import Program

from .builders import URBAN, adults, household

# R-BE-5


@pytest.mark.parametrize(("monthly", "near", "code"), [
    (75_000, False, "income_within_dibao_standard"),
    (75_001, True, None),
    (112_500, True, None),
    (112_501, False, "income_above_near_dibao_limit"),
])
def test_r_be_5_near_dibao_band(monthly: int, near: bool, code: str | None) -> None:
    """R-BE-5: above 750 and at most 1.5 × 750 = 1,125 yuan per capita."""
    result = assess_near_dibao(household(*adults(1), monthly_income=monthly), URBAN)
    assert result.program is Program.NEAR_DIBAO and result.payment == "none"
    assert result.eligible is near and result.amount_fen == 0
    assert [r.code for r in result.reasons] == ([code] if code else [])


def test_r_be_5_the_limit_is_named_and_the_factor_is_a_parameter() -> None:
    """R-BE-5: near_dibao_factor 2: up to 1,500 yuan per capita."""
    h = household(*adults(2), monthly_income=2 * 120_000)
    refused = assess_near_dibao(h, URBAN)
    assert refused.reasons[0].limit == "near_dibao_factor"
    assert refused.reasons[0].limit_value == 112_500
    assert assess_near_dibao(h, replace(URBAN, near_dibao_factor=Decimal(2))).eligible


def test_r_be_5_per_capita_is_not_rounded_at_the_edge() -> None:
    """R-BE-5: 3 persons with 2,250.01 yuan: 750.0033… per capita is above the standard."""
    result = assess_near_dibao(household(*adults(3), monthly_income=225_001), URBAN)
    assert result.eligible


# R-BE-4


def near_household(*members: Member):
    """Three members with 900 yuan per capita: near-dibao."""
    return household(*members, monthly_income=270_000)


def test_r_be_4_disabled_grade_2_covered_alone_average_plus_add_on() -> None:
    """R-BE-4: 620 (county average) + 112.50 add-on (severely disabled) → 732.50 → 733 yuan."""
    h = near_household(Member("d", age=30, disability_grade=2), *adults(2))
    result = single_person_benefit(h, "d", URBAN)
    assert result.eligible and result.program is Program.DIBAO
    assert result.amount_fen == 73_300
    assert result.parts_total() == 73_300
    average = next(s for s in result.steps if s.parameter == "average_dibao_per_capita_fen")
    assert average.rule == "R-BE-4" and average.value == 62_000


def test_r_be_4_grade_3_intellectual_has_no_add_on_and_half_up_rounding() -> None:
    """R-BE-4: grade 3 intellectual qualifies but is not severe: the average alone."""
    h = near_household(Member("d", age=30, disability_grade=3, disability_kind="intellectual"),
                       *adults(2))
    assert single_person_benefit(h, "d", URBAN).amount_fen == 62_000
    params = replace(URBAN, average_dibao_per_capita_fen=62_049, benefit_rounding="half_up")
    assert single_person_benefit(h, "d", params).amount_fen == 62_000


@pytest.mark.parametrize(("member", "grounds"), [
    (Member("x", age=30, disability_grade=1), ("disability_grade_1_2",)),
    (Member("x", age=30, disability_grade=3, disability_kind="mental"),
     ("disability_grade_3_intellectual_mental",)),
    (Member("x", age=30, disability_grade=3, disability_kind="physical"), ()),
    (Member("x", age=30, seriously_ill=True), ("major_illness",)),
    (Member("x", age=30, disabled_serviceman_grade=6), ("disabled_serviceman_1_6",)),
    (Member("x", age=30, disabled_serviceman_grade=7), ()),
    (Member("x", age=30, regularly_pensioned_entitled=True), ("regularly_pensioned_entitled",)),
    (Member("x", age=30, clergy_apart_years=3), ("clergy_apart",)),
    (Member("x", age=30, clergy_apart_years=2), ()),
])
def test_r_be_4_grounds(member: Member, grounds: tuple[str, ...]) -> None:
    """R-BE-4: grade 1–2, grade 3 intellectual or mental, major illness, disabled servicemen
    1–6, regularly pensioned entitled persons, clergy apart ≥ 3 years."""
    assert single_person_grounds(member) == grounds


def test_r_be_4_no_ground_or_household_not_near_dibao_is_refused() -> None:
    """R-BE-4: refused without a ground, or when the household is not near-dibao."""
    plain = single_person_benefit(near_household(*adults(3)), "m1", URBAN)
    assert [r.code for r in plain.reasons] == ["no_single_person_ground"]
    assert plain.amount_fen == 0 and plain.parts_total() == 0
    poor = household(Member("d", age=30, disability_grade=1), *adults(2), monthly_income=90_000)
    result = single_person_benefit(poor, "d", URBAN)
    assert [r.code for r in result.reasons] == ["household_not_near_dibao",
                                                 "income_within_dibao_standard"]


def test_r_be_4_needs_the_county_average() -> None:
    """R-BE-4: without the published average there is nothing to pay from."""
    h = near_household(Member("d", age=30, disability_grade=1), *adults(2))
    with pytest.raises(ValueError, match="average_dibao_per_capita_fen"):
        single_person_benefit(h, "d", replace(URBAN, average_dibao_per_capita_fen=0))


# R-BE-6


def test_r_be_6_near_dibao_household_keeps_its_benefit_12_months() -> None:
    """R-BE-6: from March 2026 to February 2027, stopped from March 2027."""
    h = household(*adults(2), monthly_income=2 * 80_000)
    result = gradual_exit(h, URBAN, start_month=date(2026, 3, 1), amount_fen=45_000)
    assert result.eligible and result.amount_fen == 45_000
    assert result.first_month == date(2026, 3, 1) and result.last_month == date(2027, 2, 1)
    assert result.to_dict()["last_month"] == "2027-02-01"
    months = next(s for s in result.steps if s.parameter == "gradual_exit_months")
    assert months.rule == "R-BE-6" and months.value == 12
    assert any("stops from 2027-03" in s.label for s in result.steps)


def test_r_be_6_start_mid_month_and_a_shorter_period() -> None:
    """R-BE-6: a start date inside a month counts from that month; 6 months by parameter."""
    h = household(*adults(1), monthly_income=100_000)
    result = gradual_exit(h, replace(URBAN, gradual_exit_months=6),
                          start_month=date(2026, 11, 15), amount_fen=10_000)
    assert (result.first_month, result.last_month) == (date(2026, 11, 1), date(2027, 4, 1))


def test_r_be_6_no_gradual_exit_above_near_dibao_or_still_within_dibao() -> None:
    """R-BE-6: above 1.5 × the standard the benefit stops; at or below it the household is
    simply still dibao; with gradual_exit_months 0 there is no period."""
    above = gradual_exit(household(*adults(1), monthly_income=120_000), URBAN,
                         start_month=date(2026, 3, 1), amount_fen=10_000)
    assert not above.eligible and above.amount_fen == 0 and above.last_month is None
    assert [r.code for r in above.reasons] == ["not_near_dibao", "income_above_near_dibao_limit"]
    within = gradual_exit(household(*adults(1), monthly_income=70_000), URBAN,
                          start_month=date(2026, 3, 1), amount_fen=10_000)
    assert within.reasons[1].code == "income_within_dibao_standard"
    none = gradual_exit(household(*adults(1), monthly_income=100_000),
                        replace(URBAN, gradual_exit_months=0), start_month=date(2026, 3, 1),
                        amount_fen=10_000)
    assert [r.code for r in none.reasons] == ["no_gradual_exit_period"]


def test_r_be_6_month_arithmetic() -> None:
    """R-BE-6: months across year ends."""
    assert add_months(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 1), 23) == date(2027, 12, 1)
    assert gradual_exit_period(date(2026, 1, 20), 12) == (date(2026, 1, 1), date(2026, 12, 1))
    with pytest.raises(ValueError):
        gradual_exit_period(date(2026, 1, 1), 0)
