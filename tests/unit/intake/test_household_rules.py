"""Household composition rules, with no database: R-IN-7 who counts, R-IN-4 one head."""

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from services.intake.households.schemas import HouseholdIn
from services.intake.households.service import (
    HouseholdError,
    check_composition,
    counted_size,
    counts_in_household,
    head_of,
)
from shared.idcard import check_character


def id_number(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


@dataclass
class M:
    id_number: str
    relationship: str = "child"
    living_status: str = "at_home"


HEAD = id_number("19600101", "011")
SPOUSE = id_number("19620202", "022")
CHILD = id_number("19900303", "031")


@pytest.mark.parametrize(("status", "counted"), [
    ("at_home", True),
    ("clergy_apart_3y", False),
    ("serving_sentence", False),
    ("in_custody", False),
])
def test_r_in_7_who_counts_in_the_household(status, counted):
    """R-IN-7: clergy apart ≥ 3 years, people serving a sentence or in custody don't count."""
    assert counts_in_household(M(CHILD, living_status=status)) is counted


def test_r_in_7_household_size_counts_only_counted_members():
    members = [M(HEAD, "head"), M(SPOUSE, "spouse", "serving_sentence"), M(CHILD)]
    assert counted_size(members) == 2


def test_r_in_7_a_household_with_nobody_counted_is_refused():
    with pytest.raises(HouseholdError, match="R-IN-7"):
        check_composition([M(HEAD, "head", "in_custody")])


def test_r_in_4_exactly_one_head():
    """R-IN-4: a household has exactly one head."""
    check_composition([M(HEAD, "head"), M(SPOUSE, "spouse")])
    with pytest.raises(HouseholdError, match="has 0"):
        check_composition([M(HEAD, "spouse"), M(SPOUSE, "child")])
    with pytest.raises(HouseholdError, match="has 2"):
        check_composition([M(HEAD, "head"), M(SPOUSE, "head")])


def test_r_in_4_nobody_twice_in_one_household():
    with pytest.raises(HouseholdError, match="twice") as caught:
        check_composition([M(HEAD, "head"), M(CHILD), M(CHILD, "sibling")])
    assert CHILD not in str(caught.value)  # the message masks the number (R-SE-2)


def test_head_of_finds_the_head():
    assert head_of([M(SPOUSE, "spouse"), M(HEAD, "head")]).id_number == HEAD


def test_r_in_4_the_declared_household_names_the_members_field():
    """R-IN-4: two heads are reported on household.members; a bad ID on its own member."""
    member = {"name": "张三", "id_number": HEAD, "relationship": "head"}
    with pytest.raises(ValidationError) as caught:
        HouseholdIn.model_validate(
            {"members": [member, {**member, "id_number": SPOUSE, "name": "李四"}]})
    assert [e["loc"] for e in caught.value.errors()] == [("members",)]
    with pytest.raises(ValidationError) as caught:
        HouseholdIn.model_validate(
            {"members": [member, {"name": "王五", "id_number": HEAD[:-1] + "0",
                                  "relationship": "child"}]})
    assert HEAD[-1] != "0"
    assert [e["loc"] for e in caught.value.errors()] == [("members", 1, "id_number")]
