"""R-BE-8 temporary aid caps and R-BE-12 the urban standard for border-county rural residents."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shared.benefits import (
    DEMO,
    applicable_area,
    assess_dibao,
    assess_tekun,
    cap_temporary_aid,
    select_parameters,
    temporary_aid_cap,
)
from shared.programs import Program

from .builders import URBAN, adults, household

# R-BE-8


@pytest.mark.parametrize(("program", "requested", "granted"), [
    ("temp_emergency", 100_000, 100_000),
    ("temp_emergency", 225_000, 225_000),
    ("temp_emergency", 300_000, 225_000),
    ("temp_expenditure", 500_000, 450_000),
])
def test_r_be_8_temporary_aid_capped_by_a_multiple_of_the_standard(
        program: str, requested: int, granted: int) -> None:
    """R-BE-8: emergency 3 × 750, expenditure-type 6 × 750 per case; paid once."""
    result = cap_temporary_aid(program, requested, URBAN)
    assert result.eligible and result.amount_fen == granted and result.payment == "once"
    assert result.parts_total() == granted
    cap = next(s for s in result.steps if s.parameter == f"temp_aid_cap_multiple.{program}")
    assert cap.value == temporary_aid_cap(program, URBAN)


def test_r_be_8_cap_multiple_is_a_parameter_and_floors_to_a_fen() -> None:
    """R-BE-8: 2.5 × 563.33 yuan = 1,408.325 → 1,408.32 yuan at most."""
    params = replace(URBAN, dibao_standard_fen=56_333,
                     temp_aid_cap_multiple={"temp_emergency": Decimal("2.5")})
    assert cap_temporary_aid(Program.TEMP_EMERGENCY, 10**9, params).amount_fen == 140_832
    with pytest.raises(ValueError, match="temp_aid_cap_multiple"):
        cap_temporary_aid("temp_expenditure", 1, params)


def test_r_be_8_nothing_requested_and_wrong_program() -> None:
    """R-BE-8: 0 requested is not a grant; dibao is not temporary aid."""
    assert not cap_temporary_aid("temp_emergency", 0, URBAN).eligible
    with pytest.raises(ValueError):
        cap_temporary_aid("dibao", 100, URBAN)
    with pytest.raises(ValueError):
        cap_temporary_aid("temp_emergency", -1, URBAN)


def test_r_be_8_parameters_by_area_need_the_household() -> None:
    """R-BE-8, R-BE-12: the household picks the standard; a border-county rural household gets
    the urban cap."""
    with pytest.raises(ValueError):
        cap_temporary_aid("temp_emergency", 100, DEMO)
    rural = household(*adults(1), area="rural", county="230723")
    assert cap_temporary_aid("temp_emergency", 10**9, DEMO, household=rural).amount_fen == 168_000
    border = household(*adults(1), area="rural", county="230722",
                       long_lived_in_border_county=True)
    assert cap_temporary_aid("temp_emergency", 10**9, DEMO, household=border).amount_fen == 225_000


# R-BE-12


def test_r_be_12_border_county_rural_resident_on_the_urban_standard() -> None:
    """R-BE-12: 嘉荫县 rural resident who has long lived there: 750 yuan, not 560."""
    h = household(*adults(1), area="rural", county="230722", long_lived_in_border_county=True)
    assert applicable_area(h, DEMO) == "urban"
    result = assess_dibao(h, DEMO)
    assert result.area == "urban" and result.amount_fen == 75_000
    step = result.steps_for("R-BE-12")[0]
    assert "urban" in step.label and "border county" in step.label
    assert step.parameter == "border_counties" and step.parameter_value == "230722"


@pytest.mark.parametrize(("county", "long_lived", "area", "expected"), [
    ("230722", False, "rural", "rural"),
    ("230723", True, "rural", "rural"),
    ("230722", True, "urban", "urban"),
])
def test_r_be_12_only_long_lived_rural_residents_of_a_border_county(
        county: str, long_lived: bool, area: str, expected: str) -> None:
    """R-BE-12: registered in a border county, long lived there, rural."""
    h = household(*adults(1), area=area, county=county, long_lived_in_border_county=long_lived)
    assert applicable_area(h, DEMO) == expected
    assert applicable_area(h, ("230722",)) == expected
    assert select_parameters(h, DEMO) == (expected, DEMO[expected])


def test_r_be_12_border_counties_are_a_parameter() -> None:
    """R-BE-12: a county added to border_counties."""
    h = household(*adults(1), area="rural", county="230723", long_lived_in_border_county=True)
    params = replace(URBAN, border_counties=("230722", "230723"))
    assert applicable_area(h, params) == "urban"
    assert applicable_area(h, URBAN) == "rural"


def test_r_be_12_tekun_on_the_urban_standard_too() -> None:
    """R-BE-12, R-BE-7: a border-county rural tekun gets 1.3 × the urban standard."""
    from shared.benefits import Member
    h = household(Member("p", age=80, able_to_work=False, has_income_source=False,
                         supporter="none"), area="rural", county="230722",
                  long_lived_in_border_county=True)
    result = assess_tekun(h, "p", DEMO)
    assert result.area == "urban" and result.amount_fen == 97_500 + 10_000
