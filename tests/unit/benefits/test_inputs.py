"""The inputs of the benefit rules refuse what can't be right (R-BE-1 … R-BE-12 read them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.benefits import Expenditure, Household, IncomeItem, Member, Step


@pytest.mark.parametrize("fields", [
    {"member_id": "", "age": 3},
    {"member_id": "a"},
    {"member_id": "a", "age": -1},
    {"member_id": "a", "age": 30, "disability_grade": 5},
    {"member_id": "a", "age": 30, "disabled_serviceman_grade": 0},
    {"member_id": "a", "age": 30, "minimum_wage_fen": -1},
])
def test_r_be_1_member_refuses_bad_facts(fields: dict[str, Any]) -> None:
    """R-BE-1: a member needs an id and an age or birth date; grades in range."""
    with pytest.raises(ValueError):
        Member(**fields)


def test_r_be_1_household_refuses_bad_shapes() -> None:
    """R-BE-1: area, county code, members, unique ids, review months, known member ids."""
    m = Member("a", age=30)
    ok = {"area": "urban", "county": "230717", "members": (m,)}
    for bad in ({"area": "town"}, {"county": "2307"}, {"members": ()},
                {"members": (m, Member("a", age=3))}, {"review_months": 0},
                {"income": (IncomeItem("wages", 1, member_id="b"),)},
                {"expenditure": (Expenditure("schooling", 1, member_id="b"),)}):
        with pytest.raises(ValueError):
            Household(**{**ok, **bad})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        IncomeItem("wages", -1)
    with pytest.raises(ValueError):
        Expenditure("schooling", -1)


def test_r_be_3_age_from_birth_date_needs_the_date() -> None:
    """R-BE-3: ages from a birth date need the household's date; never born after it."""
    m = Member("a", birth_date=date(2000, 2, 29))
    assert m.age_on(date(2026, 2, 28)) == 25 and m.age_on(date(2026, 3, 1)) == 26
    with pytest.raises(ValueError):
        m.age_on(None)
    with pytest.raises(ValueError):
        m.age_on(date(1999, 1, 1))


def test_r_be_1_step_to_dict() -> None:
    """R-BE-1: a step is JSON-ready."""
    from decimal import Decimal
    step = Step("R-BE-3", "分类施保 add-on", Decimal("11250.5"), parameter="addon_rate",
                parameter_value=Decimal("0.15"), part=True, member_id="a")
    assert step.to_dict() == {"rule": "R-BE-3", "label": "分类施保 add-on", "value": "11250.5",
                              "unit": "fen", "parameter": "addon_rate",
                              "parameter_value": "0.15", "part": True, "member_id": "a"}
