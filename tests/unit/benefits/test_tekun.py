"""R-BE-11 who is tekun, R-BE-7 the tekun support (basic + care standard)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shared.benefits import (
    DEMO,
    Area,
    Household,
    Member,
    assess_tekun,
    concentrated_care_rate,
    is_tekun,
    tekun_reasons,
)
from shared.programs import Program

from .builders import URBAN

ALONE = {"able_to_work": False, "has_income_source": False, "supporter": "none"}


def person(**fields: Any) -> Member:
    return Member("p", **{**ALONE, **fields})


@pytest.mark.parametrize(("member", "tekun"), [
    (person(age=70), True),
    (person(age=59), False),
    (person(age=40, disability_grade=3), True),
    (person(age=40, disabled_serviceman_grade=8), True),
    (person(age=15, able_to_work=True), True),
    (person(age=16), False),
    (person(age=70, able_to_work=True), False),
    (person(age=70, has_income_source=True), False),
    (person(age=70, supporter="able"), False),
    (person(age=70, supporter="tekun"), True),
    (person(age=70, supporter="old_or_severely_disabled_dibao"), True),
    (person(age=70, supporter="missing"), True),
    (person(age=70, supporter="in_prison"), True),
])
def test_r_be_11_who_is_tekun(member: Member, tekun: bool) -> None:
    """R-BE-11: elderly ≥ 60, disabled, or a child < 16; no ability to work, no income, no
    supporter able to support them."""
    assert is_tekun(member, None) is tekun


def test_r_be_11_minors_stay_covered_to_18_and_longer_in_school() -> None:
    """R-BE-11: a child tekun stays covered at 17, and at 19 while in school."""
    assert not is_tekun(person(age=17), None)
    assert is_tekun(person(age=17), None, covered_as_child=True)
    assert not is_tekun(person(age=19), None, covered_as_child=True)
    assert is_tekun(person(age=19, in_school=True), None, covered_as_child=True)


def test_r_be_11_reasons_name_each_condition_failed() -> None:
    """R-BE-11: every failed condition is a reason."""
    codes = [r.code for r in tekun_reasons(Member("p", age=40), None)]
    assert codes == ["not_elderly_disabled_or_child", "able_to_work", "has_income_source",
                     "has_able_supporter"]


def test_r_be_11_age_from_birth_date() -> None:
    """R-BE-11: born 2010-07-01 is under 16 on 2026-06-30 and 16 on 2026-07-01."""
    child = person(birth_date=date(2010, 7, 1))
    assert is_tekun(child, date(2026, 6, 30)) and not is_tekun(child, date(2026, 7, 1))


def one(member: Member, area: Area = "urban", **fields: Any) -> Household:
    return Household(area=area, county="230717", members=(member,), **fields)


def test_r_be_7_basic_is_1_3_times_the_standard_plus_care() -> None:
    """R-BE-7: urban 1.3 × 750 = 975 + 800 (unable to care) = 1,775 yuan."""
    result = assess_tekun(one(person(age=80, self_care="unable")), None, DEMO)
    assert result.program is Program.TEKUN and result.eligible
    assert result.amount_fen == 177_500 and result.parts_total() == 177_500
    care = next(s for s in result.steps if s.parameter == "tekun_care_fen.unable")
    assert care.value == 80_000


def test_r_be_7_rural_partly_unable() -> None:
    """R-BE-7: rural 1.3 × 560 = 728 + 300 (partly unable) = 1,028 yuan."""
    h = one(person(age=75, self_care="partly_unable"), area="rural")
    assert assess_tekun(h, None, DEMO).amount_fen == 102_800


def test_r_be_7_floor_rounds_up_to_whole_yuan_never_below() -> None:
    """R-BE-7: 1.3 × 563 = 731.90 → 732 yuan, never below the floor."""
    params = replace(URBAN, dibao_standard_fen=56_300)
    assert assess_tekun(one(person(age=70)), None, params).amount_fen == 73_200 + 10_000


def test_r_be_7_basic_standard_set_above_the_floor() -> None:
    """R-BE-7: tekun_basic_standard_fen 1,000 yuan + 100 (able to care)."""
    params = replace(URBAN, tekun_basic_standard_fen=100_000)
    result = assess_tekun(one(person(age=70)), None, params)
    assert result.amount_fen == 110_000
    assert any(s.parameter == "tekun_basic_standard_fen" for s in result.steps)
    with pytest.raises(ValueError):
        replace(URBAN, tekun_basic_standard_fen=97_499)


def test_r_be_7_not_tekun_gets_nothing_and_says_why() -> None:
    """R-BE-7, R-BE-11: no support for a person who is not tekun."""
    h = Household(area="urban", county="230717",
                  members=(person(age=70, supporter="able"), Member("son", age=40)))
    result = assess_tekun(h, "p", URBAN)
    assert not result.eligible and result.amount_fen == 0 and result.parts_total() == 0
    assert [r.code for r in result.reasons] == ["has_able_supporter"]
    with pytest.raises(ValueError):
        assess_tekun(h, None, URBAN)


def test_r_be_7_concentrated_care_rate() -> None:
    """R-BE-7: 11 of 20 unable to care for themselves in institutions: 55 %."""
    assert concentrated_care_rate(20, 11) == Decimal("0.55")
    assert concentrated_care_rate(3, 1) == Decimal("0.3333")
    assert concentrated_care_rate(0, 0) is None
    with pytest.raises(ValueError):
        concentrated_care_rate(2, 3)
